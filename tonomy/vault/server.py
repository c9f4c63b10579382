"""What the client needs from a vault server, and strict readers for its answers.

The server is untrusted for confidentiality and integrity: every answer is parsed
here (``vault.malformed`` on any shape error) and then checked by cryptography and by
the client's own memory of versions it has seen. Chain metadata (entries, grants,
the keyring pointer) should come from proof-verified state; blobs come from any node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tonomy.errors import VaultMalformedError
from tonomy.vault.formats import HASH_BYTES, KEY_BYTES, RECORD_ID_BYTES, check_field, check_owner

MAX_WRAPPED_FIELD = 256


class VaultServer(Protocol):
    """A node's vault API as the client sees it (chain queries, blob store, submission)."""

    def offer(self) -> Mapping[str, Any]:
        """The protocol the server proposes: ``{"format": int, "algorithm": str, "kdf"?: {...}}``."""
        ...

    def put_blob(self, data: bytes) -> bytes: ...

    def get_blob(self, content_hash: bytes) -> bytes: ...

    def entry(self, owner: str, record_id: bytes, field: str) -> Mapping[str, Any] | None: ...

    def fields(self, owner: str, record_id: bytes) -> Sequence[Mapping[str, Any]]: ...

    def records(self, owner: str) -> Sequence[bytes]: ...

    def grant(self, owner: str, record_id: bytes, reader: str) -> Mapping[str, Any] | None: ...

    def grants(self, owner: str, record_id: bytes) -> Sequence[Mapping[str, Any]]: ...

    def keyring(self, owner: str) -> Mapping[str, Any] | None: ...

    def submit(self, signer: str, actions: Sequence[tuple[str, Mapping[str, Any]]]) -> None: ...


def _exact(raw: object, keys: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping) or set(raw) != keys:
        raise VaultMalformedError(f"{what} must be an object with exactly {sorted(keys)}")
    return raw


def _int(raw: Mapping[str, Any], key: str, what: str, low: int = 0, high: int = 2**63 - 1) -> int:
    value = raw[key]
    if type(value) is not int or not low <= value <= high:
        raise VaultMalformedError(f"{what}.{key} must be an integer in {low}..{high}")
    return value


def _bytes(raw: Mapping[str, Any], key: str, what: str, sizes: tuple[int, ...] | None = None, max_len: int = 0) -> bytes:
    value = raw[key]
    if type(value) is not bytes or (sizes is not None and len(value) not in sizes) or (max_len and len(value) > max_len):
        raise VaultMalformedError(f"{what}.{key} has the wrong type or size")
    return value


def _str(raw: Mapping[str, Any], key: str, what: str) -> str:
    value = raw[key]
    try:
        check_owner(value)
    except VaultMalformedError:
        raise VaultMalformedError(f"{what}.{key} must be an account name") from None
    return str(value)


@dataclass(frozen=True)
class Entry:
    owner: str
    record_id: bytes
    field: str
    version: int
    content_hash: bytes
    size: int
    key_epoch: int
    deleted: bool


ENTRY_KEYS = {"owner", "record_id", "field", "version", "content_hash", "size", "key_epoch", "deleted"}


def parse_entry(raw: object) -> Entry:
    what = "vault entry"
    data = _exact(raw, ENTRY_KEYS, what)
    field = data["field"]
    try:
        check_field(field)
    except VaultMalformedError:
        raise VaultMalformedError(f"{what}.field is not a field name") from None
    deleted = data["deleted"]
    if type(deleted) is not bool:
        raise VaultMalformedError(f"{what}.deleted must be a bool")
    content_hash = _bytes(data, "content_hash", what, (0, HASH_BYTES))
    if deleted != (content_hash == b""):
        raise VaultMalformedError(f"{what}: a tombstone has no hash and a live entry has one")
    return Entry(
        owner=_str(data, "owner", what),
        record_id=_bytes(data, "record_id", what, (RECORD_ID_BYTES,)),
        field=field,
        version=_int(data, "version", what, 1),
        content_hash=content_hash,
        size=_int(data, "size", what),
        key_epoch=_int(data, "key_epoch", what, 1, 2**32 - 1),
        deleted=deleted,
    )


@dataclass(frozen=True)
class Grant:
    owner: str
    record_id: bytes
    reader: str
    reader_key: bytes
    key_epoch: int
    wrapped_key: bytes


GRANT_KEYS = {"owner", "record_id", "reader", "reader_key", "key_epoch", "wrapped_key"}


def parse_grant(raw: object) -> Grant:
    what = "vault grant"
    data = _exact(raw, GRANT_KEYS, what)
    return Grant(
        owner=_str(data, "owner", what),
        record_id=_bytes(data, "record_id", what, (RECORD_ID_BYTES,)),
        reader=_str(data, "reader", what),
        reader_key=_bytes(data, "reader_key", what, (KEY_BYTES,)),
        key_epoch=_int(data, "key_epoch", what, 1, 2**32 - 1),
        wrapped_key=_bytes(data, "wrapped_key", what, None, MAX_WRAPPED_FIELD),
    )


@dataclass(frozen=True)
class KeyringPointer:
    owner: str
    epoch: int
    content_hash: bytes
    size: int


POINTER_KEYS = {"owner", "epoch", "content_hash", "size"}


def parse_keyring_pointer(raw: object) -> KeyringPointer:
    what = "vault keyring pointer"
    data = _exact(raw, POINTER_KEYS, what)
    return KeyringPointer(
        owner=_str(data, "owner", what),
        epoch=_int(data, "epoch", what, 1, 2**32 - 1),
        content_hash=_bytes(data, "content_hash", what, (HASH_BYTES,)),
        size=_int(data, "size", what),
    )


def parse_record_ids(raw: object) -> list[bytes]:
    if not isinstance(raw, Sequence) or isinstance(raw, (bytes, str)) or len(raw) > 100_000:
        raise VaultMalformedError("record ids must be a list")
    out = []
    for item in raw:
        if type(item) is not bytes or len(item) != RECORD_ID_BYTES:
            raise VaultMalformedError("a record id is 16 bytes")
        out.append(item)
    return out
