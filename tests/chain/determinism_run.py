"""Run a fixed scenario on a fresh chain and print the state root of every height as JSON.

Used by test_chain.py in subprocesses with different PYTHONHASHSEED values and plugin
load orders: ``python determinism_run.py <data_dir> <forward|reverse>``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from tonomy.chain.authority import Authority
from tonomy.testing.ledger import LedgerNet, build_manager, public_key


def main(data_dir: str, order: str) -> None:
    spec = importlib.util.spec_from_file_location("ledger_plugins", Path(__file__).with_name("ledger_plugins.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plugins = module.plugins()
    if order == "reverse":
        plugins.reverse()
    net = LedgerNet.create(data_dir, manager=build_manager(plugins), accounts=["alice", "bob", "carol"])
    act = LedgerNet.action
    for block in range(4):
        for index, owner in enumerate(("alice", "bob", "carol")):
            net.submit(act("notes", "write", {"owner": owner, "key": f"k{block}-{index}", "text": "x" * (block + index)}, f"{owner}@active"), [owner])
            net.submit(act("notes", "draw", {"owner": owner, "slot": block}, f"{owner}@active"), [owner])
        net.submit([act("notes", "write", {"owner": "bob", "key": "undone", "text": "y"}, "bob@active"), act("notes", "refuse", {"reason": "r"}, "bob@active")], ["bob"], nonce=block)
        net.submit(act("relay", "forward_and_recover", {"owner": "carol", "key": f"r{block}", "text": "z"}, "carol@active"), ["carol"])
        if block == 1:
            authority = Authority(1, [(public_key("erin"), 1)], [], []).to_record()
            data = {"creator": "alice", "name": "erin", "type": "person", "owner": authority, "active": authority}
            net.submit(act("tonomy", "newaccount", data, "alice@active"), ["alice"])
        net.produce()
    roots = {}
    for height in range(net.chain.height + 1):
        stored = net.chain.get_block(height)
        assert stored is not None
        roots[height] = stored.header.state_root.hex()
    net.close()
    print(json.dumps(roots, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
