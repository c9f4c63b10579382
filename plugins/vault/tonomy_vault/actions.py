"""Action and query handlers of the vault plugin (consensus-critical, deterministic).

Rules enforced on chain (the client enforces the cryptography):

* only the owner (its authorization) writes its entries, grants and keyring;
* an entry's version is exactly the previous one plus one (also across a tombstone),
  so a replayed old ``put`` cannot roll a field back;
* the bytes an owner stores (live entries plus the keyring) stay within the
  ``quota_bytes`` parameter;
* a keyring's epoch only grows;
* delete leaves a tombstone (version + 1, no hash, size 0) and releases the blob.

Events: ``stored {content_hash, size}`` when a blob becomes referenced and
``released {content_hash}`` when no entry references it any more: a node's blob
store follows them (``BlobStore.apply_events``).
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema

from tonomy_vault import records as rec

PLUGIN = "vault"
DEFAULT_QUOTA_BYTES = 64 * 1024 * 1024

_OWNER = Field("owner", str, minimum=1, maximum=64, description="the account that owns the record")
_RECORD = Field("record_id", bytes, minimum=rec.RECORD_ID_BYTES, maximum=rec.RECORD_ID_BYTES, description="random record id")
_FIELD = Field("field", str, minimum=1, maximum=64, description="field name (lower snake case)")
_HASH = Field("content_hash", bytes, minimum=rec.HASH_BYTES, maximum=rec.HASH_BYTES, description="BLAKE3 of the blob")
_SIZE = Field("size", int, minimum=1, maximum=rec.MAX_BLOB_SIZE, description="blob size in bytes")
_READER = Field("reader", str, minimum=1, maximum=64, description="account granted read access")

_VERSION = Field("version", int, minimum=1, maximum=2**62, description="field version, previous + 1")
_EPOCH = Field("key_epoch", int, minimum=1, maximum=2**32 - 1, description="record key generation")
PUT = RecordSchema((_OWNER, _RECORD, _FIELD, _VERSION, _HASH, _SIZE, _EPOCH))
DELETE = RecordSchema((_OWNER, _RECORD, _FIELD))
GRANT = RecordSchema(
    (
        _OWNER,
        _RECORD,
        _READER,
        Field("reader_key", bytes, minimum=rec.KEY_BYTES, maximum=rec.KEY_BYTES),
        _EPOCH,
        Field("wrapped_key", bytes, minimum=1, maximum=rec.MAX_WRAPPED_KEY),
    )
)
REVOKE = RecordSchema((_OWNER, _RECORD, _READER))
SET_KEYRING = RecordSchema((_OWNER, Field("epoch", int, minimum=1, maximum=2**32 - 1), _HASH, _SIZE))
Q_OWNER = RecordSchema((_OWNER,))
Q_RECORD = RecordSchema((_OWNER, _RECORD))
Q_ENTRY = RecordSchema((_OWNER, _RECORD, _FIELD))
Q_GRANT = RecordSchema((_OWNER, _RECORD, _READER))
Q_HASH = RecordSchema((_HASH,))
Q_REFERENCED_BLOBS = RecordSchema(
    (Field("after", bytes, required=False, minimum=rec.HASH_BYTES, maximum=rec.HASH_BYTES, description="the last hash of the previous page"),)
)
#: Hashes one ``referenced_blobs`` answer holds at most.
REFERENCED_PAGE = 256


def quota(ctx: Any) -> int:
    """The ``quota_bytes`` parameter in force (the host's ``ctx.parameter`` when it has one)."""
    reader = getattr(ctx, "parameter", None)
    if reader is None:
        return DEFAULT_QUOTA_BYTES
    value = reader("quota_bytes")
    return value if type(value) is int else DEFAULT_QUOTA_BYTES


def _usage(ctx: Any, owner: str) -> int:
    raw = ctx.state.get(rec.usage_key(owner))
    return 0 if raw is None else int.from_bytes(raw, "big")


def _charge(ctx: Any, owner: str, delta: int) -> None:
    used = _usage(ctx, owner) + delta
    if delta > 0 and used > quota(ctx):
        ctx.fail("quota_exceeded", f"{owner} would store {used} bytes, above the quota of {quota(ctx)} bytes")
    ctx.state.put(rec.usage_key(owner), used.to_bytes(8, "big"))


def _reference(ctx: Any, content_hash: bytes, size: int) -> None:
    key = rec.refcount_key(content_hash)
    raw = ctx.state.get(key)
    count = 0 if raw is None else int.from_bytes(raw, "big")
    ctx.state.put(key, (count + 1).to_bytes(8, "big"))
    if count == 0:
        ctx.emit("stored", {"content_hash": content_hash, "size": size})


def _release(ctx: Any, content_hash: bytes) -> None:
    key = rec.refcount_key(content_hash)
    raw = ctx.state.get(key)
    count = 0 if raw is None else int.from_bytes(raw, "big")
    if count <= 1:
        ctx.state.delete(key)
        ctx.emit("released", {"content_hash": content_hash})
    else:
        ctx.state.put(key, (count - 1).to_bytes(8, "big"))


def _check_names(ctx: Any, data: Any, *names: str) -> None:
    for name in names:
        if not ctx.account_exists(data[name]):
            ctx.fail("unknown_account", f"{name} {data[name]!r} is not an account")


def _check_field(ctx: Any, field: str) -> None:
    if not (field.isascii() and "a" <= field[0] <= "z" and all(c.islower() or c.isdigit() or c == "_" for c in field)):
        ctx.fail("invalid_field", "a field name is lower snake case")


def put(ctx: Any, data: Any) -> None:
    owner, record_id, field = data["owner"], data["record_id"], data["field"]
    ctx.require_auth(owner)
    _check_field(ctx, field)
    key = rec.entry_key(owner, record_id, field)
    old = ctx.state.get_record(key)
    expected = 1 if old is None else old["version"] + 1
    if data["version"] != expected:
        ctx.fail("stale_version", f"field {field} is at version {expected - 1}; the next write must be version {expected}")
    old_size = 0 if old is None else old["size"]
    _charge(ctx, owner, data["size"] - old_size)
    _reference(ctx, data["content_hash"], data["size"])
    if old is not None and not old["deleted"]:
        _release(ctx, old["content_hash"])
    ctx.state.put_record(
        key, rec.entry(owner, record_id, field, data["version"], data["content_hash"], data["size"], data["key_epoch"], False)
    )


def delete(ctx: Any, data: Any) -> None:
    owner, record_id, field = data["owner"], data["record_id"], data["field"]
    ctx.require_auth(owner)
    key = rec.entry_key(owner, record_id, field)
    old = ctx.state.get_record(key)
    if old is None or old["deleted"]:
        ctx.fail("not_found", f"no live field {field} in this record")
    _charge(ctx, owner, -old["size"])
    _release(ctx, old["content_hash"])
    ctx.state.put_record(key, rec.entry(owner, record_id, field, old["version"] + 1, b"", 0, old["key_epoch"], True))
    ctx.emit("deleted", {"owner": owner, "record_id": record_id, "field": field})


def grant(ctx: Any, data: Any) -> None:
    owner, record_id, reader = data["owner"], data["record_id"], data["reader"]
    ctx.require_auth(owner)
    _check_names(ctx, data, "reader")
    if reader != owner and ctx.state.get(rec.grant_key(owner, record_id, owner)) is None:
        ctx.fail("not_found", "grant the owner's own key before sharing the record")
    ctx.state.put_record(rec.grant_key(owner, record_id, reader), dict(data))


def revoke(ctx: Any, data: Any) -> None:
    owner, record_id, reader = data["owner"], data["record_id"], data["reader"]
    ctx.require_auth(owner)
    key = rec.grant_key(owner, record_id, reader)
    if reader == owner or ctx.state.get(key) is None:
        ctx.fail("not_found", f"{reader} holds no grant for this record")
    ctx.state.delete(key)


def set_keyring(ctx: Any, data: Any) -> None:
    owner = data["owner"]
    ctx.require_auth(owner)
    key = rec.keyring_key(owner)
    old = ctx.state.get_record(key)
    if old is not None and data["epoch"] <= old["epoch"]:
        ctx.fail("stale_version", f"the keyring is at epoch {old['epoch']}; a new one needs a higher epoch")
    _charge(ctx, owner, data["size"] - (0 if old is None else old["size"]))
    _reference(ctx, data["content_hash"], data["size"])
    if old is not None:
        _release(ctx, old["content_hash"])
    ctx.state.put_record(key, dict(data))


# -- queries ---------------------------------------------------------------------------------


def q_entry(ctx: Any, params: Any) -> Any:
    return ctx.state.get_record(rec.entry_key(params["owner"], params["record_id"], params["field"]))


def q_fields(ctx: Any, params: Any) -> list[Any]:
    prefix = rec.entry_prefix(params["owner"], params["record_id"])
    return _records_under(ctx, prefix)


def q_records(ctx: Any, params: Any) -> list[bytes]:
    prefix = rec.entry_prefix(params["owner"])
    seen: list[bytes] = []
    for key, _ in ctx.state.items(prefix, rec.prefix_end(prefix)):
        record_id = key[len(prefix) : len(prefix) + rec.RECORD_ID_BYTES]
        if not seen or seen[-1] != record_id:
            seen.append(record_id)
    return seen


def q_grant(ctx: Any, params: Any) -> Any:
    return ctx.state.get_record(rec.grant_key(params["owner"], params["record_id"], params["reader"]))


def q_grants(ctx: Any, params: Any) -> list[Any]:
    return _records_under(ctx, rec.grant_prefix(params["owner"], params["record_id"]))


def _records_under(ctx: Any, prefix: bytes) -> list[Any]:
    keys = [key for key, _ in ctx.state.items(prefix, rec.prefix_end(prefix))]
    return [ctx.state.get_record(key) for key in keys]


def q_keyring(ctx: Any, params: Any) -> Any:
    return ctx.state.get_record(rec.keyring_key(params["owner"]))


def q_referenced(ctx: Any, params: Any) -> bool:
    return ctx.state.get(rec.refcount_key(params["content_hash"])) is not None


def q_referenced_blobs(ctx: Any, params: Any) -> list[bytes]:
    """Referenced blob hashes in ascending order, a page at a time after ``after``: what a node
    that missed ``stored`` events (it was down, or every peer was) walks to repair its store."""
    prefix = rec.refcount_key(b"")
    start = rec.refcount_key(params["after"]) + b"\x00" if "after" in params else prefix
    hashes: list[bytes] = []
    for key, _ in ctx.state.items(start, rec.prefix_end(prefix)):
        hashes.append(key[len(prefix) :])
        if len(hashes) == REFERENCED_PAGE:
            break
    return hashes


def q_usage(ctx: Any, params: Any) -> int:
    return _usage(ctx, params["owner"])
