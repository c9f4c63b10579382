"""RFC 8785 JSON Canonicalization Scheme (JCS) for the I-JSON subset credentials use, and
a strict parser for JSON that arrives from anyone.

Credentials are signed over ``JCS(document)`` (Data Integrity ``eddsa-jcs-2022``), so the
verifier must rebuild the exact bytes the issuer signed from whatever JSON text it got.

The subset: objects with string keys, arrays, strings, booleans, null and **integers**
of magnitude ≤ 2^53 − 1 (I-JSON's exact range). JCS serialises numbers the way
ECMAScript does; for such integers that is plain decimal. Non-integral numbers are refused
rather than formatted: nothing here needs them, and the chain's determinism rule (no
floats) applies to everything a credential status or an issuer check may feed into.

Canonical form (RFC 8785 §3.2): no whitespace; object members sorted by their keys as
arrays of UTF-16 code units; strings with only ``\\" \\\\ \\b \\f \\n \\r \\t`` and
``\\u00xx`` (lower-case hex) for the other control characters, everything else literal
(UTF-8 encoded).
"""

from __future__ import annotations

import json
from typing import Any

from tonomy.errors import CredentialError

MAX_SAFE_INTEGER = 2**53 - 1
#: Deepest nesting accepted from outside (a credential needs well under ten levels).
MAX_DEPTH = 32
#: Largest JSON text accepted from outside.
MAX_TEXT = 1 << 20

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _fail(message: str) -> CredentialError:
    return CredentialError(message, code="credential.invalid_json")


def _string(value: str) -> str:
    out = ['"']
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            raise _fail("a string holds a lone surrogate (not valid Unicode)")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _utf16_key(key: str) -> bytes:
    # Sorting big-endian UTF-16 bytes orders exactly by UTF-16 code units.
    return key.encode("utf-16-be", "surrogatepass")


def _emit(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _fail(f"nesting deeper than {MAX_DEPTH}")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        if abs(value) > MAX_SAFE_INTEGER:
            raise _fail("an integer outside ±(2^53 − 1) has no exact JSON number")
        out.append(str(value))
    elif type(value) is str:
        out.append(_string(value))
    elif type(value) in (list, tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _emit(item, out, depth + 1)
        out.append("]")
    elif type(value) is dict:
        if not all(type(key) is str for key in value):
            raise _fail("object keys must be strings")
        out.append("{")
        for index, key in enumerate(sorted(value, key=_utf16_key)):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _emit(value[key], out, depth + 1)
        out.append("}")
    else:
        raise _fail(f"{type(value).__name__} is not in the canonical JSON subset (no floats)")


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value`` (the subset above)."""
    out: list[str] = []
    _emit(value, out, 0)
    return "".join(out).encode("utf-8")


# --- strict parsing of untrusted JSON ------------------------------------------------


def _depth_of(text: str) -> int:
    """Deepest bracket nesting outside strings, found before the recursive parser runs."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return depth
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _fail(f"duplicate member {key!r}")
        result[key] = value
    return result


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > 16:
        raise _fail("an integer outside ±(2^53 − 1)")
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _fail("an integer outside ±(2^53 − 1)")
    return value


def _no_float(text: str) -> Any:
    raise _fail(f"non-integral number {text[:32]!r} (not in the canonical subset)")


def _no_constant(text: str) -> Any:
    raise _fail(f"{text} is not JSON")


def parse(data: bytes | str) -> Any:
    """Parse untrusted JSON strictly: UTF-8, bounded size and depth, no duplicate members,
    integers only (within ±2^53−1), no NaN/Infinity, no lone surrogates.

    Raises ``credential.invalid_json`` for anything else; never RecursionError or MemoryError.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        if len(data) > MAX_TEXT:
            raise _fail(f"JSON text over {MAX_TEXT} bytes")
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("JSON text is not UTF-8") from None
    elif isinstance(data, str):
        text = data
    else:
        raise _fail("JSON text must be bytes or str")
    if len(text) > MAX_TEXT:
        raise _fail(f"JSON text over {MAX_TEXT} characters")
    if _depth_of(text) > MAX_DEPTH:
        raise _fail(f"nesting deeper than {MAX_DEPTH}")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_int=_integer,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except CredentialError:
        raise
    except (ValueError, RecursionError) as exc:
        raise _fail(f"not JSON: {str(exc)[:120]}") from None
    canonicalize(value)  # refuses lone surrogates and anything outside the subset
    return value


def is_canonical(data: bytes) -> bool:
    """Whether ``data`` is exactly the canonical form of the JSON it holds."""
    return canonicalize(parse(data)) == bytes(data)
