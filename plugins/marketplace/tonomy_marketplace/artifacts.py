"""Artifacts stored on the network, content-addressed by the BLAKE3 hash of their bytes.

An upload is three steps, each a transaction signed by the uploader (so every
validator stores the same bytes through consensus):

1. ``upload_begin {uploader, hash, size}`` announces an artifact: at most
   ``max_artifact_bytes``, counted against the uploader's ``upload_quota_bytes``;
2. ``upload_chunk {uploader, hash, index, data}`` stores chunk ``index`` (every chunk is
   ``CHUNK_SIZE`` bytes except the last), once;
3. ``upload_seal {uploader, hash}`` hashes the whole content and seals it only if it is
   exactly the announced hash (``marketplace.hash_mismatch`` otherwise: nothing sealed).

``upload_abort`` drops an unsealed upload and gives its quota back. Sealed artifacts
are immutable. Readers fetch ``artifact`` then each ``chunk`` and check the hash again
on their side (``fetch``): a node that lies about a chunk is caught.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema, hash_plain

from tonomy_marketplace import errors
from tonomy_marketplace.errors import fail
from tonomy_marketplace.layout import artifact_key, chunk_key, quota_key

#: Chunk data travels hex-encoded in the canonical codec (twice its size), and one
#: action's data is at most 64 KiB: 24 KiB chunks leave room for the rest.
CHUNK_SIZE = 24 * 1024
HASH_SIZE = 32


def account_field(name: str) -> Field:
    return Field(name, str, minimum=1, maximum=32)


HASH = Field("hash", bytes, minimum=HASH_SIZE, maximum=HASH_SIZE, description="BLAKE3 of the artifact's bytes")
BEGIN = RecordSchema((account_field("uploader"), HASH, Field("size", int, minimum=1, maximum=2**31)))
CHUNK = RecordSchema((account_field("uploader"), HASH, Field("index", int, minimum=0, maximum=2**20), Field("data", bytes, minimum=1, maximum=CHUNK_SIZE)))
SEAL = RecordSchema((account_field("uploader"), HASH))
HASH_ONLY = RecordSchema((HASH,))
CHUNK_QUERY = RecordSchema((HASH, Field("index", int, minimum=0, maximum=2**20)))
ACCOUNT_ONLY = RecordSchema((account_field("account"),))


def chunk_count(size: int) -> int:
    return (size + CHUNK_SIZE - 1) // CHUNK_SIZE


def _quota_used(ctx: Any, account: str) -> int:
    return int(ctx.state.get_record(quota_key(account)) or 0)


def _set_quota(ctx: Any, account: str, used: int) -> None:
    if used:
        ctx.state.put_record(quota_key(account), used)
    else:
        ctx.state.delete(quota_key(account))


def _pending(ctx: Any, uploader: str, digest: bytes) -> dict[str, Any]:
    record = ctx.state.get_record(artifact_key(digest))
    if record is None:
        fail(ctx, errors.UNKNOWN_ARTIFACT, f"no upload of {digest.hex()} was announced")
    if record["uploader"] != uploader:
        fail(ctx, errors.ARTIFACT_EXISTS, f"{digest.hex()} is being uploaded by {record['uploader']}")
    if record["sealed"]:
        fail(ctx, errors.ARTIFACT_EXISTS, f"{digest.hex()} is already sealed")
    return dict(record)


def upload_begin(ctx: Any, data: Any) -> None:
    uploader, digest, size = data["uploader"], data["hash"], data["size"]
    ctx.require_auth(uploader)
    if ctx.state.get(artifact_key(digest)) is not None:
        fail(ctx, errors.ARTIFACT_EXISTS, f"an artifact {digest.hex()} is already stored or being uploaded")
    limit = ctx.parameter("max_artifact_bytes")
    if size > limit:
        fail(ctx, errors.TOO_LARGE, f"the artifact is {size} bytes; at most {limit} may be stored")
    used = _quota_used(ctx, uploader) + size
    quota = ctx.parameter("upload_quota_bytes")
    if used > quota:
        fail(ctx, errors.QUOTA_EXCEEDED, f"{uploader} would store {used} bytes, more than its quota of {quota}")
    _set_quota(ctx, uploader, used)
    chunks = chunk_count(size)
    ctx.state.put_record(artifact_key(digest), {"uploader": uploader, "size": size, "chunks": chunks, "received": 0, "sealed": False, "height": ctx.height})
    ctx.emit("upload_begun", {"hash": digest, "uploader": uploader, "size": size, "chunks": chunks})


def upload_chunk(ctx: Any, data: Any) -> None:
    uploader, digest, index, chunk = data["uploader"], data["hash"], data["index"], data["data"]
    ctx.require_auth(uploader)
    record = _pending(ctx, uploader, digest)
    if index >= record["chunks"]:
        fail(ctx, errors.BAD_CHUNK, f"chunk {index} is past the last chunk ({record['chunks'] - 1})")
    last = index == record["chunks"] - 1
    expected = record["size"] - CHUNK_SIZE * index if last else CHUNK_SIZE
    if len(chunk) != expected:
        fail(ctx, errors.BAD_CHUNK, f"chunk {index} must be {expected} bytes, got {len(chunk)}")
    if ctx.state.get(chunk_key(digest, index)) is not None:
        fail(ctx, errors.BAD_CHUNK, f"chunk {index} was already uploaded")
    ctx.state.put(chunk_key(digest, index), chunk)
    record["received"] += 1
    ctx.state.put_record(artifact_key(digest), record)


def upload_seal(ctx: Any, data: Any) -> None:
    uploader, digest = data["uploader"], data["hash"]
    ctx.require_auth(uploader)
    record = _pending(ctx, uploader, digest)
    if record["received"] != record["chunks"]:
        fail(ctx, errors.INCOMPLETE, f"{record['received']} of {record['chunks']} chunks arrived")
    content = b"".join(ctx.state.get(chunk_key(digest, index)) or b"" for index in range(record["chunks"]))
    actual = hash_plain(content)
    if actual != digest:
        fail(ctx, errors.HASH_MISMATCH, f"the uploaded bytes hash to {actual.hex()}, not to the announced {digest.hex()}")
    record["sealed"] = True
    record["height"] = ctx.height
    ctx.state.put_record(artifact_key(digest), record)
    ctx.emit("sealed", {"hash": digest, "uploader": uploader, "size": record["size"]})


def upload_abort(ctx: Any, data: Any) -> None:
    uploader, digest = data["uploader"], data["hash"]
    ctx.require_auth(uploader)
    record = _pending(ctx, uploader, digest)
    for index in range(record["chunks"]):
        ctx.state.delete(chunk_key(digest, index))
    ctx.state.delete(artifact_key(digest))
    _set_quota(ctx, uploader, _quota_used(ctx, uploader) - record["size"])


def sealed(ctx: Any, digest: bytes) -> dict[str, Any] | None:
    record = ctx.state.get_record(artifact_key(digest))
    return dict(record) if record is not None and record["sealed"] else None


def query_artifact(ctx: Any, params: Any) -> Any:
    record = ctx.state.get_record(artifact_key(params["hash"]))
    return None if record is None else {**record, "hash": params["hash"], "chunk_size": CHUNK_SIZE}


def query_chunk(ctx: Any, params: Any) -> Any:
    """One chunk of a sealed artifact (None for unsealed or unknown ones: never half an artifact)."""
    if sealed(ctx, params["hash"]) is None:
        return None
    return ctx.state.get(chunk_key(params["hash"], params["index"]))


def query_quota(ctx: Any, params: Any) -> Any:
    return {"used": _quota_used(ctx, params["account"]), "quota": ctx.parameter("upload_quota_bytes")}
