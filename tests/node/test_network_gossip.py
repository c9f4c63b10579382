"""NodeNetwork's transaction gossip over real connections, on a line A - B - C.

The chain behind each node is a stand-in that admits every transaction not starting
with b"bad" (the network layer, not admission, is under test here).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.net.helpers import CHAIN_ID, FAST, run, wait_until
from tonomy import _core
from tonomy.errors import TonomyError
from tonomy.net import MessageKind
from tonomy.net.covered import decode_covered
from tonomy.net.txbatch import encode_transaction_batch
from tonomy.node.network import NodeNetwork


class AdmittingChain:
    height = 0
    head = SimpleNamespace(hash=bytes(32))

    def __init__(self) -> None:
        self.submitted: list[bytes] = []

    def submit_many(self, txs: list[bytes]) -> list[Any]:
        self.submitted.extend(txs)
        return [TonomyError("refused") if tx.startswith(b"bad") else _core.hash_plain(tx) for tx in txs]


class Worker:
    def __init__(self) -> None:
        self.chain = AdmittingChain()

    async def call(self, fn: Any, *args: Any) -> Any:
        return fn(self.chain, *args)

    call_bulk = call


async def _line(tmp: Path, *, mesh: bool = False) -> tuple[list[NodeNetwork], list[Worker], list[list[bytes]]]:
    """A - B - C (``mesh``: and A - C too). ``received[i]``: the batch messages node i got,
    unwrapped (a covered batch is recorded as its inner batch)."""
    workers = [Worker() for _ in range(3)]
    nets = [
        NodeNetwork(
            data_dir=_dir(tmp / name), chain_id=CHAIN_ID, worker=w, on_synced=lambda *_: None,
            on_transaction_admitted=lambda _id: None, config=FAST,
        )
        for name, w in zip("abc", workers, strict=True)
    ]  # fmt: skip
    b_host, b_port = await nets[1].start("127.0.0.1", 0, [])
    b = f"{nets[1].identity.public_key.hex()}@{b_host}:{b_port}"
    await nets[0].start("127.0.0.1", 0, [b])
    a = f"{nets[0].identity.public_key.hex()}@{nets[0].address[0]}:{nets[0].address[1]}"  # type: ignore[index]
    await nets[2].start("127.0.0.1", 0, [b, a] if mesh else [b])
    await wait_until(lambda: len(nets[1].manager.peers) == 2, what="A and C connected to B")
    if mesh:
        await wait_until(lambda: len(nets[0].manager.peers) == 2, what="C connected to A")
    received: list[list[bytes]] = [[] for _ in nets]
    for net, inbox in zip(nets, received, strict=True):
        net.gossip.subscribe(MessageKind.TRANSACTIONS, _recorder(inbox))
        net.gossip.subscribe(MessageKind.COVERED_TRANSACTIONS, _recorder(inbox))
    return nets, workers, received


def _recorder(inbox: list[bytes]) -> Any:
    def record(kind: MessageKind, payload: bytes, _source: bytes | None) -> None:
        inbox.append(decode_covered(payload)[1] if kind is MessageKind.COVERED_TRANSACTIONS else payload)

    return record


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_transactions_reach_a_node_two_hops_away_once_and_refused_ones_stop(tmp_path: Path) -> None:
    async def scenario() -> None:
        nets, workers, received = await _line(tmp_path)
        try:
            good = [os.urandom(200) for _ in range(5)]
            for tx in good:
                nets[0].publish_transaction(tx)
            await wait_until(lambda: len(workers[2].chain.submitted) == 5, what="C admitting A's batch")
            assert workers[2].chain.submitted == good  # through B, in order, once
            assert received[2] == [encode_transaction_batch(good)]  # B relayed the batch as it came
            mixed = [os.urandom(100), b"bad" + os.urandom(100), os.urandom(100)]
            for tx in mixed:
                nets[0].publish_transaction(tx)
            await wait_until(lambda: len(workers[2].chain.submitted) == 7, what="C admitting the admitted part")
            admitted = [mixed[0], mixed[2]]
            assert workers[2].chain.submitted[5:] == admitted  # the refused one went no further than B
            assert received[2][1] == encode_transaction_batch(admitted)
            nets[0].publish_transaction(good[0])  # already gossiped: not sent again
            nets[2].publish_transaction(good[1])  # C has it from B: not sent back
            await asyncio.sleep(0.2)
            assert len(workers[1].chain.submitted) == 8 and len(workers[2].chain.submitted) == 7
            assert workers[0].chain.submitted == []  # nothing came back to the origin
        finally:
            for net in nets:
                await net.close()

    run(scenario(), timeout=30)


def test_in_a_full_mesh_a_batch_crosses_each_link_once(tmp_path: Path) -> None:
    """A, B, C all connected: A's batch names B and C as covered, so neither relays it."""

    async def scenario() -> None:
        nets, workers, received = await _line(tmp_path, mesh=True)
        try:
            good = [os.urandom(150) for _ in range(4)]
            for tx in good:
                nets[0].publish_transaction(tx)
            await wait_until(
                lambda: workers[1].chain.submitted == good and workers[2].chain.submitted == good,
                what="B and C admitting A's batch",
            )
            await asyncio.sleep(0.2)  # a relay, if any, would arrive meanwhile
            assert received[1] == [encode_transaction_batch(good)]
            assert received[2] == [encode_transaction_batch(good)]  # from A only: B did not relay
            assert received[0] == []
        finally:
            for net in nets:
                await net.close()

    run(scenario(), timeout=30)
