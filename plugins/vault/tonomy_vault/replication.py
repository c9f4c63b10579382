"""The vault's node service: a blob API, and replication of ciphertext blobs between nodes.

* ``PUT /v1/x/vault/blobs`` (raw bytes) stores an upload and answers its content hash;
  ``GET /v1/x/vault/blobs/{hash}`` serves it (re-hashed on every read). Uploads that no
  entry comes to reference are swept after a grace period, and the bytes of
  unreferenced uploads a node holds at once are capped.
* After each committed block the service reads the vault's events: ``stored`` (the
  chain accepted a reference, within the owner's ``quota_bytes``) makes every node that
  lacks the blob ask its peers for it; ``released`` (no reference left: a tombstone,
  a re-key) deletes it. So a blob lives on every honest node while the chain
  references it, and leaves every honest node when it stops.
* Peers answer ``get`` with ``blob``. A blob is accepted only if it was asked for and
  hashes to the hash asked for; a peer that sends one that does not is banned
  (content addressing makes a lie provable). Blobs over the p2p frame limit are not
  replicated (clients upload them to each node they use).
* Events only tell a node what happened while it was listening, and a wanted blob is
  given up after ``WANT_ATTEMPTS`` blocks. So at its first block and every
  ``REPAIR_EVERY`` blocks the service also walks every referenced hash on chain (query
  ``referenced_blobs``) and wants the ones it lacks: a node that was down, or whose
  peers lacked a blob for a while, converges anyway.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response

from tonomy.errors import TonomyError
from tonomy.net.errors import ProtocolViolationError
from tonomy.plugin import NodeContext, decode_record, encode_record

from tonomy_vault.blobs import BlobStore
from tonomy_vault.records import HASH_BYTES

#: Seconds an upload may wait for its transaction before the sweep drops it.
UPLOAD_GRACE_S = 600.0
#: Most bytes of uploads not (yet) referenced on chain that a node keeps at once.
MAX_PENDING_BYTES = 256 * 1024 * 1024
#: Blocks a wanted blob is asked for again before the node gives up (a later ``stored`` retries).
WANT_ATTEMPTS = 50
MAX_P2P_BLOB = 8 * 1024 * 1024
#: Blocks between two walks of every referenced blob (the first comes with the first block).
REPAIR_EVERY = 600
#: Most blobs wanted at once: a repair adds no more, the next one continues.
MAX_WANTED = 1024


class BlobService:
    def __init__(self) -> None:
        self.ctx: NodeContext | None = None
        self.store: BlobStore | None = None
        self.wanted: dict[bytes, int] = {}  # hash -> attempts left
        self.pending: dict[bytes, tuple[int, float]] = {}  # uploads not yet seen referenced: size, time
        self.penalised = 0
        self.replicated = 0
        self.repaired_at: int | None = None  # height of the last walk of referenced blobs

    async def start(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.store = BlobStore(ctx.data_dir / "blobs")

    async def close(self) -> None:
        return None

    # -- API --------------------------------------------------------------------------------

    def router(self) -> Any:
        from tonomy.errors import VaultMalformedError, VaultNotFoundError

        router = APIRouter(tags=["vault"])

        @router.put("/blobs", status_code=201)
        async def put_blob(request: Request) -> dict[str, Any]:
            """Store an encrypted blob; answers its content hash (BLAKE3)."""
            assert self.store is not None
            data = await request.body()
            if not data:
                raise VaultMalformedError("an empty blob")
            if sum(size for size, _ in self.pending.values()) + len(data) > MAX_PENDING_BYTES:
                raise VaultMalformedError("this node holds too many unreferenced uploads; commit or retry later")
            digest = self.store.put(data)
            self.pending.setdefault(digest, (len(data), time.time()))
            return {"content_hash": digest.hex(), "size": len(data)}

        @router.get(
            "/blobs/{content_hash}",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The blob's bytes"}},
        )
        async def get_blob(content_hash: str) -> Response:
            """An encrypted blob by its content hash."""
            assert self.store is not None
            try:
                digest = bytes.fromhex(content_hash)
            except ValueError:
                raise VaultMalformedError("a content hash is 64 hex digits") from None
            if len(digest) != HASH_BYTES:
                raise VaultMalformedError("a content hash is 64 hex digits")
            try:
                data = self.store.get(digest)
            except VaultNotFoundError:
                raise
            return Response(content=data, media_type="application/octet-stream")

        return router

    # -- chain --------------------------------------------------------------------------------

    async def on_block(self, height: int) -> None:
        assert self.ctx is not None and self.store is not None
        for event in await self.ctx.events(height, plugin="vault", names=("stored", "released")):
            digest = event["data"].get("content_hash")
            if event.get("name") == "stored":
                self.pending.pop(digest, None)
                if not self.store.has(digest):
                    self.wanted[digest] = WANT_ATTEMPTS
            elif event.get("name") == "released":
                self.wanted.pop(digest, None)
                self.pending.pop(digest, None)
                self.store.delete(digest)
        if self.repaired_at is None or height - self.repaired_at >= REPAIR_EVERY:
            self.repaired_at = height
            await self._repair()
        for digest in list(self.wanted):
            self.wanted[digest] -= 1
            if self.wanted[digest] < 0 or self.store.has(digest):
                del self.wanted[digest]
                continue
            self.ctx.peers.broadcast(encode_record({"t": "get", "h": digest}))
        if height % 20 == 0:
            await self._sweep()

    async def _repair(self) -> None:
        """Want every blob the chain references that this node lacks (up to MAX_WANTED)."""
        assert self.ctx is not None and self.store is not None
        params: dict[str, Any] = {}
        while len(self.wanted) < MAX_WANTED:
            page = await self.ctx.query("vault", "referenced_blobs", params)
            for digest in page:
                if digest not in self.wanted and not self.store.has(digest) and len(self.wanted) < MAX_WANTED:
                    self.wanted[digest] = WANT_ATTEMPTS
            if not page:
                break
            params = {"after": page[-1]}

    async def _sweep(self) -> None:
        assert self.ctx is not None and self.store is not None
        now = time.time()
        for digest, (_, when) in list(self.pending.items()):
            if now - when < UPLOAD_GRACE_S:
                continue
            del self.pending[digest]
            if not await self.ctx.query("vault", "referenced", {"content_hash": digest}):
                self.store.delete(digest)

    # -- peers --------------------------------------------------------------------------------

    async def on_peer_message(self, peer_key: bytes, payload: bytes) -> None:
        assert self.ctx is not None and self.store is not None
        try:
            record = decode_record(payload)
            kind, digest = record["t"], record["h"]
        except (TonomyError, KeyError, TypeError):
            raise ProtocolViolationError("a malformed vault replication message") from None
        if type(digest) is not bytes or len(digest) != HASH_BYTES:
            raise ProtocolViolationError("a vault replication message without a content hash")
        if kind == "get":
            data = self.store.fetch(digest)
            if data is not None and len(data) <= MAX_P2P_BLOB:
                self.ctx.peers.send(peer_key, encode_record({"t": "blob", "h": digest, "data": data}))
        elif kind == "blob":
            if digest not in self.wanted:
                return  # not asked for (or already here): ignored
            data = record.get("data")
            try:
                self.store.put(data, digest)
            except TonomyError:
                self.penalised += 1
                self.ctx.log.warning("peer %s sent a blob that does not hash to %s: banned", peer_key.hex()[:16],
                                     digest.hex()[:16])
                self.ctx.peers.punish(peer_key, "a blob whose content hash does not match")
                return
            del self.wanted[digest]
            self.replicated += 1
        else:
            raise ProtocolViolationError(f"unknown vault replication message {kind!r}")
