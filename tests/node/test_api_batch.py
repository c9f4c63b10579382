"""``POST /v1/transactions/batch`` against a real node: each transaction is admitted or
refused on its own with the code one-by-one submission would give; a malformed request
is refused whole, with a stable code, and admits nothing."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.errors import BadSignatureError, DuplicateTransactionError, MalformedTransactionError, TransactionExpiredError
from tonomy.node.api_models import MAX_BATCH_TRANSACTIONS
from tonomy.node.batch_wire import BATCH_CONTENT_TYPE, encode_batch
from tonomy.node.client import NodeClient
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def http(running_node: NodeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running_node.url, timeout=30) as c:
        yield c


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def pending(http: httpx.Client) -> int:
    return int(http.get("/v1/health").json()["pending"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"transactions": []},
        {"transactions": "AAAA"},
        {"transactions": [5]},
        {"transactions": [None]},
        {"transactions": [["AAAA"]]},
        {"transactions": ["AAAA"], "encoding": "base32"},
        {"transactions": ["AAAA"], "extra": 1},
        {"transactions": ["AAAA"] * (MAX_BATCH_TRANSACTIONS + 1)},
        [],
        "AAAA",
        None,
    ],
)
def test_malformed_batches_are_refused_whole(http: httpx.Client, body: Any) -> None:
    before = pending(http)
    response = http.post("/v1/transactions/batch", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "api.bad_request"
    assert pending(http) == before


def test_not_json_and_oversize_bodies(http: httpx.Client) -> None:
    for raw in (b"{", b"\xff", b""):
        response = http.post("/v1/transactions/batch", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400 and response.json()["code"] == "api.bad_request"
    response = http.post("/v1/transactions/batch", content=b"[" + b" " * (2 << 20) + b"]")
    assert response.status_code == 413 and response.json()["code"] == "api.body_too_large"


def test_garbage_items_are_refused_one_by_one(http: httpx.Client) -> None:
    oversize = bytes(_core.WIRE_LIMITS.max_transaction_bytes + 1)
    items = ["not base64!", b64(b""), b64(b"garbage" * 10), b64(bytes(64)), b64(oversize), "YWJjZA"]
    before = pending(http)
    response = http.post("/v1/transactions/batch", json={"transactions": items})
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["admitted"] == 0 and len(doc["results"]) == len(items)
    codes = [result["problem"]["code"] for result in doc["results"]]
    assert codes == ["api.bad_request", "tx.malformed", "tx.malformed", "tx.malformed", "api.bad_request", "api.bad_request"]
    assert all(result["status"] == "refused" and result["id"] is None for result in doc["results"])
    assert pending(http) == before


def test_each_transaction_gets_its_own_answer_and_the_admitted_ones_commit(
    http: httpx.Client, client: NodeClient, make_tx: Callable[..., bytes]
) -> None:
    head = client.head()
    good = [make_tx(head) for _ in range(3)]
    tampered = bytearray(make_tx(head))
    tampered[-5] ^= 0x01  # inside the last signature
    expired = make_tx(head, expiration=head.time // 1000 - 10)
    batch = [good[0], bytes(tampered), good[1], good[0], expired, b"\x00", good[2]]

    results = client.submit_many(batch)

    ids = [_core.decode_signed_transaction(tx).id for tx in good]
    assert results[0] == ids[0] and results[2] == ids[1] and results[6] == ids[2]
    assert isinstance(results[1], BadSignatureError)
    assert isinstance(results[3], DuplicateTransactionError)  # the same transaction earlier in the batch
    assert isinstance(results[4], TransactionExpiredError)
    assert isinstance(results[5], MalformedTransactionError)
    for tx_id in ids:
        status = client.wait(tx_id, timeout=60)
        assert status.committed and status.receipt is not None and status.receipt.ok
    # Submitted again after commit: refused as duplicates, one by one as in a batch.
    again = client.submit_many(good)
    assert all(isinstance(result, DuplicateTransactionError) for result in again)


def test_a_batch_answers_what_one_by_one_submission_answers(
    running_node: NodeProcess, make_tx: Callable[..., bytes], network: Any
) -> None:
    from tonomy.chain.txbuilder import action, build_transaction

    with NodeClient(running_node.url) as client:
        head = client.head()
        unauthorized = make_tx(head, signer="bob")
        unknown = build_transaction(head.chain_id, head, [action("nosuch", "thing", {}, ["alice@active"])], [network.keys["alice"].seed])
        invalid = build_transaction(
            head.chain_id, head, [action("tonomy", "newaccount", {"creator": "alice"}, ["alice@active"])], [network.keys["alice"].seed]
        )
        refused = [unauthorized, unknown, invalid]
        batch_codes = [getattr(result, "code", None) for result in client.submit_many(refused)]
        single_codes = []
        for tx in refused:
            try:
                client.submit(tx)
                single_codes.append(None)
            except Exception as exc:  # the refusal's class carries its stable code
                single_codes.append(getattr(exc, "code", None))
    assert batch_codes == single_codes == ["tx.unauthorized", "tx.unknown_plugin", "tx.invalid_data"]


# -- the binary form (application/octet-stream, length-prefixed) ------------------------


def post_binary(http: httpx.Client, body: bytes, content_type: str = BATCH_CONTENT_TYPE) -> httpx.Response:
    return http.post("/v1/transactions/batch", content=body, headers={"content-type": content_type})


@pytest.mark.parametrize(
    "body",
    [
        b"",  # no entry
        b"\x00\x00",  # the length is cut
        encode_batch([b"abc"]) + b"\x00\x00\x01",  # the second length is cut
        struct.pack(">I", 10) + b"short",  # the length runs past the body
        struct.pack(">I", 0xFFFF_FFFF),
        encode_batch([b""] * (MAX_BATCH_TRANSACTIONS + 1)),  # too many entries, however small
    ],
)
def test_broken_binary_batches_are_refused_whole(http: httpx.Client, body: bytes) -> None:
    before = pending(http)
    response = post_binary(http, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "api.bad_request"
    assert pending(http) == before


def test_binary_items_are_refused_one_by_one_as_json_items_are(http: httpx.Client) -> None:
    oversize = bytes(_core.WIRE_LIMITS.max_transaction_bytes + 1)
    items = [b"", b"garbage" * 10, bytes(64), oversize]
    before = pending(http)
    response = post_binary(http, encode_batch(items))
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["admitted"] == 0 and doc["ids"] == ""
    assert [item["index"] for item in doc["refused"]] == [0, 1, 2, 3]
    binary_codes = [item["problem"]["code"] for item in doc["refused"]]
    assert binary_codes == ["tx.malformed", "tx.malformed", "tx.malformed", "api.bad_request"]
    as_json = http.post("/v1/transactions/batch", json={"transactions": [b64(item) for item in items]}).json()
    assert [result["problem"]["code"] for result in as_json["results"]] == binary_codes
    assert pending(http) == before


def test_binary_batch_admits_and_answers_compactly(http: httpx.Client, client: NodeClient, make_tx: Callable[..., bytes]) -> None:
    head = client.head()
    good = [make_tx(head) for _ in range(2)]
    response = post_binary(http, encode_batch([good[0], b"\x01", good[1]]))
    assert response.status_code == 200, response.text
    doc = response.json()
    ids = [_core.decode_signed_transaction(tx).id for tx in good]
    assert doc["admitted"] == 2 and doc["ids"] == (ids[0] + ids[1]).hex()
    assert [(item["index"], item["problem"]["code"]) for item in doc["refused"]] == [(1, "tx.malformed")]
    for tx_id in ids:
        assert client.wait(tx_id, timeout=60).committed


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_other_content_types_are_refused(http: httpx.Client, content_type: str) -> None:
    before = pending(http)
    response = post_binary(http, encode_batch([b"abc"]), content_type)
    assert response.status_code == 400 and response.json()["code"] == "api.bad_request", response.text
    assert pending(http) == before


def test_an_oversize_binary_body_is_refused_before_it_is_read(http: httpx.Client) -> None:
    response = post_binary(http, encode_batch([bytes(60_000)] * 20))
    assert response.status_code == 413 and response.json()["code"] == "api.body_too_large"
