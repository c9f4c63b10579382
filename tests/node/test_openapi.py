"""The API describes itself: every endpoint and its problem responses are in the OpenAPI spec."""

from __future__ import annotations

from tonomy.node.api import NodeServices, build_app
from tonomy.node.chain_worker import ChainWorker
from tonomy.node.commit_watch import CommitWatch

ENDPOINTS = {
    ("post", "/v1/transactions"),
    ("get", "/v1/transactions/{tx_id}"),
    ("get", "/v1/transactions/{tx_id}/wait"),
    ("get", "/v1/blocks/head"),
    ("get", "/v1/blocks/{height}"),
    ("get", "/v1/state/{plugin}/{key_hex}"),
    ("post", "/v1/query/{plugin}/{name}"),
    ("get", "/v1/health"),
}


def test_every_endpoint_is_in_the_spec_with_problem_responses() -> None:
    spec = build_app(NodeServices(ChainWorker(), CommitWatch(), producing=False)).openapi()
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert ENDPOINTS <= found
    for method, path in ENDPOINTS:
        responses = spec["paths"][path][method]["responses"]
        for status in ("400", "404", "422", "503"):
            assert "application/problem+json" in responses[status]["content"], (method, path, status)
    assert "Problem" in spec["components"]["schemas"]
