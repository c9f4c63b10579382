"""One funded devnet node (alice, bob, carol hold TONO) for the SDK tests, and the SDK client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tonomy.node.devnet import Devnet
from tonomy.sdk import Client
from tonomy.testing.devnet_node import start_devnet_node
from tonomy.testing.node_process import NodeProcess


@pytest.fixture(scope="session")
def devnet_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, NodeProcess]]:
    devnet, node = start_devnet_node(tmp_path_factory.mktemp("sdk-devnet"), block_time_ms=50)
    try:
        yield devnet, node
    finally:
        node.stop()


@pytest.fixture
def devnet(devnet_node: tuple[Devnet, NodeProcess]) -> Devnet:
    return devnet_node[0]


@pytest.fixture
def node_url(devnet_node: tuple[Devnet, NodeProcess]) -> str:
    return devnet_node[1].url


@pytest.fixture
def client(devnet: Devnet, node_url: str) -> Iterator[Client]:
    from tonomy.chain.genesis import Genesis

    with Client.connect(node_url, chain_id=Genesis.load(devnet.genesis_file).chain_id) as c:
        yield c
