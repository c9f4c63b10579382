"""The API describes itself: every endpoint and its problem responses are in the OpenAPI spec."""

from __future__ import annotations

from pathlib import Path

from tonomy.node.api import NodeServices, build_app
from tonomy.node.chain_worker import ChainWorker
from tonomy.node.commit_watch import CommitWatch
from tonomy.node.devnet_wallet import DevnetWallet

ENDPOINTS = {
    ("post", "/v1/transactions"),
    ("post", "/v1/transactions/batch"),
    ("get", "/v1/transactions/{tx_id}"),
    ("get", "/v1/transactions/{tx_id}/wait"),
    ("get", "/v1/blocks/head"),
    ("get", "/v1/blocks/transaction-ids"),
    ("get", "/v1/blocks/{height}"),
    ("get", "/v1/state/{plugin}/{key_hex}"),
    ("post", "/v1/query/{plugin}/{name}"),
    ("get", "/v1/health"),
    ("get", "/v1/events"),
    ("get", "/metrics"),
    ("get", "/v1/web/pages"),
    ("post", "/v1/transactions/unsigned"),
    ("post", "/v1/transactions/signed"),
    ("post", "/v1/codec/encode"),
    ("get", "/v1/genesis"),
    ("get", "/v1/blocks/{height}/commit"),
}
WALLET_ENDPOINTS = {("get", "/v1/devnet/wallet"), ("post", "/v1/devnet/wallet/actions")}
PROBLEM_STATUSES = ("400", "404", "405", "413", "422", "429", "500", "503")


def _spec(**services: object) -> dict:  # type: ignore[type-arg]
    return build_app(NodeServices(ChainWorker(), CommitWatch(), producing=False, **services)).openapi()  # type: ignore[arg-type]


def test_every_endpoint_is_in_the_spec_with_problem_responses() -> None:
    spec = _spec()
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert found == ENDPOINTS, "an endpoint is missing from the spec, or the spec shows one the tests do not know"
    for method, path in ENDPOINTS:
        responses = spec["paths"][path][method]["responses"]
        for status in PROBLEM_STATUSES:
            assert "application/problem+json" in responses[status]["content"], (method, path, status)
            assert responses[status]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "Problem" in spec["components"]["schemas"]


def test_success_responses_are_typed() -> None:
    spec = _spec()
    paths = spec["paths"]
    for method, path in ENDPOINTS - {("get", "/v1/events"), ("get", "/metrics")}:
        ok = next(status for status in paths[path][method]["responses"] if status.startswith("2"))
        schema = paths[path][method]["responses"][ok]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (method, path, schema)
    events = paths["/v1/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert {p["name"] for p in events["parameters"]} == {"cursor", "from_height", "heartbeat", "last-event-id"}
    assert any(content.startswith("text/plain") for content in paths["/metrics"]["get"]["responses"]["200"]["content"])


def test_the_devnet_wallet_appears_only_when_enabled(tmp_path: Path) -> None:
    spec = _spec(wallet=DevnetWallet(tmp_path))
    found = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert found == ENDPOINTS | WALLET_ENDPOINTS
    for method, path in WALLET_ENDPOINTS:
        assert "DEVNET ONLY" in spec["paths"][path][method]["description"]


def test_the_batch_endpoint_takes_json_or_length_prefixed_binary() -> None:
    operation = _spec()["paths"]["/v1/transactions/batch"]["post"]
    body = operation["requestBody"]["content"]
    assert body["application/json"]["schema"]["properties"]["transactions"]["maxItems"] == 500
    assert body["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BatchAnswer"}
