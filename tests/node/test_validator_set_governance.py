"""A validator set change by a real governance proposal, end to end with real processes.

Four genesis validators and a fifth node whose key is in no set yet (it follows). A
proposal adds the fifth key and removes validator 0 in one option; it is voted with the
Pay token and executed. Every node then switches at the same height, E = the executing
block + ``consensus_delay``: headers before E name the old set, from E on the new one;
the new validator proposes, and with validators 0 and 1 stopped the remaining three
(2, 3 and the newcomer: 3 of 4) still finalize, which they could only do if every node
counts the newcomer's votes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tonomy.chain import validator_set
from tonomy.chain.txbuilder import action, build_transaction
from tonomy.node.client import NodeClient
from tonomy.node.keys import KeyPair, read_key_file, write_key_file
from tonomy.plugin import decode_record, encode_record
from tonomy.testing.cluster import Cluster, header_at, make_cluster, node_height, wait_until
from tonomy.testing.node_process import NodeProcess

pytest.importorskip("tonomy_governance")
pytest.importorskip("tonomy_pay")
pytestmark = pytest.mark.slow

GOVERNANCE = {"voting_delay": 1, "voting_period": 8, "timelock": 2, "grace": 10_000}


@pytest.fixture
def network(tmp_path: Path) -> Iterator[tuple[Cluster, NodeProcess, KeyPair]]:
    cluster = make_cluster(
        tmp_path / "govset", 4, block_time_ms=200,
        parameters={"tonomy": {"governance_plugin": "governance"}, "governance": GOVERNANCE},
    )  # fmt: skip
    newcomer = KeyPair.generate()
    key_file = tmp_path / "govset" / "validator-new.key"
    write_key_file(key_file, newcomer)
    cluster.start()
    peers: list[str] = []
    for node in cluster.nodes:
        peers += ["--peer", str(node.runtime["p2p"])]
    fifth = NodeProcess(
        tmp_path / "govset" / "node-new", cluster.genesis_file, key_file, block_time_ms=200,
        extra_args=["--p2p", "127.0.0.1:0", "--consensus-timeouts-ms", "1500,500,600,300,600,300", *peers],
    )  # fmt: skip
    fifth.start()
    try:
        yield cluster, fifth, newcomer
    finally:
        fifth.kill()
        cluster.stop()


def submit(url: str, actions: list[Any], seeds: list[bytes]) -> Any:
    with NodeClient(url) as client:
        head = client.head()
        status = client.submit_and_wait(build_transaction(head.chain_id, head, actions, seeds), timeout=30)
    assert status.receipt is not None, status
    return status


def until_executed(url: str, make: Any, seeds: list[bytes], expected: str, timeout: float = 60.0) -> Any:
    """Retry an action that is refused with ``expected`` until the chain is ready for it."""
    last: Any = None

    def attempt() -> bool:
        nonlocal last
        last = submit(url, [make()], seeds)
        if last.receipt.ok:
            return True
        assert expected in str(last.receipt.error_code), last.receipt.error_message
        return False

    wait_until(attempt, timeout, every=0.3, what=f"the action past {expected}")
    return last


def height(url: str) -> int:
    return node_height(url) or 0


def test_a_governance_proposal_changes_the_set_at_one_height_on_every_node(network: tuple[Cluster, NodeProcess, KeyPair]) -> None:
    cluster, fifth, newcomer = network
    url = cluster.nodes[0].url
    validators = [read_key_file(path) for path in cluster.validator_keys]
    system = ["tonomy@active"]
    funding = [
        action("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "decimals": 0, "max_supply": 10**9}, system),
        action("pay", "issue", {"symbol": "TONO", "to": "alice", "amount": 1000, "memo": ""}, system),
    ]
    assert submit(url, funding, [v.seed for v in validators[:3]]).receipt.ok
    alice = cluster.keys["alice"].seed
    change = [
        {"plugin": "tonomy", "name": "setvalidator", "data": {"key": newcomer.public_key, "power": 1}},
        {"plugin": "tonomy", "name": "setvalidator", "data": {"key": validators[0].public_key, "power": 0}},
    ]
    options = encode_record([{"label": "rotate", "actions": change}])
    proposal = {"proposer": "alice", "track": "root", "title": "rotate a validator", "options": options}
    proposed = until_executed(url, lambda: action("governance", "propose", proposal, ["alice@active"]), [alice], "governance.")
    [event] = [e for e in proposed.receipt.events if e.name == "proposed"]
    pid = decode_record(event.data)["id"]
    vote = {"id": pid, "voter": "alice", "choice": 0}
    until_executed(url, lambda: action("governance", "vote", vote, ["alice@active"]), [alice], "governance.")
    executed = until_executed(url, lambda: action("governance", "execute", {"id": pid}, ["alice@active"]), [alice], "governance.")
    at = int(executed.height)
    effective = at + 2  # consensus_delay defaults to 2
    old = validator_set.normalized([(v.public_key, 1) for v in validators])
    new = validator_set.normalized([(v.public_key, 1) for v in validators[1:]] + [(newcomer.public_key, 1)])
    nodes = [*cluster.nodes, fifth]
    for node in nodes:
        with NodeClient(node.url) as client:
            wait_until(lambda c=client: c.head().height >= at, 30, what="the executing block everywhere")
            assert client.query("tonomy", "validators", {})["schedule"][-1]["effective"] == effective
    target = effective + 8
    wait_until(lambda: min(height(node.url) for node in nodes) >= target, 90, what=f"height {target} on every node")
    proposers = set()
    for h in range(1, target + 1):
        headers = [header_at(node.url, h) for node in nodes]
        assert len({(doc["hash"], doc["state_root"]) for doc in headers}) == 1, f"nodes disagree at height {h}"
        expected = validator_set.set_hash(old if h < effective else new)
        assert headers[0]["validator_set_hash"] == expected.hex(), f"height {h} names the wrong set (switch at {effective})"
        if h >= effective:
            proposers.add(headers[0]["proposer"])
    assert newcomer.public_key.hex() in proposers
    assert validators[0].public_key.hex() not in proposers
    # Validators 0 (removed) and 1 stop: 2, 3 and the newcomer hold 3 of the 4 votes.
    cluster.nodes[0].kill()
    cluster.nodes[1].kill()
    live = [cluster.nodes[2], cluster.nodes[3], fifth]
    start = min(height(node.url) for node in live)
    wait_until(lambda: min(height(node.url) for node in live) >= start + 5, 60, what="commits by the new set")

    # The SDK, pinned to the chain id only, follows the change: a header of the new set is
    # accepted because more than a third of the genesis set's power signed it too.
    from tonomy.chain.genesis import Genesis
    from tonomy.sdk import Client

    with Client.connect(live[0].url, chain_id=Genesis.load(cluster.genesis_file).chain_id) as sdk:
        before = sdk.block(effective - 1).header
        after = sdk.block(start + 3).header
        assert before.validator_set_hash == validator_set.set_hash(old)
        assert after.validator_set_hash == validator_set.set_hash(new)
