"""Constants and byte helpers shared by every vault format.

The client has one *floor* and one *current* version per format. Anything below the
floor, or naming another algorithm, is a downgrade (``vault.downgrade``) and is refused
before any key is used; anything above the current version is
``vault.unsupported_version``. Version 0 is reserved for "no authenticated encryption"
so that a server offering it is a downgrade by construction.
"""

from __future__ import annotations

import re

import blake3

from tonomy.errors import (
    VaultDowngradeError,
    VaultMalformedError,
    VaultUnsupportedVersionError,
)

FORMAT_FLOOR = 1
FORMAT_CURRENT = 1
#: The one AEAD the vault accepts. Ids are part of the formats; 0 means "none".
ALG_XCHACHA20_POLY1305 = 1
ALGORITHM_NAME = "xchacha20poly1305-ietf"

KEY_BYTES = 32
RECORD_ID_BYTES = 16
HASH_BYTES = 32
KEY_ID_BYTES = 16
MAX_OWNER_BYTES = 64
FIELD_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: Largest plaintext one field may hold (a blob is this plus a small header).
MAX_FIELD_BYTES = 16 * 1024 * 1024

BLOB_HASH_TAG = b"tonomy/vault/blob/v1"


def content_hash(data: bytes) -> bytes:
    """BLAKE3 over ``tag ‖ 0x00 ‖ data``: the address of a blob (same rule as the node's store)."""
    return blake3.blake3(BLOB_HASH_TAG + b"\x00" + bytes(data)).digest()


def check_version(version: int, what: str) -> None:
    """Refuse a format version below the floor (downgrade) or above what this client reads."""
    if version < FORMAT_FLOOR:
        raise VaultDowngradeError(f"{what} format version {version} is below this client's floor {FORMAT_FLOOR}")
    if version > FORMAT_CURRENT:
        raise VaultUnsupportedVersionError(f"{what} format version {version} is newer than this client ({FORMAT_CURRENT})")


def check_algorithm(algorithm: int, what: str) -> None:
    if algorithm != ALG_XCHACHA20_POLY1305:
        raise VaultDowngradeError(
            f"{what} names algorithm {algorithm}; only {ALGORITHM_NAME} ({ALG_XCHACHA20_POLY1305}) is accepted"
        )


def check_owner(owner: object) -> bytes:
    """An account name as bytes (the chain checks the name rule; here only its shape)."""
    if type(owner) is not str or not 0 < len(owner) <= MAX_OWNER_BYTES or not owner.isascii():
        raise VaultMalformedError(f"an account name is 1 to {MAX_OWNER_BYTES} ASCII characters")
    return owner.encode("ascii")


def check_record_id(record_id: object) -> bytes:
    if type(record_id) is not bytes or len(record_id) != RECORD_ID_BYTES:
        raise VaultMalformedError(f"a record id is {RECORD_ID_BYTES} bytes")
    return record_id


def check_field(field: object) -> bytes:
    if type(field) is not str or not FIELD_PATTERN.fullmatch(field):
        raise VaultMalformedError("a field name is lower snake case, 1 to 64 characters")
    return field.encode("ascii")


def check_key(key: object, what: str = "key") -> bytes:
    if type(key) is not bytes or len(key) != KEY_BYTES:
        raise VaultMalformedError(f"{what} must be {KEY_BYTES} bytes")
    return key


def lp8(data: bytes) -> bytes:
    """One length byte then the bytes: keeps concatenated associated data unambiguous."""
    if len(data) > 255:
        raise VaultMalformedError("a length-prefixed value is at most 255 bytes")
    return bytes([len(data)]) + data


def u8(n: int) -> bytes:
    return n.to_bytes(1, "big")


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


class Reader:
    """A bounded cursor over untrusted bytes: every short read is ``vault.malformed``."""

    __slots__ = ("_data", "_pos", "_what")

    def __init__(self, data: object, what: str, max_len: int) -> None:
        if type(data) is not bytes:
            raise VaultMalformedError(f"{what} must be bytes, got {type(data).__name__}")
        if len(data) > max_len:
            raise VaultMalformedError(f"{what} is {len(data)} bytes, more than the {max_len} allowed")
        self._data = data
        self._pos = 0
        self._what = what

    def take(self, count: int) -> bytes:
        if self._pos + count > len(self._data):
            raise VaultMalformedError(f"{self._what} is truncated")
        out = self._data[self._pos : self._pos + count]
        self._pos += count
        return out

    def int(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")

    def rest(self) -> bytes:
        out = self._data[self._pos :]
        self._pos = len(self._data)
        return out

    def end(self) -> None:
        if self._pos != len(self._data):
            raise VaultMalformedError(f"{self._what} has {len(self._data) - self._pos} trailing bytes")
