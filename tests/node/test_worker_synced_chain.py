"""Block sync's view of the node's chain: stored bytes out, and blocks consensus committed
already accepted as no-ops (the same bytes) or refused (another block at that height)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import stored
from tonomy.node.chain_worker import ChainWorker
from tonomy.node.network import WorkerSyncedChain
from tonomy.testing.ledger import LedgerNet


def test_served_bytes_no_ops_and_refusals(tmp_path: Path) -> None:
    validator = LedgerNet.create(tmp_path / "validator")
    for _ in range(3):
        validator.produce()
    follower = LedgerNet.create(tmp_path / "follower", genesis=validator.genesis, manager=validator.manager)
    other = LedgerNet.create(tmp_path / "other", genesis=validator.genesis, manager=validator.manager)
    other.produce(validator.chain.head.time + 7)  # another block 1 than the validator's
    applied: list[tuple[Any, list[bytes]]] = []

    async def scenario() -> None:
        worker = ChainWorker()
        await worker.open(lambda: follower.chain)
        synced = WorkerSyncedChain(worker, lambda header, ids: applied.append((header, ids)))
        for height in (1, 2):
            block, commit = stored.block_bytes(validator.chain, height), stored.commit_bytes(validator.chain, height)
            assert block is not None and commit is not None
            await synced.apply_block(block, commit)
        assert follower.chain.height == 2 and [h.height for h, _ in applied] == [1, 2]
        assert synced.get_block(2) == stored.block_bytes(validator.chain, 2)
        assert synced.get_commit(2) == stored.commit_bytes(validator.chain, 2)
        assert synced.get_block(0) is None and synced.get_block(3) is None
        # Committed here already (the race with consensus): the same bytes are a no-op.
        await synced.apply_block(stored.block_bytes(validator.chain, 1), stored.commit_bytes(validator.chain, 1))  # type: ignore[arg-type]
        assert follower.chain.height == 2 and len(applied) == 2
        # Another block at a height held here is the peer's fault.
        foreign = stored.block_bytes(other.chain, 1)
        assert foreign is not None and foreign != stored.block_bytes(follower.chain, 1)
        with pytest.raises(ValueError, match="a different block"):
            await synced.apply_block(foreign, stored.commit_bytes(other.chain, 1))
        # The next block needs its commit.
        with pytest.raises(ValueError, match="commit"):
            await synced.apply_block(stored.block_bytes(validator.chain, 3), None)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            await synced.apply_block(b"garbage", b"")
        assert follower.chain.height == 2 and len(applied) == 2
        await synced.apply_block(stored.block_bytes(validator.chain, 3), stored.commit_bytes(validator.chain, 3))  # type: ignore[arg-type]
        assert follower.chain.head == validator.chain.head
        block3 = _core.decode_block(stored.block_bytes(validator.chain, 3))  # type: ignore[arg-type]
        assert applied[-1][1] == [tx.id for tx in block3.transactions]
        await worker.close()

    try:
        asyncio.run(scenario())
    finally:
        for net in (validator, other):
            net.close()
