"""Schemathesis fuzzes every operation of the node's own OpenAPI spec against a real node.

Whatever it sends, the node answers without a 5xx, with a documented status, content
type and response schema, refuses every request that breaks the schema, answers errors
with a problem document, and nothing a rejected request carried changes the chain: no transaction lands
in a block and the state root stays what it was (empty blocks do not change the state).
The devnet wallet is off on this node, so no endpoint can sign for anyone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tonomy.sdk import Client
from tonomy.testing.network import make_network
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.timeout(240)

#: Streams and long waits: fuzzed elsewhere (test_api_fuzz, test_event_stream) with bounded reads.
SKIPPED = ("/v1/events", "/v1/transactions/{tx_id}/wait")
EXAMPLES_PER_OPERATION = 25
#: Not "positive data acceptance": no schema can say what a validly *signed* transaction is.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def fuzzed_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, bytes, int]]:
    network = make_network(tmp_path_factory.mktemp("schemathesis"))
    node = network.node("fuzzed")
    node.start()
    try:
        with Client.connect(node.url) as client:
            head = client.block().header
            yield node, head.state_root, head.height
            assert client.health()["pending"] == 0, "a fuzzed request left a transaction waiting"
            after = client.block().header
            assert after.state_root == head.state_root, "a fuzzed request changed the state"
            for height in range(head.height + 1, after.height + 1):
                assert client.block(height).transaction_ids == [], f"block {height} committed a fuzzed transaction"
    finally:
        node.stop()


def test_every_operation_of_the_spec(fuzzed_node: tuple[NodeProcess, bytes, int]) -> None:
    """One Hypothesis run per operation (schemathesis' pytest plugin does not load on this pytest)."""
    schema = schemathesis.openapi.from_url(fuzzed_node[0].url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if op.path not in SKIPPED]
    assert len(fuzzed) >= 10, [op.label for op in operations]
    for operation, mode in itertools.product(fuzzed, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: Any) -> None:
            response = case.call(timeout=30)
            case.validate_response(response, checks=CHECKS)
            if response.status_code >= 400:
                content_type = response.headers.get("content-type", [""])[0]
                assert content_type.startswith("application/problem+json"), (operation.label, response.text)
                doc = response.json()
                assert isinstance(doc["code"], str) and doc["status"] == response.status_code, (operation.label, doc)

        try:
            fuzz()
        except Unsatisfiable:  # an operation without parameters has no invalid requests to make
            assert mode is GenerationMode.NEGATIVE, operation.label
