"""The node-side blob store: ciphertext blobs, addressed by their BLAKE3 content hash.

A node keeps the envelopes the vault client uploads, off chain, in a directory::

    <root>/<first 2 hex of hash>/<64 hex of hash>      one file per blob, 0600

* ``put`` computes the hash itself (the caller may say which hash it expects: a
  mismatch is ``vault.hash_mismatch`` and nothing is written); writes are atomic
  (temporary file, fsync, rename, fsync of the folder).
* ``get`` re-hashes what it reads: a blob damaged on disk is ``vault.hash_mismatch``,
  never served.
* ``delete`` unlinks the file (right to be forgotten: the bytes leave the store;
  a directory, not an LMDB file, is used so that no free page keeps them).
* ``apply_events`` follows the chain: ``released`` events of the vault plugin delete;
  ``sweep`` drops uploads no entry came to reference (the ``referenced`` query says).

Replication (wired by the node/network layer) only needs :class:`BlobPeer`
(``fetch``/``has``) and :meth:`BlobStore.missing` / :meth:`BlobStore.put`: a node
asks peers for hashes the chain references but it lacks, and ``put`` verifies
whatever a peer sends. Blobs are ciphertext, so peers need not be trusted.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import blake3

from tonomy.errors import VaultHashMismatchError, VaultMalformedError, VaultNotFoundError

from tonomy_vault.records import HASH_BYTES, MAX_BLOB_SIZE

BLOB_HASH_TAG = b"tonomy/vault/blob/v1"


def blob_hash(data: bytes) -> bytes:
    """BLAKE3 over ``tag ‖ 0x00 ‖ data`` (the client computes the same)."""
    return blake3.blake3(BLOB_HASH_TAG + b"\x00" + data).digest()


def _check_hash(content_hash: object) -> bytes:
    if type(content_hash) is not bytes or len(content_hash) != HASH_BYTES:
        raise VaultMalformedError(f"a content hash is {HASH_BYTES} bytes")
    return content_hash


class BlobPeer(Protocol):
    """What replication needs from another node (the network layer implements it)."""

    def has(self, content_hash: bytes) -> bool: ...

    def fetch(self, content_hash: bytes) -> bytes | None: ...


class BlobStore:
    """Content-addressed ciphertext blobs in a directory."""

    def __init__(self, root: str | os.PathLike[str], max_blob_size: int = MAX_BLOB_SIZE) -> None:
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_blob_size = max_blob_size

    def _path(self, content_hash: bytes) -> Path:
        name = _check_hash(content_hash).hex()
        return self.root / name[:2] / name

    def put(self, data: bytes, expected_hash: bytes | None = None) -> bytes:
        """Store ``data``; returns its hash. Idempotent for the same bytes."""
        if type(data) is not bytes:
            raise VaultMalformedError("a blob is bytes")
        if len(data) > self.max_blob_size:
            raise VaultMalformedError(f"a blob is at most {self.max_blob_size} bytes, got {len(data)}")
        digest = blob_hash(data)
        if expected_hash is not None and _check_hash(expected_hash) != digest:
            raise VaultHashMismatchError("the blob does not hash to the expected content hash")
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)
        return digest

    def get(self, content_hash: bytes) -> bytes:
        path = self._path(content_hash)
        try:
            size = path.stat().st_size
            if size > self.max_blob_size:
                raise VaultHashMismatchError("a stored blob is larger than any blob may be")
            data = path.read_bytes()
        except FileNotFoundError:
            raise VaultNotFoundError(f"no blob {content_hash.hex()}") from None
        if blob_hash(data) != content_hash:
            raise VaultHashMismatchError(f"blob {content_hash.hex()} is damaged on disk")
        return data

    def has(self, content_hash: bytes) -> bool:
        return self._path(content_hash).exists()

    def delete(self, content_hash: bytes) -> bool:
        """Remove the blob's bytes; True if it was there."""
        path = self._path(content_hash)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    def hashes(self) -> Iterator[bytes]:
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for item in sorted(folder.iterdir()):
                    if len(item.name) == 2 * HASH_BYTES and not item.name.startswith("."):
                        yield bytes.fromhex(item.name)

    def missing(self, content_hashes: Iterable[bytes]) -> list[bytes]:
        """The hashes (referenced on chain) this node does not hold: what replication must fetch."""
        return [h for h in content_hashes if not self.has(h)]

    def replicate_from(self, peers: Iterable[BlobPeer], content_hashes: Iterable[bytes]) -> list[bytes]:
        """Fetch missing blobs from peers (verified by ``put``); returns the hashes still missing."""
        still = []
        peer_list = list(peers)
        for digest in self.missing(content_hashes):
            for peer in peer_list:
                try:
                    data = peer.fetch(digest)
                    if data is None:
                        continue
                    self.put(data, digest)
                    break
                except (VaultHashMismatchError, VaultMalformedError, VaultNotFoundError):
                    continue  # a lying or broken peer: try the next one
            else:
                still.append(digest)
        return still

    def fetch(self, content_hash: bytes) -> bytes | None:
        """:class:`BlobPeer` for another node's store."""
        try:
            return self.get(content_hash)
        except VaultNotFoundError:
            return None

    def sweep(self, is_referenced: Callable[[bytes], bool], grace_s: float, now: float | None = None) -> list[bytes]:
        """Delete blobs no entry references, uploaded more than ``grace_s`` ago.

        An upload whose transaction failed (or never came) would otherwise stay
        forever; the grace period leaves time for an upload's transaction to land.
        Node-local housekeeping, so the wall clock is fine here.
        """
        moment = time.time() if now is None else now
        removed = []
        for digest in list(self.hashes()):
            try:
                age = moment - self._path(digest).stat().st_mtime
            except FileNotFoundError:
                continue
            if age > grace_s and not is_referenced(digest):
                if self.delete(digest):
                    removed.append(digest)
        return removed

    def apply_events(self, events: Iterable[Mapping[str, Any]], decode: Any) -> int:
        """Delete blobs the vault plugin ``released``; ``decode`` reads an event's data record."""
        removed = 0
        for event in events:
            if event.get("plugin") == "vault" and event.get("name") == "released":
                if self.delete(decode(event["data"])["content_hash"]):
                    removed += 1
        return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
