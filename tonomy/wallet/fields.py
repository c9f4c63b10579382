"""Strict readers for the fields of keystore JSON files (all untrusted input).

Each raises ``wallet.keystore_corrupt`` naming the field, so a damaged file says
where it is damaged and nothing half-parsed is ever used.
"""

from __future__ import annotations

import re
from typing import Any

from tonomy.errors import KeystoreCorruptError, UnsupportedKeystoreVersionError

_HEX = re.compile(r"[0-9a-f]*")
MAX_TEXT = 256


def require_keys(
    raw: object, what: str, required: set[str] | frozenset[str], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise KeystoreCorruptError(f"{what} must be a JSON object")
    missing = required - set(raw)
    extra = set(raw) - required - optional
    if missing:
        raise KeystoreCorruptError(f"{what} lacks {', '.join(sorted(missing))}")
    if extra:
        raise KeystoreCorruptError(f"{what} has unknown field(s) {', '.join(sorted(str(k)[:40] for k in extra))}")
    return raw


def check_header(raw: dict[str, Any], fmt: str, version: int, what: str) -> None:
    """The ``format`` tag must match; a ``version`` we do not know is refused, not guessed at."""
    if raw.get("format") != fmt:
        raise KeystoreCorruptError(f"{what} is not a {fmt} file")
    found = raw.get("version")
    if type(found) is not int:
        raise KeystoreCorruptError(f"{what}.version must be an integer")
    if found != version:
        raise UnsupportedKeystoreVersionError(f"{what} has format version {found}; this client reads {version}")


def hex_bytes(value: object, size: int, what: str) -> bytes:
    if type(value) is not str or len(value) != 2 * size or not _HEX.fullmatch(value):
        raise KeystoreCorruptError(f"{what} must be {size} bytes of lowercase hex")
    return bytes.fromhex(value)


def hex_id(value: object, size: int, what: str) -> str:
    return hex_bytes(value, size, what).hex()


def integer(value: object, what: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise KeystoreCorruptError(f"{what} must be an integer from {low} to {high}")
    return value


def optional_integer(value: object, what: str, low: int, high: int) -> int | None:
    return None if value is None else integer(value, what, low, high)


def text(value: object, what: str, max_len: int = MAX_TEXT) -> str:
    if type(value) is not str or len(value) > max_len:
        raise KeystoreCorruptError(f"{what} must be a string of at most {max_len} characters")
    return value


def name(value: object, what: str) -> str:
    """A name people read: 1 to 128 printable characters (what the writer accepts, no more)."""
    if type(value) is not str or not 1 <= len(value) <= 128 or not value.isprintable():
        raise KeystoreCorruptError(f"{what} must be 1 to 128 printable characters")
    return value


def array(value: object, what: str, max_len: int) -> list[Any]:
    if type(value) is not list or len(value) > max_len:
        raise KeystoreCorruptError(f"{what} must be a list of at most {max_len} items")
    return value


TIME_MAX = 2**53  # seconds; any real timestamp fits, JSON numbers stay exact
