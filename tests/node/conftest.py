"""Fixtures for node tests: a genesis with demo accounts and real node processes on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tonomy.node.client import NodeClient
from tonomy.testing.network import Network, fresh_account_name, make_network, newaccount_tx
from tonomy.testing.node_process import NodeProcess


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    return make_network(tmp_path_factory.mktemp("network"))


@pytest.fixture(scope="module")
def running_node(network: Network) -> Iterator[NodeProcess]:
    node = network.node("shared")
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def client(running_node: NodeProcess) -> Iterator[NodeClient]:
    with NodeClient(running_node.url) as c:
        yield c


@pytest.fixture
def make_tx(network: Network) -> Callable[..., bytes]:
    """``make_tx(head, name=None, **options)``: alice creates a fresh account (see newaccount_tx)."""

    def make(head: Any, name: str | None = None, **kwargs: Any) -> bytes:
        return newaccount_tx(network, head, name or fresh_account_name(), **kwargs)

    return make
