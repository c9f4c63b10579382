"""Block sync with the real ledger: a fresh follower catches up with a validator's chain."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.net.helpers import config, node, run
from tonomy.chain.chain import Chain
from tonomy.net.chain_adapter import ChainSyncAdapter
from tonomy.net.sync import BlockSync
from tonomy.testing.ledger import LedgerNet

LEDGER_PLUGINS = Path(__file__).resolve().parents[1] / "chain" / "ledger_plugins.py"


def _ledger_plugins() -> list[object]:
    spec = importlib.util.spec_from_file_location("tonomy_net_test_ledger_plugins", LEDGER_PLUGINS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.plugins()  # type: ignore[no-any-return]


def test_a_follower_syncs_a_real_chain_with_transactions(tmp_path: Path) -> None:
    validator = LedgerNet.create(tmp_path / "validator", plugins=_ledger_plugins(), accounts=["alice", "bob"])
    follower = Chain.open(tmp_path / "follower", validator.genesis, validator.manager, durable=False)
    try:
        for i in range(12):
            if i % 3 == 0:
                validator.submit(
                    LedgerNet.action("notes", "write", {"owner": "alice", "key": f"k{i}", "text": "hello"}, "alice@active"),
                    ["alice"],
                )
            validator.produce()
        assert validator.chain.height == 12 and follower.height == 0

        async def scenario() -> None:
            cfg = config(max_frame_bytes=1 << 20, max_queued_outbound_bytes=4 << 20)
            server, address = await node(cfg)
            client, _ = await node(cfg)
            serving = BlockSync(server, ChainSyncAdapter(validator.chain))
            catching_up = BlockSync(client, ChainSyncAdapter(follower), batch=5)
            serving.start()
            catching_up.start()
            client.add_peer(address)
            await catching_up.wait_for_height(12, timeout=15)
            for sync in (serving, catching_up):
                await sync.close()
            await client.close()
            await server.close()

        run(scenario(), timeout=20)
        assert follower.head == validator.chain.head
        assert follower.store.root() == validator.chain.store.root()
        assert follower.get_commit(12) == validator.chain.get_commit(12)
    finally:
        follower.close()
        validator.close()
