"""The pure-Python canonical codec that the core's codec replaced, kept as the reference.

``tonomy.chain.codec`` (the spec is its docstring) now runs in the native core; the
differential tests check that the core encodes, decodes and refuses exactly as this
does, and ``benchmarks/bench_codec.py`` measures the two side by side. It is the
implementation the chain used before (parse with :mod:`json`, then re-encode and
compare to prove the form canonical), without its decode memo.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tonomy.errors import CodecError, UnencodableError

#: Largest encoded value, in bytes; bounds the work a hostile input can cause.
MAX_ENCODED_SIZE = 1 << 20
#: Deepest nesting of arrays and objects (a bytes tag does not count as a level).
MAX_DEPTH = 32
MIN_INT = -(1 << 127)
MAX_INT = (1 << 128) - 1

_BYTES_TAG = "$bytes"
#: One encoder for every call (json.dumps would build one per call with these options).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def encode(obj: Any) -> bytes:
    """The canonical bytes of ``obj`` (None, bool, int, str, bytes, list/tuple, dict)."""
    if type(obj) is int and MIN_INT <= obj <= MAX_INT:
        return str(obj).encode("ascii")  # what the encoder writes for an int, without its set-up
    plain = _to_json(obj, 0)
    try:
        data = _ENCODER.encode(plain).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate has no UTF-8 form
        raise UnencodableError(f"string is not valid Unicode: {exc.reason}") from None
    if len(data) > MAX_ENCODED_SIZE:
        raise UnencodableError(f"encoded value is {len(data)} bytes, above the limit of {MAX_ENCODED_SIZE}")
    return data


def decode(data: bytes | bytearray | memoryview) -> Any:
    """The value whose canonical encoding is ``data``; anything else is a :class:`CodecError`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CodecError(f"codec input must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    if len(raw) > MAX_ENCODED_SIZE:
        raise CodecError(f"encoded value is {len(raw)} bytes, above the limit of {MAX_ENCODED_SIZE}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CodecError("encoded value is not valid UTF-8") from None
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_object_from_pairs,
            parse_int=_parse_int,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except CodecError:
        raise
    except RecursionError:
        raise CodecError(f"encoded value nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSON syntax, or an integer with too many digits
        raise CodecError(f"encoded value is not canonical JSON: {exc}") from None
    try:
        canonical = encode(parsed)
    except UnencodableError as exc:
        raise CodecError(f"encoded value holds something the codec refuses: {exc.message}") from None
    if canonical != raw:
        raise CodecError("encoded value is not in canonical form (spacing, key order, escapes or number spelling)")
    return parsed


def _to_json(obj: Any, depth: int) -> Any:
    """Check ``obj`` and turn bytes into their tag; exact types only (no subclasses)."""
    kind = type(obj)
    if obj is None or kind is bool or kind is str:
        return obj
    if kind is int:
        if not MIN_INT <= obj <= MAX_INT:
            raise UnencodableError("integer is outside the range of a 128-bit integer")
        return obj
    if kind is bytes or kind is bytearray:
        return {_BYTES_TAG: bytes(obj).hex()}
    if kind is list or kind is tuple:
        _check_depth(depth)
        return [_to_json(item, depth + 1) for item in obj]
    if kind is dict:
        _check_depth(depth)
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if type(key) is not str:
                raise UnencodableError(f"object keys must be strings, got {type(key).__name__}")
            if key.startswith("$"):
                raise UnencodableError(f"object key {key!r} starts with '$', which is reserved for tags")
            out[key] = _to_json(value, depth + 1)
        return out
    if kind is float:
        raise UnencodableError("floats are not allowed in chain state; use integers in a fixed unit")
    raise UnencodableError(f"cannot encode a value of type {kind.__name__}")


def _check_depth(depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise UnencodableError(f"value nests deeper than {MAX_DEPTH} levels")


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> Any:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise CodecError("encoded object has a duplicate key")
    if any(key.startswith("$") for key in keys):
        if keys != [_BYTES_TAG]:
            raise CodecError("encoded object uses a reserved '$' key that is not a bytes tag")
        value = pairs[0][1]
        if type(value) is not str or not _LOWER_HEX.fullmatch(value):
            raise CodecError("bytes tag must hold an even-length lowercase hex string")
        return bytes.fromhex(value)
    return dict(pairs)


def _parse_int(text: str) -> int:
    # Checked before int() so a megabyte of digits costs nothing (2**128 has 39 digits).
    if len(text.lstrip("-")) > 40:
        raise CodecError("encoded integer has too many digits")
    return int(text)


def _refuse_float(text: str) -> Any:
    raise CodecError(f"encoded value holds a non-integer number {text[:20]!r}")


def _refuse_constant(text: str) -> Any:
    raise CodecError(f"encoded value holds {text!r}, which is not allowed")


__all__ = ["MAX_DEPTH", "MAX_ENCODED_SIZE", "MAX_INT", "MIN_INT", "decode", "encode"]
