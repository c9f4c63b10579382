"""The vault's blob service between nodes: a blob the chain references is asked for and
accepted only if it hashes right; a lying peer is banned; released blobs are deleted.

The node context is built here (peers that record what is sent, events given per
height); the blob store and the hashing are the real ones.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from tonomy.net.errors import ProtocolViolationError
from tonomy.plugin import NodeContext, decode_record, encode_record

from tonomy_vault.blobs import BlobStore, blob_hash
from tonomy_vault.replication import BlobService


class Peers:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, dict[str, Any]]] = []
        self.punished: list[bytes] = []

    def keys(self) -> list[bytes]:
        return [b"a" * 32, b"b" * 32]

    def send(self, peer_key: bytes, payload: bytes) -> bool:
        self.sent.append((peer_key, decode_record(payload)))
        return True

    def broadcast(self, payload: bytes, exclude: bytes | None = None) -> int:
        self.sent.append((None, decode_record(payload)))
        return 2

    def punish(self, peer_key: bytes, reason: str) -> None:
        self.punished.append(peer_key)


def service(
    tmp_path: Path, events: dict[int, list[dict[str, Any]]], referenced: list[bytes] | None = None
) -> tuple[BlobService, Peers]:
    """A blob service whose chain holds ``events`` per height and references ``referenced``
    (answered a page of 2 at a time, as the query pages)."""
    peers = Peers()
    on_chain = sorted(referenced or [])

    async def get_events(height: int, plugin: str | None = None, names: Any = None) -> list[dict[str, Any]]:
        return [e for e in events.get(height, []) if plugin in (None, e["plugin"]) and (names is None or e["name"] in names)]

    async def query(plugin: str, name: str, params: dict[str, Any]) -> Any:
        if name == "referenced_blobs":
            return [h for h in on_chain if "after" not in params or h > params["after"]][:2]
        return params.get("content_hash") in on_chain

    async def no_state(*args: Any) -> Any:
        return None

    ctx = NodeContext("vault", tmp_path, query, no_state, get_events, peers, logging.getLogger("test.vault"))
    svc = BlobService()
    asyncio.run(svc.start(ctx))
    return svc, peers


def stored(digest: bytes) -> dict[str, Any]:
    return {"plugin": "vault", "name": "stored", "data": {"content_hash": digest, "size": 1}}


def test_a_referenced_blob_is_fetched_and_checked(tmp_path: Path) -> None:
    blob = os.urandom(200)
    digest = blob_hash(blob)
    svc, peers = service(tmp_path, {1: [stored(digest)], 2: [{"plugin": "vault", "name": "released", "data": {"content_hash": digest}}]})
    asyncio.run(svc.on_block(1))
    assert (None, {"t": "get", "h": digest}) in peers.sent
    # A peer answers with other bytes under that hash: banned, nothing stored.
    asyncio.run(svc.on_peer_message(b"a" * 32, encode_record({"t": "blob", "h": digest, "data": blob[:-1] + b"!"})))
    assert peers.punished == [b"a" * 32] and svc.store is not None and not svc.store.has(digest)
    # An honest peer's answer is stored; a later copy is ignored (not asked for any more).
    asyncio.run(svc.on_peer_message(b"b" * 32, encode_record({"t": "blob", "h": digest, "data": blob})))
    assert svc.store.get(digest) == blob and svc.replicated == 1
    asyncio.run(svc.on_peer_message(b"a" * 32, encode_record({"t": "blob", "h": digest, "data": b"junk"})))
    assert peers.punished == [b"a" * 32]
    # This node now serves it to peers that ask.
    asyncio.run(svc.on_peer_message(b"b" * 32, encode_record({"t": "get", "h": digest})))
    assert (b"b" * 32, {"t": "blob", "h": digest, "data": blob}) in peers.sent
    # The chain released it: gone from the store.
    asyncio.run(svc.on_block(2))
    assert not svc.store.has(digest)


def test_unasked_blobs_are_ignored(tmp_path: Path) -> None:
    svc, peers = service(tmp_path, {})
    blob = os.urandom(50)
    asyncio.run(svc.on_peer_message(b"a" * 32, encode_record({"t": "blob", "h": blob_hash(blob), "data": blob})))
    assert svc.store is not None and list(svc.store.hashes()) == [] and peers.punished == []


@pytest.mark.parametrize(
    "payload",
    [b"", b"garbage", encode_record({"t": "get"}), encode_record({"t": "get", "h": b"short"}),
     encode_record({"t": "what", "h": bytes(32)}), encode_record([1, 2])],
)
def test_malformed_replication_messages_are_violations(tmp_path: Path, payload: bytes) -> None:
    svc, _ = service(tmp_path, {})
    with pytest.raises(ProtocolViolationError):
        asyncio.run(svc.on_peer_message(b"a" * 32, payload))
    assert svc.store is not None and list(svc.store.hashes()) == []


def test_a_blob_already_held_is_not_asked_for(tmp_path: Path) -> None:
    blob = os.urandom(10)
    svc, peers = service(tmp_path, {1: [stored(blob_hash(blob))]})
    assert svc.store is not None
    svc.store.put(blob)
    asyncio.run(svc.on_block(1))
    assert peers.sent == [] and BlobStore(tmp_path / "blobs").get(blob_hash(blob)) == blob


def test_blobs_missed_while_away_are_repaired_from_the_chain(tmp_path: Path) -> None:
    """No event announces them (the node was down), yet every referenced blob it lacks is
    wanted at its first block, page after page; one it holds is not; and a blob given up
    after WANT_ATTEMPTS blocks is wanted again at the next repair walk."""
    from tonomy_vault import replication

    blobs = [os.urandom(30 + i) for i in range(5)]
    hashes = [blob_hash(b) for b in blobs]
    svc, peers = service(tmp_path, {}, referenced=hashes)
    assert svc.store is not None
    svc.store.put(blobs[0])
    asyncio.run(svc.on_block(10))
    asked = {record["h"] for _, record in peers.sent if record["t"] == "get"}
    assert asked == set(hashes[1:])
    asyncio.run(svc.on_peer_message(b"a" * 32, encode_record({"t": "blob", "h": hashes[1], "data": blobs[1]})))
    assert svc.store.has(hashes[1])
    # Nobody has the other three: the service gives up after WANT_ATTEMPTS blocks ...
    for height in range(11, 12 + replication.WANT_ATTEMPTS):
        asyncio.run(svc.on_block(height))
    assert svc.wanted == {}
    # ... and wants them again at the next walk.
    peers.sent.clear()
    asyncio.run(svc.on_block(10 + replication.REPAIR_EVERY))
    assert {record["h"] for _, record in peers.sent if record["t"] == "get"} == set(hashes[2:])
