"""A validator that double-votes (test-only flag TONOMY_TEST_EQUIVOCATE: every vote also
goes out signed for another value, bypassing its safety rules): the honest three never
diverge and report evidence naming it, and only it.

Evidence is reported by the engine and logged by the driver; committing it on chain is
not implemented yet (docs/node.md, "Not yet")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

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
