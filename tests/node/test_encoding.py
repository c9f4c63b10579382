"""Bytes and values across JSON: strict base64/hex, size limits, the $bytes tag, no floats."""

from __future__ import annotations

import base64

import pytest

from tonomy.node.encoding import decode_bytes, decode_hex, value_from_json, value_to_json
from tonomy.node.errors import BadRequestError


def test_base64_and_hex_round_trip() -> None:
    raw = bytes(range(256))
    assert decode_bytes(base64.b64encode(raw).decode(), "base64", what="x", max_size=256) == raw
    assert decode_bytes(raw.hex(), "hex", what="x", max_size=256) == raw
    assert decode_bytes(raw.hex().upper(), "hex", what="x", max_size=256) == raw


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("not base64!", "base64"),
        ("YWJj\n", "base64"),
        ("YWJjZA", "base64"),  # missing padding
        ("ééé", "base64"),
        ("abc", "hex"),
        ("zz", "hex"),
        ("0x00", "hex"),
        ("00 11", "hex"),
        ("AA==", "base32"),
        (5, "base64"),
        (None, "hex"),
    ],
)
def test_bad_encodings_are_bad_requests(text: object, encoding: str) -> None:
    with pytest.raises(BadRequestError) as info:
        decode_bytes(text, encoding, what="transaction", max_size=64)
    assert info.value.code == "api.bad_request"


def test_size_limits() -> None:
    with pytest.raises(BadRequestError, match="larger"):
        decode_bytes(base64.b64encode(b"x" * 65).decode(), "base64", what="tx", max_size=64)
    with pytest.raises(BadRequestError, match="larger"):
        decode_bytes("00" * 65, "hex", what="tx", max_size=64)
    with pytest.raises(BadRequestError, match="must be 32 bytes"):
        decode_hex("00" * 31, what="id", max_size=32, exact=32)


def test_values_round_trip_with_bytes_tagged() -> None:
    value = {"to": "bob", "amount": 10**30, "memo": b"\x00\xff", "list": [True, None, b""]}
    as_json = value_to_json(value)
    assert as_json["memo"] == {"$bytes": "00ff"}
    assert value_from_json(as_json) == value


@pytest.mark.parametrize("bad", [1.5, {"a": [0.0]}, {"$bytes": "zz"}, {"$bytes": 5}])
def test_values_refuse_floats_and_bad_tags(bad: object) -> None:
    with pytest.raises(BadRequestError):
        value_from_json(bad)


def test_deep_nesting_is_refused() -> None:
    deep: object = 1
    for _ in range(100):
        deep = [deep]
    with pytest.raises(BadRequestError, match="nested"):
        value_from_json(deep)
