"""A funded devnet node (with the devnet wallet) shared by the web UI's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tonomy.node.devnet import Devnet
from tonomy.testing.devnet_node import start_devnet_node
from tonomy.testing.node_process import NodeProcess


@pytest.fixture(scope="module")
def devnet_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, NodeProcess]]:
    devnet, node = start_devnet_node(tmp_path_factory.mktemp("web"), block_time_ms=100)
    try:
        yield devnet, node
    finally:
        node.stop()
