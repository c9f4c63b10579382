"""A validator that double-votes (test-only flag TONOMY_TEST_EQUIVOCATE: every vote also
goes out signed for another value, bypassing its safety rules): the honest three never
diverge, and evidence naming it, and only it, is committed on chain and queryable on every
honest node (``POST /v1/query/tonomy/evidence``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tonomy.node.client import NodeClient
from tonomy.node.keys import read_key_file
from tonomy.testing.cluster import Cluster, make_cluster, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    made = make_cluster(tmp_path_factory.mktemp("byzantine"), 4, block_time_ms=200)
    made.nodes[3].extra_env["TONOMY_TEST_EQUIVOCATE"] = "1"
    made.start()
    try:
        yield made
    finally:
        made.stop()


def test_honest_validators_agree_and_name_the_equivocator(cluster: Cluster) -> None:
    def height(url: str) -> int:
        return int(httpx.get(f"{url}/v1/health", timeout=3).json()["height"])

    wait_until(lambda: min(height(node.url) for node in cluster.nodes) >= 10, 60, what="height 10 everywhere")
    for h in range(1, 11):
        seen = {
            (doc["hash"], doc["state_root"])
            for doc in (httpx.get(f"{node.url}/v1/blocks/{h}", timeout=5).json()["header"] for node in cluster.nodes)
        }
        assert len(seen) == 1, f"divergence at height {h}"
    byzantine = read_key_file(cluster.validator_keys[3]).public_key.hex()
    honest = [read_key_file(path).public_key.hex() for path in cluster.validator_keys[:3]]
    for node in cluster.nodes[:3]:
        text = node.log_file.read_text(errors="replace")
        assert f"evidence duplicate_vote against validator {byzantine}" in text
        for key in honest:
            assert f"against validator {key}" not in text

    def committed(node_url: str) -> list[dict[str, object]]:
        with NodeClient(node_url) as client:
            return list(client.query("tonomy", "evidence", {}))

    wait_until(lambda: all(committed(node.url) for node in cluster.nodes[:3]), 60, what="evidence on chain everywhere")
    common = min(height(node.url) for node in cluster.nodes[:3])

    def settled(node_url: str) -> list[tuple[object, ...]]:
        return sorted(
            (r["validator"], r["height"], r["round"], r["kind"], r["committed_at"])
            for r in committed(node_url)
            if int(str(r["committed_at"])) <= common
        )

    reference = settled(cluster.nodes[0].url)
    assert reference and {entry[0] for entry in reference} == {byzantine}
    for node in cluster.nodes[1:3]:
        assert settled(node.url) == reference  # the same records at the same heights
