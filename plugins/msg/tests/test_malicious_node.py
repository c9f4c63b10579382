"""A malicious node: swapped, replayed, re-targeted, truncated or forged mail is caught by the client.

The hostile node is a live node behind a proxy that rewrites the inbox answers; the
client proves keys through an honest node (its directory), so only the mail is attacked.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from typing import Any

from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt, crypto_aead_xchacha20poly1305_ietf_encrypt

from tonomy_msg import seal as sealing
from tonomy_msg.formats import NONCE_BYTES, MessageHeader, parse_sealed

import mailnet

Rewrite = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


class HostileNode:
    """Forwards to a real node; ``rewrite`` changes what ``/inbox`` answers."""

    def __init__(self, honest: Any) -> None:
        self.honest = honest
        self.rewrite: Rewrite | None = None
        self.recorded: list[dict[str, Any]] = []

    def request_json(self, method: str, path: str, body: Any = None) -> Any:
        doc = self.honest.request_json(method, path, body)
        if path.endswith("/inbox"):
            self.recorded += doc["messages"]
            if self.rewrite is not None:
                doc = {"messages": self.rewrite(list(doc["messages"]))}
        return doc


def raw(entry: dict[str, Any]) -> bytes:
    return base64.b64decode(entry["message"])


def entry(sealed: bytes, listed: str | None = None) -> dict[str, Any]:
    return {"id": listed or parse_sealed(sealed).header.message_id.hex(), "message": base64.b64encode(sealed).decode()}


def clean(client: Any, people: dict[str, Any], name: str) -> None:
    reader = mailnet.mail_client(client, client, people[name])
    box = reader.inbox()
    reader.acknowledge(box.messages, discard=tuple(r.listed_id for r in box.rejected))


def test_every_tampering_is_detected(mail_node: Any) -> None:
    _, client, people = mail_node
    clean(client, people, "bob")
    hostile = HostileNode(client)
    alice = mailnet.mail_client(client, client, people["alice"])
    bob = mailnet.mail_client(hostile, client, people["bob"])
    first, second = alice.send("bob", b"first message"), alice.send("bob", b"second, longer message " * 3)

    def check(rewrite: Rewrite, expected: set[str]) -> None:
        hostile.rewrite = rewrite
        box = bob.inbox()
        assert box.messages == [], [m.body for m in box.messages]
        assert {r.code for r in box.rejected} == expected, box.rejected

    # swapped: each listed under the other's id
    check(lambda ms: [entry(raw(ms[1]), ms[0]["id"]), entry(raw(ms[0]), ms[1]["id"])], {"msg.tampered"})
    # one ciphertext moved under another message's header
    def swap_bodies(ms: list[dict[str, Any]]) -> list[dict[str, Any]]:
        a, b = parse_sealed(raw(ms[0])), parse_sealed(raw(ms[1]))
        return [entry(a.header_bytes + b.nonce + b.ciphertext), entry(b.header_bytes + a.nonce + a.ciphertext)]
    check(swap_bodies, {"msg.tampered"})
    # truncated, and one flipped bit in every region
    check(lambda ms: [entry(raw(m)[:-1]) for m in ms], {"msg.tampered"})
    check(lambda ms: [entry(raw(m)[:60], m["id"]) for m in ms], {"msg.malformed"})
    def flip(at: int) -> Rewrite:
        def go(ms: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for m in ms:
                data = bytearray(raw(m))
                data[at % len(data)] ^= 1
                out.append(entry(bytes(data), m["id"]))
            return out
        return go
    for at in (20, 40, -20):  # inside the id, the times, the ciphertext
        codes = {r.code for r in (lambda: (setattr(hostile, "rewrite", flip(at)), bob.inbox())[1])().rejected}
        assert codes <= {"msg.tampered", "msg.malformed"} and codes, (at, codes)
    # a message for someone else served to bob (re-targeted by the node)
    for_carol = alice.send("carol", b"for carol only")
    carol_copy = [e for e in HostileNode(client).request_json("POST", "/v1/x/msg/inbox",
                                                              mailnet.mail_client(client, client, people["carol"])._signed("inbox"))["messages"]
                  if e["id"] == for_carol.hex()]
    check(lambda ms: [entry(raw(carol_copy[0]))], {"msg.misaddressed"})
    # the node rewrites the recipient name in the header to bob (keeps carol's key)
    def rename(ms: list[dict[str, Any]]) -> list[dict[str, Any]]:
        s = parse_sealed(raw(carol_copy[0]))
        h = s.header
        forged = MessageHeader(h.sender, "bob", h.message_id, h.created_ms, h.expires_ms, people["bob"].x_public, h.ephemeral)
        return [entry(forged.to_bytes() + s.nonce + s.ciphertext)]
    check(rename, {"msg.tampered"})
    # nothing tampered: both arrive; then the node replays the first after it was read
    hostile.rewrite = None
    box = bob.inbox()
    assert sorted(m.header.message_id for m in box.messages) == sorted([first, second])
    bob.acknowledge(box.messages)
    replay = [e for e in hostile.recorded if e["id"] == first.hex()][0]
    check(lambda ms: [replay], {"msg.replayed"})


def test_a_recipient_cannot_retarget_a_signed_message(mail_node: Any) -> None:
    """Bob re-seals alice's signed body to carol: the signature covers bob's header, not carol's."""
    _, client, people = mail_node
    clean(client, people, "carol")
    alice = mailnet.mail_client(client, client, people["alice"])
    bob_person, carol = people["bob"], people["carol"]
    bob_box = mailnet.mail_client(client, client, bob_person)
    message_id = alice.send("bob", b"pay bob 5")
    sealed = [raw(e) for e in client.request_json("POST", "/v1/x/msg/inbox", bob_box._signed("inbox"))["messages"]
              if e["id"] == message_id.hex()][0]
    s = parse_sealed(sealed)
    key = sealing._key(sealing._dh(bob_person.x_secret, s.header.ephemeral), s.header.ephemeral, bob_person.x_public)
    inner = crypto_aead_xchacha20poly1305_ietf_decrypt(s.ciphertext, sealing.AD_PREFIX + s.header_bytes, s.nonce, key)
    eph_secret = os.urandom(32)
    from nacl.bindings import crypto_scalarmult_base

    eph = crypto_scalarmult_base(eph_secret)
    h = s.header
    header = MessageHeader("alice", "carol", h.message_id, h.created_ms, h.expires_ms, carol.x_public, eph).to_bytes()
    nonce = os.urandom(NONCE_BYTES)
    new_key = sealing._key(sealing._dh(eph_secret, carol.x_public), eph, carol.x_public)
    forged = header + nonce + crypto_aead_xchacha20poly1305_ietf_encrypt(inner, sealing.AD_PREFIX + header, nonce, new_key)
    hostile = HostileNode(client)
    hostile.rewrite = lambda ms: [entry(forged)]
    box = mailnet.mail_client(hostile, client, carol).inbox()
    assert box.messages == [] and [r.code for r in box.rejected] == ["msg.misaddressed"]
    bob_box.acknowledge([bob_box.open(sealed, message_id.hex())])


def test_a_message_signed_by_a_key_outside_the_senders_did_is_refused(mail_node: Any) -> None:
    _, client, people = mail_node
    clean(client, people, "bob")
    mallory_seed = os.urandom(32)
    forged = sealing.seal(sender="alice", sender_seed=mallory_seed, recipient="bob", recipient_key=people["bob"].x_public,
                          body=b"I am alice", created_ms=int(time.time() * 1000), ttl_ms=60_000)
    hostile = HostileNode(client)
    hostile.rewrite = lambda ms: [entry(forged)]
    box = mailnet.mail_client(hostile, client, people["bob"]).inbox()
    assert [r.code for r in box.rejected] == ["msg.bad_sender"] and box.messages == []
