"""Hostile input to the mailbox endpoints: stable codes, and nothing stored or deleted."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tonomy_msg.signing import sign_request

import mailnet
from test_messaging import sealed_for

BASE = "/v1/x/msg"


def files(node: Any) -> list[Path]:
    return sorted(p for p in (node.data_dir / "plugins" / "msg").rglob("*") if p.is_file())


def answer(node: Any, path: str, body: Any) -> tuple[int, str]:
    kwargs = {"content": body} if isinstance(body, (bytes, str)) else {"json": body}
    response = httpx.post(f"{node.url}{BASE}{path}", headers={"content-type": "application/json"}, timeout=10, **kwargs)
    return response.status_code, response.json().get("code", "")


def good_post(people: dict[str, Any]) -> dict[str, str]:
    from tonomy_msg.signing import sign_post

    sealed = sealed_for(people, "alice", "bob")
    signer, signature = sign_post(people["alice"].key.seed, sealed)
    return {"message": base64.b64encode(sealed).decode(), "signer": signer.hex(), "signature": signature.hex()}


def test_hostile_posts(mail_node: Any) -> None:
    node, client, people = mail_node
    before = files(node)
    good = good_post(people)
    sealed = base64.b64decode(good["message"])
    cases: list[tuple[Any, int, str]] = [
        (b"not json", 400, "api.bad_request"),
        ([], 400, "api.bad_request"),
        ({}, 400, "api.bad_request"),
        ({**good, "message": 5}, 400, "api.bad_request"),
        ({**good, "message": "***"}, 400, "msg.malformed"),
        ({**good, "message": ""}, 400, "msg.malformed"),
        ({**good, "message": base64.b64encode(os.urandom(300)).decode()}, 400, "msg.malformed"),
        ({**good, "message": "A" * 400_000}, 413, "msg.too_large"),
        ({**good, "extra": 1}, 400, "api.bad_request"),
        ({**good, "signer": "zz" * 32}, 400, "msg.malformed"),
        ({**good, "signature": "00" * 64}, 422, "msg.unauthorized"),
        ({**good, "signer": people["bob"].key.public_key.hex()}, 422, "msg.unauthorized"),
    ]
    for cut in (10, 40, 80, 150):
        cases.append(({**good, "message": base64.b64encode(sealed[:cut]).decode()}, 400, "msg.malformed"))
    # Cut inside the ciphertext it still parses; the post signature (over the whole) fails.
    cases.append(({**good, "message": base64.b64encode(sealed[:-1]).decode()}, 422, "msg.unauthorized"))
    for body, status, code in cases:
        assert answer(node, "/messages", body) == (status, code), (body if not isinstance(body, dict) else list(body), status, code)
    unknown = sealed_for({**people, "nobody": people["bob"]}, "alice", "nobody")
    from tonomy_msg.signing import sign_post

    signer, signature = sign_post(people["alice"].key.seed, unknown)
    assert answer(node, "/messages", {"message": base64.b64encode(unknown).decode(), "signer": signer.hex(),
                                      "signature": signature.hex()}) == (404, "msg.unknown_account")
    assert files(node) == before


def test_hostile_requests(mail_node: Any) -> None:
    node, client, people = mail_node
    alice = mailnet.mail_client(client, client, people["alice"])
    alice.send("bob", b"stays until bob reads it")
    before = files(node)
    now = int(time.time() * 1000)
    seed = people["bob"].key.seed

    def req(action: str = "inbox", account: str = "bob", t: int = now, ids: tuple[bytes, ...] = (), s: bytes = seed) -> dict[str, Any]:
        return sign_request(s, action, account, t, os.urandom(16), ids)

    fine = req()
    cases: list[tuple[str, Any, int, str]] = [
        ("/inbox", {}, 400, "api.bad_request"),
        ("/inbox", {**fine, "nonce": "00"}, 400, "api.bad_request"),
        ("/inbox", {**fine, "account": "Bob!"}, 400, "msg.malformed"),
        ("/inbox", {**fine, "ids": ["00"]}, 400, "msg.malformed"),
        ("/inbox", {**fine, "signature": "11" * 64}, 422, "msg.unauthorized"),
        ("/inbox", req(t=now - 3_600_000), 422, "msg.unauthorized"),
        ("/inbox", req(s=people["alice"].key.seed), 422, "msg.unauthorized"),
        ("/inbox", req(account="alice"), 422, "msg.unauthorized"),  # signed for bob's account by bob, names alice: sig fails
        ("/inbox", req("ack"), 422, "msg.unauthorized"),  # an ack request cannot list the inbox
        ("/receipts", req("inbox"), 422, "msg.unauthorized"),
        ("/ack", {"request": req("ack", ids=(os.urandom(16),)), "receipts": ["%%%"]}, 400, "msg.malformed"),
        ("/ack", {"request": req("ack", ids=(os.urandom(16),)), "receipts": [base64.b64encode(b"TMR1junk").decode()]}, 400, "msg.malformed"),
        ("/ack", {"request": req("ack", ids=tuple(os.urandom(16) for _ in range(300)))}, 400, "api.bad_request"),
    ]
    for path, body, status, code in cases:
        assert answer(node, path, body) == (status, code), (path, status, code)
    # A captured request is good once; replayed, it is refused.
    assert answer(node, "/inbox", fine)[0] == 200
    assert answer(node, "/inbox", fine) == (422, "msg.unauthorized")
    assert files(node) == before
    bob = mailnet.mail_client(client, client, people["bob"])
    box = bob.inbox()
    bob.acknowledge(box.messages)
