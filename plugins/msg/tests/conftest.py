from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tonomy.node.client import NodeClient  # noqa: E402
from tonomy.testing.network import make_network  # noqa: E402
from tonomy.testing.node_process import NodeProcess  # noqa: E402

import mailnet  # noqa: E402


@pytest.fixture(scope="module")
def mail_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, NodeClient, dict[str, Any]]]:
    net = make_network(tmp_path_factory.mktemp("mailnet"), accounts=mailnet.PEOPLE)
    node = NodeProcess(net.root / "node", net.genesis_file, net.validator_key_file, block_time_ms=50,
                       extra_env={"TONOMY_MSG_SENDER_BURST": "40", "TONOMY_MSG_MAILBOX_MAX_ITEMS": "30"})
    node.start()
    client = NodeClient(node.url)
    people = mailnet.people_for(net.keys)
    mailnet.publish_keys(client, people)
    try:
        yield node, client, people
    finally:
        client.close()
        node.stop()
