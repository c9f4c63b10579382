"""The SDK on a 4-validator network: every header it uses carries precommits of at least
3 of the 4 genesis validators, and a commit cut to 2 of 4 is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.chain.genesis import Genesis
from tonomy.sdk import Client, UntrustedAnswerError
from tonomy.testing.cluster import Cluster, make_cluster

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    network = make_cluster(tmp_path_factory.mktemp("sdk-cluster"), validators=4)
    try:
        network.start(timeout=120)
        yield network
    finally:
        network.stop()


class CutsCommits(httpx.BaseTransport):
    """A lying node: forwards to a real one and drops all but two votes of every commit."""

    def __init__(self) -> None:
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._real.handle_request(request)
        if not request.url.path.endswith("/commit") or response.status_code != 200:
            return response
        response.read()
        doc: dict[str, Any] = response.json()
        votes = _core.decode_commit(bytes.fromhex(doc["commit"])).votes[:2]
        return httpx.Response(200, json={**doc, "commit": _core.encode_commit(_core.Commit(list(votes))).hex()})


def test_transfer_is_final_and_proven_by_a_supermajority(cluster: Cluster) -> None:
    chain_id = Genesis.load(cluster.genesis_file).chain_id
    with Client.connect(cluster.nodes[1].url, chain_id=chain_id) as client:
        assert len(client.validators) == 4
        receipt = client.transact(
            [("tonomy", "newaccount", _new_account("sdkuser", cluster), ["alice@active"])],
            [cluster.keys["alice"].seed],
            timeout=90,
        )
        found = client.state("tonomy", b"acct/sdkuser")
        assert found.value is not None and found.header.height >= receipt.height
        assert len(client.commit(found.header.height).votes) >= 3
        # Another node, the same proven answer at that height.
        with Client.connect(cluster.nodes[3].url, chain_id=chain_id) as other:
            assert other.state("tonomy", b"acct/sdkuser", height=found.header.height).value == found.value
    with Client(cluster.nodes[0].url, chain_id=chain_id, transport=CutsCommits()) as liar:
        with pytest.raises(UntrustedAnswerError, match="2 of 4"):
            liar.state("tonomy", b"acct/alice")


def _new_account(name: str, cluster: Cluster) -> dict[str, Any]:
    key = cluster.keys["bob"].public_key
    authority = {"threshold": 1, "keys": [{"key": key, "weight": 1}], "accounts": [], "waits": []}
    return {"creator": "alice", "name": name, "type": "person", "owner": authority, "active": authority}
