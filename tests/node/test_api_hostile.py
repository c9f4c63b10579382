"""Hostile input against a real node over real sockets: every bad request gets a clear 4xx
problem document with a stable code, never a 500, and the chain does not change."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tonomy import _core
from tonomy.node.client import NodeClient
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def http(running_node: NodeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running_node.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module", autouse=True)
def chain_unchanged(running_node: NodeProcess) -> Iterator[None]:
    """Around all hostile requests: no block produced meanwhile carries a transaction."""
    with NodeClient(running_node.url) as c:
        before = c.head().height
        yield
        after = c.head().height
        assert after > before  # the node kept producing blocks through the abuse
        for height in range(before + 1, after + 1):
            assert c.block(height).transaction_ids == [], f"block {height} has transactions"


def expect_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = response.json()
    assert doc["code"] == code and doc["status"] == status and doc["detail"], doc
    assert doc["type"] == f"urn:tonomy:error:{code}"
    return doc


def submit(http: httpx.Client, body: Any) -> httpx.Response:
    return http.post("/v1/transactions", json=body)


# -- POST /v1/transactions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"transaction": "not base64!"},
        {"transaction": "YWJjZA"},  # unpadded
        {"transaction": "zz", "encoding": "hex"},
        {"transaction": "abc", "encoding": "hex"},
        {"transaction": "AAAA", "encoding": "base32"},
        {"transaction": 5},
        {"transaction": ["AAAA"]},
        {"transaction": None},
        {},
        {"transaction": "AAAA", "extra": 1},
        [],
        "AAAA",
        12,
    ],
)
def test_submit_malformed_bodies(http: httpx.Client, body: Any) -> None:
    expect_problem(submit(http, body), 400, "api.bad_request")


def test_submit_not_json(http: httpx.Client) -> None:
    for raw in (b"{", b"\xff\xfe", b"", b"null"):
        response = http.post("/v1/transactions", content=raw, headers={"content-type": "application/json"})
        expect_problem(response, 400, "api.bad_request")


@pytest.mark.parametrize("raw", [b"", b"\x00", b"garbage" * 10, bytes(64)])
def test_submit_garbage_transactions(http: httpx.Client, raw: bytes) -> None:
    for body in ({"transaction": base64.b64encode(raw).decode()}, {"transaction": raw.hex(), "encoding": "hex"}):
        expect_problem(submit(http, body), 400, "tx.malformed")


def test_submit_oversize_transaction_inside_a_small_enough_body(http: httpx.Client) -> None:
    raw = bytes(_core.WIRE_LIMITS.max_transaction_bytes + 1)
    expect_problem(submit(http, {"transaction": base64.b64encode(raw).decode()}), 400, "api.bad_request")


def test_oversize_bodies_are_refused_declared_or_streamed(http: httpx.Client) -> None:
    big = b"{" + b" " * (2 << 20) + b"}"
    expect_problem(http.post("/v1/transactions", content=big), 413, "api.body_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count streamed bytes
        for _ in range(64):
            yield b" " * 65536

    expect_problem(http.post("/v1/transactions", content=chunks()), 413, "api.body_too_large")


def test_bad_content_length_over_a_raw_socket(running_node: NodeProcess) -> None:
    url = urlsplit(running_node.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n{}")
        reply = sock.recv(65536)
    status = int(reply.split(b" ", 2)[1])
    assert 400 <= status < 500, reply


def test_submit_refused_transactions(
    http: httpx.Client, client: NodeClient, network: Any, make_tx: Callable[..., bytes]
) -> None:
    from tonomy.chain.txbuilder import action, build_transaction

    head = client.head()
    act = action("tonomy", "newaccount", {"creator": "alice"}, ["alice@active"])  # data misses fields
    raw = build_transaction(head.chain_id, head, [act], [network.keys["alice"].seed])
    expect_problem(submit(http, {"transaction": raw.hex(), "encoding": "hex"}), 422, "tx.invalid_data")

    wrong_chain = build_transaction(b"\x01" * 32, head, [action("tonomy", "newaccount", {}, ["alice@active"])], [network.keys["alice"].seed])
    expect_problem(submit(http, {"transaction": wrong_chain.hex(), "encoding": "hex"}), 422, "tx.wrong_chain")

    expired = make_tx(head, expiration=head.time // 1000 - 10)
    expect_problem(submit(http, {"transaction": expired.hex(), "encoding": "hex"}), 422, "tx.expired")

    good = make_tx(head)
    tampered = bytearray(good)
    tampered[-5] ^= 0x01  # inside the last signature
    expect_problem(submit(http, {"transaction": bytes(tampered).hex(), "encoding": "hex"}), 422, "tx.bad_signature")

    unknown = build_transaction(head.chain_id, head, [action("nosuch", "thing", {}, ["alice@active"])], [network.keys["alice"].seed])
    expect_problem(submit(http, {"transaction": unknown.hex(), "encoding": "hex"}), 422, "tx.unknown_plugin")

    unauthorized = make_tx(head, signer="bob")  # a valid signature, but not alice's
    expect_problem(submit(http, {"transaction": unauthorized.hex(), "encoding": "hex"}), 422, "tx.unauthorized")


# -- GET /v1/transactions/{id} and /wait ------------------------------------------------------


@pytest.mark.parametrize("tx_id", ["zz" * 32, "00" * 31, "00" * 33, "0", "0x" + "00" * 31, "%00"])
def test_transaction_bad_ids(http: httpx.Client, tx_id: str) -> None:
    expect_problem(http.get(f"/v1/transactions/{tx_id}"), 400, "api.bad_request")
    expect_problem(http.get(f"/v1/transactions/{tx_id}/wait", params={"timeout": 0}), 400, "api.bad_request")


def test_transaction_unknown_id(http: httpx.Client) -> None:
    expect_problem(http.get(f"/v1/transactions/{'ab' * 32}"), 404, "api.unknown_transaction")
    expect_problem(http.get(f"/v1/transactions/{'ab' * 32}/wait", params={"timeout": 0.1}), 404, "api.unknown_transaction")


@pytest.mark.parametrize("timeout", ["-1", "61", "abc", "nan", "inf", "1e400", ""])
def test_wait_bad_timeouts(http: httpx.Client, timeout: str) -> None:
    expect_problem(http.get(f"/v1/transactions/{'ab' * 32}/wait", params={"timeout": timeout}), 400, "api.bad_request")


# -- GET /v1/blocks ------------------------------------------------------------------------


@pytest.mark.parametrize("height", ["-1", "abc", "1.5", str(2**64), "0x10", " 1"])
def test_blocks_bad_heights(http: httpx.Client, height: str) -> None:
    expect_problem(http.get(f"/v1/blocks/{height}"), 400, "api.bad_request")


def test_blocks_beyond_the_head(http: httpx.Client, client: NodeClient) -> None:
    far = client.head().height + 1_000_000
    expect_problem(http.get(f"/v1/blocks/{far}"), 404, "api.unknown_block")
    expect_problem(http.get(f"/v1/blocks/{2**63 - 1}"), 404, "api.unknown_block")


# -- GET /v1/state ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plugin", "key"),
    [("Pay", "00"), ("pay!", "00"), ("_x", "00"), ("a" * 65, "00"), ("pay", "zz"), ("pay", "0"), ("pay", "00" * 257)],
)
def test_state_bad_input(http: httpx.Client, plugin: str, key: str) -> None:
    expect_problem(http.get(f"/v1/state/{plugin}/{key}"), 400, "api.bad_request")


@pytest.mark.parametrize("height", ["-1", "x", "1.0", str(2**64), ""])
def test_state_bad_heights(http: httpx.Client, height: str) -> None:
    expect_problem(http.get("/v1/state/tonomy/00", params={"height": height}), 400, "api.bad_request")


def test_state_beyond_the_head(http: httpx.Client, client: NodeClient) -> None:
    far = client.head().height + 1_000_000
    expect_problem(http.get("/v1/state/tonomy/00", params={"height": str(far)}), 404, "api.unknown_block")


def test_state_route_without_a_key(http: httpx.Client) -> None:
    expect_problem(http.get("/v1/state/pay/"), 404, "api.not_found")


# -- POST /v1/query --------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[]", b"1", b'"x"', b"{", b'{"a": 1.5}', b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": {"$bytes": "zz"}}'])
def test_query_bad_bodies(http: httpx.Client, body: bytes) -> None:
    response = http.post("/v1/query/tonomy/anything", content=body, headers={"content-type": "application/json"})
    expect_problem(response, 400, "api.bad_request")


def test_query_unknown(http: httpx.Client) -> None:
    expect_problem(http.post("/v1/query/tonomy/nosuchquery", json={}), 404, "query.unknown")
    expect_problem(http.post("/v1/query/nosuchplugin/q", json={}), 404, "query.unknown")
    expect_problem(http.post("/v1/query/Bad!/q", json={}), 400, "api.bad_request")


# -- routes and methods ------------------------------------------------------------------------


def test_unknown_routes_and_methods(http: httpx.Client) -> None:
    expect_problem(http.get("/v1/nothing"), 404, "api.not_found")
    expect_problem(http.get("/nothing"), 404, "api.not_found")  # "/" is the web UI (docs/web.md)
    expect_problem(http.post("/"), 405, "api.method_not_allowed")
    expect_problem(http.get("/app/nothing/"), 404, "api.not_found")
    expect_problem(http.delete("/v1/blocks/1"), 405, "api.method_not_allowed")
    expect_problem(http.get("/v1/transactions"), 405, "api.method_not_allowed")


def test_health_still_answers(http: httpx.Client) -> None:
    doc = http.get("/v1/health").json()
    assert doc["status"] == "ok" and doc["producing"] is True and json.dumps(doc)


# -- consensus records: the validator schedule and evidence ------------------------------------


def test_consensus_queries_answer_and_refuse_hostile_parameters(http: httpx.Client) -> None:
    schedule = http.post("/v1/query/tonomy/validators", json={}).json()["result"]["schedule"]
    assert schedule[0]["effective"] == 1 and len(schedule[0]["validators"]) == 1
    assert http.post("/v1/query/tonomy/evidence", json={}).json()["result"] == []
    for name, params in (
        ("validators", {"height": 1}),
        ("evidence", {"validator": "zz"}),
        ("evidence", {"validator": "00" * 31}),
        ("evidence", {"validator": 7}),
        ("evidence", {"other": 1}),
    ):
        expect_problem(http.post(f"/v1/query/tonomy/{name}", json=params), 400, "core.invalid_input")


def test_forged_evidence_is_refused_at_admission(http: httpx.Client, running_node: NodeProcess) -> None:
    from tonomy.chain.evidence import evidence_transaction

    with NodeClient(running_node.url) as client:
        head = client.head()
    key_seed = b"\x05" * 32
    key = _core.ed25519_public_key(key_seed)
    votes = []
    for block_hash in (b"\x01" * 32, None):
        digest = _core.vote_digest("prevote", head.chain_id, 1, 0, block_hash, key)
        votes.append(_core.Vote("prevote", head.chain_id, 1, 0, block_hash, key, _core.ed25519_sign(key_seed, digest)))
    forged = _core.Vote("prevote", head.chain_id, 1, 0, None, key, bytes(64))
    raw = evidence_transaction(head, _core.encode_vote(votes[0]), _core.encode_vote(forged), key_seed)
    expect_problem(submit(http, {"transaction": base64.b64encode(raw).decode()}), 422, "tx.invalid_data")
