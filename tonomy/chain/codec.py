"""Canonical encoding of chain state values: one value, exactly one byte string.

The encoding is JSON with a fixed shape, so it is easy to read in any language
and the same value always hashes the same:

* objects have string keys, sorted by code point (the same as UTF-8 byte order),
  written without whitespace (``,`` and ``:`` separators);
* strings are UTF-8; only ``"``, ``\\`` and U+0000..U+001F are escaped, the latter
  as ``\\b \\f \\n \\r \\t`` or ``\\u00xx`` (lowercase hex);
* numbers are integers only, in ``[-2**127, 2**128 - 1]`` (fits i128 or u128),
  without sign on zero, leading zeros, fraction or exponent; floats, NaN and
  infinities are refused; ``true``/``false`` stay distinct from ``1``/``0``;
* bytes are the tagged object ``{"$bytes": "<lowercase hex>"}``; object keys that
  start with ``$`` are reserved for such tags and refused otherwise;
* tuples encode as arrays (and decode as lists).

:func:`decode` accepts only what :func:`encode` produces: any other spelling
(spaces, key order, escapes, ``1.0``, ``-0``, uppercase hex, duplicate keys) is
refused with :class:`~tonomy.errors.CodecError`; :func:`encode` refuses what it
cannot represent with :class:`~tonomy.errors.UnencodableError`.

Both run in the native core (``core_rs/src/codec``): a strict one-pass parser that
builds Python values as it reads, and a writer fed straight from Python values.
Types are matched exactly (no subclasses: an ``IntEnum`` or ``StrEnum`` is refused).
The former pure-Python implementation is kept as ``tonomy.testing.codec_reference``,
which the tests check the core against.
"""

from __future__ import annotations

from tonomy._core import CODEC_MAX_DEPTH, CODEC_MAX_ENCODED_SIZE
from tonomy._core import codec_decode as decode
from tonomy._core import codec_encode as encode

#: Largest encoded value, in bytes; bounds the work a hostile input can cause.
MAX_ENCODED_SIZE = CODEC_MAX_ENCODED_SIZE
#: Deepest nesting of arrays and objects (a bytes tag does not count as a level).
MAX_DEPTH = CODEC_MAX_DEPTH
MIN_INT = -(1 << 127)
MAX_INT = (1 << 128) - 1

__all__ = ["MAX_DEPTH", "MAX_ENCODED_SIZE", "MAX_INT", "MIN_INT", "decode", "encode"]
