"""Reading the marketplace from a client or a node: artifacts and review credentials.

Nothing here trusts the node it reads from: ``fetch`` re-hashes the assembled bytes
(and every chunk's size) against the content address it asked for, and
``verify_review`` checks a review credential's proof, issuer accreditation and status
with the network's credential checks (``tonomy.wallet.presentation``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from tonomy.plugin import hash_plain

from tonomy_marketplace.artifacts import CHUNK_SIZE, HASH_SIZE

PLUGIN = "marketplace"


class Reader(Protocol):
    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any: ...


class FetchError(RuntimeError):
    """An artifact could not be fetched whole and intact (``code`` says why)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


def fetch(node: Reader, digest: bytes, *, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """The sealed artifact ``digest``, checked against its hash; ``FetchError`` otherwise."""
    if type(digest) is not bytes or len(digest) != HASH_SIZE:
        raise FetchError("marketplace.unknown_artifact", "an artifact hash is 32 bytes")
    record = node.query(PLUGIN, "artifact", {"hash": digest})
    if record is None or not record.get("sealed"):
        raise FetchError("marketplace.unknown_artifact", f"no sealed artifact {digest.hex()} on this network")
    size, chunks = record.get("size"), record.get("chunks")
    if type(size) is not int or not 0 < size <= max_bytes or chunks != (size + CHUNK_SIZE - 1) // CHUNK_SIZE:
        raise FetchError("marketplace.too_large", f"the node describes {digest.hex()} as {size!r} bytes in {chunks!r} chunks")
    parts = []
    for index in range(chunks):
        chunk = node.query(PLUGIN, "chunk", {"hash": digest, "index": index})
        expected = size - CHUNK_SIZE * index if index == chunks - 1 else CHUNK_SIZE
        if type(chunk) is not bytes or len(chunk) != expected:
            raise FetchError("marketplace.hash_mismatch", f"chunk {index} of {digest.hex()} is missing or the wrong size")
        parts.append(chunk)
    content = b"".join(parts)
    if hash_plain(content) != digest:
        raise FetchError("marketplace.hash_mismatch", f"the fetched bytes do not hash to {digest.hex()}")
    return content


def verify_review(review: Mapping[str, Any], trust: Any, now: str) -> Any:
    """Verify a stored review's credential (proof, accredited issuer, not revoked) at ``now``
    (ISO 8601); returns the verified credential or raises the credential error."""
    from tonomy.wallet.presentation import verify_credential

    credential = json.loads(review["credential"])
    return verify_credential(credential, [], trust, now)


__all__ = ["FetchError", "fetch", "verify_review"]
