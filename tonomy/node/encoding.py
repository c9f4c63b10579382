"""Bytes and values across JSON: what requests carry in and what responses carry out.

* Raw bytes in requests (a signed transaction) are base64 (standard alphabet,
  padded) or hex, as the request says; anything else is ``api.bad_request``.
* Fixed binary fields in responses (ids, hashes, keys) are lowercase hex.
* Free-form values (query parameters and results, receipts, events) map
  ``bytes`` to ``{"$bytes": "<hex>"}`` both ways, so a value survives the round
  trip; floats are refused, since nothing on chain is a float.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from tonomy.node.errors import BadRequestError

BYTES_TAG = "$bytes"
MAX_VALUE_DEPTH = 32
_HEX = re.compile(r"[0-9a-fA-F]*")


def decode_bytes(text: object, encoding: object, *, what: str, max_size: int) -> bytes:
    """Decode a base64 or hex string of at most ``max_size`` decoded bytes."""
    if not isinstance(text, str):
        raise BadRequestError(f"{what} must be a string")
    if encoding == "hex":
        return decode_hex(text, what=what, max_size=max_size)
    if encoding != "base64":
        raise BadRequestError("encoding must be 'base64' or 'hex'")
    if len(text) > 4 * (max_size // 3 + 1):
        raise BadRequestError(f"{what} is larger than {max_size} bytes")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BadRequestError(f"{what} is not valid base64") from None
    if len(raw) > max_size:
        raise BadRequestError(f"{what} is larger than {max_size} bytes")
    return raw


def decode_hex(text: object, *, what: str, max_size: int, exact: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise BadRequestError(f"{what} must be a hex string")
    if len(text) % 2 or not _HEX.fullmatch(text):
        raise BadRequestError(f"{what} is not valid hex (an even number of 0-9a-f digits)")
    if len(text) > 2 * max_size:
        raise BadRequestError(f"{what} is larger than {max_size} bytes")
    raw = bytes.fromhex(text)
    if exact is not None and len(raw) != exact:
        raise BadRequestError(f"{what} must be {exact} bytes, got {len(raw)}")
    return raw


def value_to_json(value: Any, depth: int = 0) -> Any:
    """A chain value (codec values, receipts, dataclasses) as plain JSON data."""
    if depth > MAX_VALUE_DEPTH:
        raise ValueError("value nested too deeply for JSON")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_TAG: bytes(value).hex()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: value_to_json(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): value_to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [value_to_json(v, depth + 1) for v in value]
    if hasattr(value, "__slots__") or hasattr(value, "__dict__"):
        # Native value classes (wire types) expose read-only properties.
        names = [n for n in dir(value) if not n.startswith("_") and not callable(getattr(value, n))]
        return {n: value_to_json(getattr(value, n), depth + 1) for n in names}
    raise ValueError(f"cannot represent {type(value).__name__} as JSON")


def value_from_json(data: Any, depth: int = 0) -> Any:
    """The inverse of :func:`value_to_json` for request bodies; refuses floats."""
    if depth > MAX_VALUE_DEPTH:
        raise BadRequestError(f"value nested deeper than {MAX_VALUE_DEPTH} levels")
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        raise BadRequestError("numbers must be integers; chain values are never floats")
    if isinstance(data, list):
        return [value_from_json(v, depth + 1) for v in data]
    if isinstance(data, dict):
        if set(data) == {BYTES_TAG}:
            return decode_hex(data[BYTES_TAG], what=BYTES_TAG, max_size=1 << 20)
        return {k: value_from_json(v, depth + 1) for k, v in data.items()}
    raise BadRequestError(f"unsupported JSON value {type(data).__name__}")


__all__ = ["BYTES_TAG", "decode_bytes", "decode_hex", "value_from_json", "value_to_json"]
