"""The vault's on-chain records and their state keys.

The chain holds **no plaintext and no key**: per field an entry (owner, record id,
field name, version, BLAKE3 content hash, size, key epoch, tombstone flag); per
reader a grant (the record key wrapped to the reader: ciphertext); per owner a
keyring pointer (epoch, content hash, size of the keyring blob) and the bytes used.
A reference count per content hash lets nodes drop a blob only when no entry of
any owner still points at it.
"""

from __future__ import annotations

from typing import Any

from tonomy.errors import InvalidInputError

RECORD_ID_BYTES = 16
HASH_BYTES = 32
KEY_BYTES = 32
MAX_WRAPPED_KEY = 256
#: A 16 MiB field, framed and Padmé-padded (< 16.5 MiB), plus its envelope header.
MAX_BLOB_SIZE = 17 * 1024 * 1024


def _ascii(text: str) -> bytes:
    """Account and field names are ASCII; anything else is refused, never a crash."""
    if not text.isascii():
        raise InvalidInputError("vault names (accounts, fields) are ASCII")
    return text.encode("ascii")


def _lp(text: str) -> bytes:
    raw = _ascii(text)
    return bytes([len(raw)]) + raw


def entry_prefix(owner: str, record_id: bytes | None = None) -> bytes:
    return b"e" + _lp(owner) + (record_id or b"")


def entry_key(owner: str, record_id: bytes, field: str) -> bytes:
    return entry_prefix(owner, record_id) + _ascii(field)


def grant_prefix(owner: str, record_id: bytes) -> bytes:
    return b"g" + _lp(owner) + record_id


def grant_key(owner: str, record_id: bytes, reader: str) -> bytes:
    return grant_prefix(owner, record_id) + _ascii(reader)


def keyring_key(owner: str) -> bytes:
    return b"k" + _ascii(owner)


def usage_key(owner: str) -> bytes:
    return b"u" + _ascii(owner)


def refcount_key(content_hash: bytes) -> bytes:
    return b"r" + content_hash


def prefix_end(prefix: bytes) -> bytes:
    """The first key after every key starting with ``prefix`` (prefixes never end in 0xff here)."""
    stripped = prefix.rstrip(b"\xff")
    return stripped[:-1] + bytes([stripped[-1] + 1])


def entry(
    owner: str, record_id: bytes, field: str, version: int, content_hash: bytes, size: int, key_epoch: int, deleted: bool
) -> dict[str, Any]:
    return {
        "owner": owner,
        "record_id": record_id,
        "field": field,
        "version": version,
        "content_hash": content_hash,
        "size": size,
        "key_epoch": key_epoch,
        "deleted": deleted,
    }
