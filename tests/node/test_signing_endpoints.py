"""/v1/transactions/unsigned and /signed on a real node: the client signs with its own key; hostile input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.node.client import NodeClient
from tonomy.testing.network import Network
from tonomy.testing.node_process import NodeProcess


def _newaccount_action(name: str, key: bytes) -> dict[str, Any]:
    authority = {"threshold": 1, "keys": [{"key": {"$bytes": key.hex()}, "weight": 1}], "accounts": [], "waits": []}
    return {
        "plugin": "tonomy",
        "name": "newaccount",
        "authorization": ["alice@active"],
        "data": {"creator": "alice", "name": name, "type": "person", "owner": authority, "active": authority},
    }


def _unsigned(url: str, body: Any) -> httpx.Response:
    return httpx.post(url + "/v1/transactions/unsigned", json=body, timeout=10)


def _signed(url: str, body: Any) -> httpx.Response:
    return httpx.post(url + "/v1/transactions/signed", json=body, timeout=10)


def test_the_node_builds_the_body_and_the_client_signs(running_node: NodeProcess, network: Network) -> None:
    alice = network.keys["alice"]
    answer = _unsigned(running_node.url, {"actions": [_newaccount_action("signedbyclient", alice.public_key)], "nonce": 7})
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    body = bytes.fromhex(doc["body"])
    # The client can check what it signs: the id is the hash of the body it was given.
    assert _core.transaction_id(bytes.fromhex(doc["chain_id"]), body).hex() == doc["id"]
    decoded = _core.decode_transaction_body(body)
    assert decoded.nonce == 7 and decoded.expiration == doc["expiration"]
    signature = _core.ed25519_sign(alice.seed, bytes.fromhex(doc["id"]))
    submitted = _signed(running_node.url, {"body": doc["body"], "signatures": [
        {"public_key": alice.public_key.hex(), "signature": signature.hex()}]})  # fmt: skip
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["id"] == doc["id"]
    with NodeClient(running_node.url) as client:
        status = client.wait(bytes.fromhex(doc["id"]))
        assert status.receipt is not None and status.receipt.ok
        assert client.query("tonomy", "account", {"name": "signedbyclient"}) is not None


GOOD_ACTION = {
    "plugin": "pay",
    "name": "transfer",
    "authorization": ["alice@active"],
    "data": {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1, "memo": ""},
}

UNSIGNED_HOSTILE: list[tuple[Any, int, str]] = [
    ({}, 400, "api.bad_request"),
    ({"actions": []}, 400, "api.bad_request"),
    ({"actions": [GOOD_ACTION] * 17}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "authorization": []}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "authorization": ["nobody"]}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "authorization": ["a@b"] * 9}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "plugin": "PAY"}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "data": {"x": 1.5}}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "data": {"x": {"$bytes": "zz"}}}]}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "extra": 1}]}, 400, "api.bad_request"),
    ({"actions": [GOOD_ACTION], "expires_in_s": 0}, 400, "api.bad_request"),
    ({"actions": [GOOD_ACTION], "expires_in_s": 10**9}, 400, "api.bad_request"),
    ({"actions": [GOOD_ACTION], "nonce": -1}, 400, "api.bad_request"),
    ({"actions": [GOOD_ACTION], "nonce": 1 << 64}, 400, "api.bad_request"),
    ({"actions": [{**GOOD_ACTION, "data": {"memo": "x" * 140_000}}]}, 400, "api.bad_request"),
    ([GOOD_ACTION], 400, "api.bad_request"),
]


@pytest.mark.parametrize(("body", "status", "code"), UNSIGNED_HOSTILE)
def test_hostile_unsigned_requests(running_node: NodeProcess, body: Any, status: int, code: str) -> None:
    response = _unsigned(running_node.url, body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def _a_body(url: str) -> dict[str, Any]:
    doc = _unsigned(url, {"actions": [GOOD_ACTION]}).json()
    assert "body" in doc, doc
    return dict(doc)


def test_hostile_signed_requests(running_node: NodeProcess, network: Network) -> None:
    url = running_node.url
    doc = _a_body(url)
    alice = network.keys["alice"]
    good_sig = {"public_key": alice.public_key.hex(), "signature": _core.ed25519_sign(alice.seed, bytes.fromhex(doc["id"])).hex()}
    cases: list[tuple[Any, int, str]] = [
        ({"body": doc["body"], "signatures": []}, 400, "api.bad_request"),
        ({"body": doc["body"], "signatures": [good_sig] * 17}, 400, "api.bad_request"),
        ({"body": "zz", "signatures": [good_sig]}, 400, "api.bad_request"),
        ({"body": "", "signatures": [good_sig]}, 400, ""),
        ({"body": doc["body"][:-8], "signatures": [good_sig]}, 400, ""),
        ({"body": "00" * 64, "signatures": [good_sig]}, 400, ""),
        ({"body": "ab" * (200 * 1024), "signatures": [good_sig]}, 400, "api.bad_request"),
        ({"body": doc["body"], "signatures": [{**good_sig, "public_key": "00" * 31}]}, 400, "api.bad_request"),
        ({"body": doc["body"], "signatures": [{**good_sig, "signature": "00" * 65}]}, 400, "api.bad_request"),
        ({"body": doc["body"], "signatures": [{**good_sig, "signature": "00" * 64}]}, 422, "tx.bad_signature"),
        ({"body": doc["body"], "signatures": [{**good_sig, "public_key": network.keys["bob"].public_key.hex()}]}, 422, "tx.bad_signature"),
        ({"body": doc["body"], "signatures": [good_sig], "x": 1}, 400, "api.bad_request"),
    ]
    with NodeClient(url) as client:
        before = client.head().height
    for body, status, code in cases:
        response = _signed(url, body)
        assert response.status_code == status, (body if len(str(body)) < 300 else "big", response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if code:
            assert response.json()["code"] == code, response.text
    with NodeClient(url) as client:
        for height in range(before + 1, client.head().height + 1):
            assert doc["id"] not in [i.hex() for i in client.block(height).transaction_ids]



def test_a_fresh_node_is_ready_on_a_current_head(tmp_path: Any) -> None:
    """A producer makes its due block before it says it is ready: the genesis time (long
    past) is never the head a client builds on, so a body built at once does not expire in
    the node's first block (it used to pass admission and then expire without a word)."""
    import asyncio

    from tonomy.node.config import NodeConfig
    from tonomy.node.process import run_node
    from tonomy.node.schedule import wall_clock_ms
    from tonomy.testing.network import make_network

    network = make_network(tmp_path / "net")
    config = NodeConfig(tmp_path / "node", network.genesis_file, network.validator_key_file, api_port=0, block_time_ms=200)
    seen: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()

        def ready(url: str, head: Any) -> None:
            seen["head"], seen["clock"] = head, wall_clock_ms()
            stop.set()

        await asyncio.wait_for(run_node(config, on_ready=ready, stop=stop), 60)

    asyncio.run(main())
    head = seen["head"]
    assert head.height >= 1 and head.time > seen["clock"] - 10_000  # the head the first client sees is current
