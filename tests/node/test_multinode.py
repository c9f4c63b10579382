"""Four validator processes on loopback finalize blocks through the consensus engine over
the encrypted p2p layer: identical blocks and state everywhere, transactions gossiped to
the proposer, quorum loss and recovery, crash and catch-up, a stalled proposer.

One cluster for the module (starting 4 processes costs seconds); the tests run in order
and each leaves all four nodes running.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tonomy import _core
from tonomy.chain.txbuilder import action, build_transaction
from tonomy.node.client import NodeClient
from tonomy.node.keys import read_key_file
from tonomy.testing.cluster import Cluster, make_cluster, wait_until
from tonomy.testing.cluster import assert_same_chain as same_chain
from tonomy.testing.cluster import header_at as header_of
from tonomy.testing.cluster import node_height
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    made = make_cluster(tmp_path_factory.mktemp("cluster"), 4, block_time_ms=200)
    made.start()
    try:
        yield made
    finally:
        made.stop()


def height(url: str) -> int:
    found = node_height(url)
    assert found is not None, f"{url} does not answer"
    return found


def heights(cluster: Cluster) -> list[int]:
    return [height(node.url) for node in cluster.nodes if node.running]


def assert_same_chain(cluster: Cluster, up_to: int) -> None:
    """Every node holds the same block hash and state root at every height up to ``up_to``."""
    same_chain([node.url for node in cluster.nodes], up_to)


def header_at(url: str, h: int) -> tuple[str, str]:
    doc = header_of(url, h)
    return doc["hash"], doc["state_root"]


def wait_all_reach(cluster: Cluster, target: int, timeout: float = 30.0) -> None:
    wait_until(lambda: min(heights(cluster)) >= target, timeout, what=f"every node at height {target}")


def graceful_stop(node: NodeProcess) -> int:
    """SIGTERM; a node that does not stop within 20 s dumps its threads (SIGABRT) into its log."""
    process = node.process
    assert process is not None
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        process.wait(10)
        raise AssertionError(f"the node did not stop on SIGTERM:\n{node.log_tail(120)}") from None
    return node.stop()


def test_four_validators_finalize_identical_blocks(cluster: Cluster) -> None:
    wait_all_reach(cluster, 10)
    assert_same_chain(cluster, 10)
    # Blocks carry the commit of their parent: more than 2/3 of the 4 validators signed.
    with NodeClient(cluster.nodes[0].url) as client:
        block = client.block(5)
    raw = httpx.get(f"{cluster.nodes[0].url}/v1/blocks/6", timeout=5).json()
    assert raw["header"]["height"] == 6 and block.header.height == 5
    proposers = set()
    for h in range(1, 11):
        proposers.add(httpx.get(f"{cluster.nodes[1].url}/v1/blocks/{h}", timeout=5).json()["header"]["proposer"])
    assert len(proposers) >= 2, "the proposer rotates between validators"


def test_a_transfer_submitted_to_one_node_reaches_every_node(cluster: Cluster) -> None:
    seeds = [read_key_file(path).seed for path in cluster.validator_keys]
    with NodeClient(cluster.nodes[3].url) as client:
        head = client.head()
        system = ["tonomy@active"]
        actions = [
            action("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "decimals": 0, "max_supply": 10**9}, system),
            action("pay", "issue", {"symbol": "TONO", "to": "alice", "amount": 1000, "memo": ""}, system),
        ]
        funding = build_transaction(head.chain_id, head, actions, seeds[:3])  # the system account: 3 of 4 validators
        status = client.submit_and_wait(funding, timeout=30)
        assert status.receipt is not None and status.receipt.ok, status
    alice = cluster.keys["alice"].seed
    with NodeClient(cluster.nodes[2].url) as client:
        head = client.head()
        transfer = {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 25, "memo": "multinode"}
        tx = build_transaction(head.chain_id, head, [action("pay", "transfer", transfer, ["alice@active"])], [alice])
        status = client.submit_and_wait(tx, timeout=30)
        assert status.receipt is not None and status.receipt.ok
        committed_at = status.height
        assert committed_at is not None
    for node in cluster.nodes:
        with NodeClient(node.url) as client:
            wait_until(lambda c=client: c.head().height >= committed_at, 30, what="the block with the transfer")
            assert client.status(status.id).status == "committed"
            assert client.query("pay", "balance", {"account": "bob", "symbol": "TONO"}) == 25
    assert_same_chain(cluster, committed_at)


def test_quorum_loss_stalls_then_recovers(cluster: Cluster) -> None:
    stopped = cluster.nodes[2:]
    for node in stopped:
        assert graceful_stop(node) == 0
    time.sleep(1.0)  # let a block in flight land
    before = heights(cluster)
    time.sleep(4.0)
    after = heights(cluster)
    assert after == before, f"two of four validators cannot finalize: {before} -> {after}"
    assert all(node.running for node in cluster.nodes[:2])
    for node in stopped:
        node.start()
    wait_all_reach(cluster, max(after) + 5, timeout=60)
    assert_same_chain(cluster, max(after) + 5)


def test_a_killed_validator_restarts_and_catches_up(cluster: Cluster) -> None:
    victim = cluster.nodes[1]
    victim.kill()
    start = min(heights(cluster))
    wait_until(lambda: min(heights(cluster)) >= start + 5, 30, what="three validators finalize without the fourth")
    victim.start()
    target = max(heights(cluster)) + 3
    wait_all_reach(cluster, target, timeout=60)
    assert_same_chain(cluster, target)


def test_a_paused_proposer_costs_a_round_and_catches_up(cluster: Cluster) -> None:
    """SIGSTOP the round-0 proposer of an upcoming height for 10 s: that height is decided
    in a later round by the other three, and the paused node catches up once resumed."""
    from tonomy.chain.genesis import Genesis

    keys = [read_key_file(path).public_key for path in cluster.validator_keys]
    engine = _core.ConsensusEngine(Genesis.load(cluster.genesis_file).chain_id, [(key, 1) for key in keys], 1)
    target = max(heights(cluster)) + 2  # its proposer has not built anything yet
    paused = cluster.nodes[keys.index(engine.proposer(target, 0))]
    others = [node for node in cluster.nodes if node is not paused]
    paused.pause()
    try:
        time.sleep(10.0)
        wait_until(lambda: min(height(node.url) for node in others) >= target, 30, what=f"height {target} without its proposer")
    finally:
        paused.resume()
    logs = "".join(node.log_file.read_text(errors="replace") for node in others)
    assert f"height {target} decided in round" in logs, "the round changed past the paused proposer"
    final = max(heights(cluster)) + 3
    wait_all_reach(cluster, final, timeout=60)
    assert_same_chain(cluster, final)


def test_a_full_node_joins_by_peer_address_and_follows(cluster: Cluster, tmp_path: Path) -> None:
    """``tonomy node --genesis FILE --peer HOST:PORT`` without a validator key: it syncs the
    finalized blocks, keeps following, and forwards a transaction submitted to it."""
    p2p = str(cluster.nodes[3].runtime["p2p"]).split("@", 1)[1]  # HOST:PORT, any key
    follower = NodeProcess(tmp_path / "follower", cluster.genesis_file, None, extra_args=["--peer", p2p])
    follower.start()
    try:
        target = max(heights(cluster)) + 2
        wait_until(lambda: height(follower.url) >= target, 60, what="the follower synced")
        seen = {header_at(node.url, target) for node in [*cluster.nodes, follower]}
        assert len(seen) == 1
        with NodeClient(follower.url) as client:
            head = client.head()
            transfer = {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1, "memo": "via follower"}
            tx = build_transaction(head.chain_id, head, [action("pay", "transfer", transfer, ["alice@active"])], [cluster.keys["alice"].seed])
            status = client.submit_and_wait(tx, timeout=30)
            assert status.receipt is not None and status.receipt.ok
    finally:
        follower.stop()
