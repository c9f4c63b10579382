"""Messaging end to end against a live node: seal, post, fetch, read, receipts, deletion."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import TonomyError

from tonomy_msg.formats import parse_sealed
from tonomy_msg.seal import seal

import mailnet

BASE = "/v1/x/msg"


def test_a_message_reaches_its_recipient_and_the_sender_gets_a_signed_receipt(mail_node: Any, tmp_path: Path) -> None:
    node, client, people = mail_node
    alice = mailnet.mail_client(client, client, people["alice"], tmp_path / "alice.json")
    bob = mailnet.mail_client(client, client, people["bob"], tmp_path / "bob.json")
    text = b"hello bob " + os.urandom(4).hex().encode()
    message_id = alice.send("bob", text)
    box = bob.inbox()
    assert [m.body for m in box.messages] == [text] and box.rejected == []
    assert box.messages[0].header.sender == "alice" and box.messages[0].header.message_id == message_id
    assert bob.acknowledge(box.messages) == 1
    assert bob.inbox().messages == []  # delivered mail is deleted
    mail_dir = node.data_dir / "plugins" / "msg" / "mail" / "bob"
    assert not any(p.name.endswith(message_id.hex()) for p in mail_dir.iterdir())
    receipts = alice.receipts()
    assert [(r.message_id, r.recipient) for r in receipts] == [(message_id, "bob")]
    assert alice.receipts() == []  # collected receipts are removed from the node
    assert message_id.hex() in alice.delivered()


def test_the_node_stores_only_ciphertext_in_its_data_dir(mail_node: Any, tmp_path: Path) -> None:
    node, client, people = mail_node
    alice = mailnet.mail_client(client, client, people["alice"])
    canary = b"CANARY-mail-" + os.urandom(6).hex().encode()
    alice.send("carol", canary)
    files = [p for p in (node.data_dir / "plugins" / "msg").rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert canary not in data and canary.hex().encode() not in data and base64.b64encode(canary) not in data
    carol = mailnet.mail_client(client, client, people["carol"])
    box = carol.inbox()
    carol.acknowledge(box.messages)
    assert canary in [m.body for m in box.messages]


def post(client: Any, person: Any, sealed: bytes, signer_seed: bytes | None = None) -> Any:
    from tonomy_msg.signing import sign_post

    signer, signature = sign_post(signer_seed or person.key.seed, sealed)
    return client.request_json("POST", f"{BASE}/messages", {
        "message": base64.b64encode(sealed).decode(), "signer": signer.hex(), "signature": signature.hex()})


def sealed_for(people: dict[str, Any], sender: str, recipient: str, body: bytes = b"x", **kw: Any) -> bytes:
    import time

    now = kw.pop("created_ms", int(time.time() * 1000))
    return seal(sender=sender, sender_seed=people[sender].key.seed, recipient=recipient,
                recipient_key=people[recipient].x_public, body=body, created_ms=now, ttl_ms=kw.pop("ttl_ms", 60_000), **kw)


def code_of(call: Any) -> str:
    with pytest.raises(TonomyError) as info:
        call()
    return info.value.code


def test_limits_answer_with_stable_codes(mail_node: Any) -> None:
    _, client, people = mail_node
    import time

    now = int(time.time() * 1000)
    assert code_of(lambda: post(client, people["alice"], sealed_for(people, "alice", "bob", ttl_ms=30 * 86_400_000))) == "msg.malformed"
    old = sealed_for(people, "alice", "bob", created_ms=now - 120_000, ttl_ms=60_000)
    assert code_of(lambda: post(client, people["alice"], old)) == "msg.expired"
    future = sealed_for(people, "alice", "bob", created_ms=now + 3_600_000)
    assert code_of(lambda: post(client, people["alice"], future)) == "msg.malformed"
    big = sealed_for(people, "alice", "bob", body=os.urandom(100_000))
    assert code_of(lambda: post(client, people["alice"], big)) == "msg.too_large"
    # Signed by bob's key while claiming alice as sender: refused before any limit is spent.
    assert code_of(lambda: post(client, people["alice"], sealed_for(people, "alice", "bob"), people["bob"].key.seed)) == "msg.unauthorized"
    parsed = parse_sealed(sealed_for(people, "alice", "bob"))
    assert parsed.header.recipient == "bob"


def test_mailbox_quota_and_sender_rate(mail_node: Any) -> None:
    _, client, people = mail_node
    # carol's mailbox takes 30 items (TONOMY_MSG_MAILBOX_MAX_ITEMS); bob's burst is 40 posts.
    codes = []
    for _ in range(45):
        try:
            post(client, people["bob"], sealed_for(people, "bob", "carol"))
            codes.append("ok")
        except TonomyError as exc:
            codes.append(exc.code)
    assert codes.count("ok") <= 30 and "msg.quota_exceeded" in codes
    assert "msg.rate_limited" in codes  # bob spent his burst (quota refusals do not refund it)
    carol = mailnet.mail_client(client, client, people["carol"])
    box = carol.inbox()
    assert carol.acknowledge(box.messages) == len(box.messages)
