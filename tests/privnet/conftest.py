"""The module-scoped private-data network (see privnet_helpers)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tonomy.testing.cluster import make_cluster  # noqa: E402

from privnet_helpers import Member, PrivNet, register_app  # noqa: E402


@pytest.fixture(scope="module")
def privnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivNet]:
    cluster = make_cluster(tmp_path_factory.mktemp("privnet"), 3, ("alice", "bob", "carol"), block_time_ms=200)
    cluster.start()
    clients = cluster.clients()
    people = {name: Member(name, key.seed, os.urandom(32), os.urandom(32)) for name, key in cluster.keys.items()}
    try:
        for person in people.values():
            receipt = clients[0].push_action(
                "identity", "set_key_agreement", {"account": person.name, "id": "x25519-1", "key": person.x_public},
                [f"{person.name}@active"], seeds=[person.seed], timeout=60)
            assert receipt.ok, receipt.error_message
        app_seed, request_seed = os.urandom(32), os.urandom(32)
        register_app(clients[0], people["alice"], app_seed, request_seed)
        yield PrivNet(cluster, clients, people, app_seed, request_seed)
    finally:
        for client in clients:
            client.close()
        cluster.stop()

