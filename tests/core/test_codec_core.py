"""The core codec through its bindings: constants, error classes and messages, input
types, and values the binding builds (the spec examples live in tests/chain/test_codec.py,
the comparison with the reference in test_codec_differential.py)."""

from __future__ import annotations

from typing import Any

import pytest

import tonomy._core as core
from tonomy.chain import codec
from tonomy.errors import CodecError, UnencodableError
from tonomy.testing import codec_reference as reference


def _nested(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def test_constants_are_the_reference_ones() -> None:
    assert core.CODEC_MAX_ENCODED_SIZE == codec.MAX_ENCODED_SIZE == reference.MAX_ENCODED_SIZE
    assert core.CODEC_MAX_DEPTH == codec.MAX_DEPTH == reference.MAX_DEPTH
    assert (codec.MIN_INT, codec.MAX_INT) == (reference.MIN_INT, reference.MAX_INT)


@pytest.mark.parametrize(
    "value",
    [1.5, {1: 2}, {"$x": 1}, {"ok": {"$bytes": "00"}}, "a\ud800", {"\udfff": 1}, object(), 10**40, -(10**40), _nested(33), "x" * (1 << 20)],
    ids=lambda v: repr(v)[:30],
)
def test_encode_refusals_have_the_reference_class_and_message(value: Any) -> None:
    with pytest.raises(UnencodableError) as ours:
        codec.encode(value)
    with pytest.raises(UnencodableError) as theirs:
        reference.encode(value)
    assert type(ours.value) is UnencodableError and ours.value.code == "codec.unencodable"
    assert ours.value.message == theirs.value.message


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"\xff", "not valid UTF-8"),
        (b"[1, 2]", "canonical form"),
        (b'{"b":1,"a":1}', "canonical form"),
        (b'{"a":1,"a":1}', "duplicate key"),
        (b'{"$x":1}', "reserved '$' key"),
        (b'{"$bytes":"AB"}', "lowercase hex"),
        (b"1.5", "non-integer number"),
        (b"1" * 50, "too many digits"),
        (str(reference.MAX_INT + 1).encode(), "outside the range"),
        (b"[" * 40 + b"]" * 40, "nests deeper than 32 levels"),
        (b'"' + b"x" * (1 << 20) + b'"', "above the limit"),
        (b"[1", "canonical JSON"),
    ],
)
def test_decode_refusals_say_why(data: bytes, phrase: str) -> None:
    with pytest.raises(CodecError) as info:
        codec.decode(data)
    assert type(info.value) is CodecError and info.value.code == "codec.malformed"
    assert phrase in info.value.message
    with pytest.raises(CodecError):
        reference.decode(data)


def test_decoded_values_have_exact_builtin_types() -> None:
    data = codec.encode({"big": reference.MAX_INT, "small": -1, "neg": reference.MIN_INT, "b": b"\x00", "l": [True, None, "s"]})
    value = codec.decode(data)
    assert type(value) is dict and list(value) == ["b", "big", "l", "neg", "small"]
    assert [type(value[k]) for k in ("big", "small", "neg", "b", "l")] == [int, int, int, bytes, list]
    assert value["big"] == reference.MAX_INT and value["neg"] == reference.MIN_INT
    assert value["l"][0] is True and value["l"][1] is None and type(value["l"][2]) is str


def test_every_decode_returns_new_objects() -> None:
    data = codec.encode({"a": [1, {"b": 2}], "c": "d"})
    first = codec.decode(data)
    first["a"][1]["b"] = 3
    first["a"].append(4)
    second = codec.decode(data)
    assert second == {"a": [1, {"b": 2}], "c": "d"}
    assert second["a"] is not first["a"]


def test_ints_at_every_conversion_boundary_round_trip() -> None:
    for value in (0, 1 << 62, (1 << 63) - 1, 1 << 63, -(1 << 63), -(1 << 63) - 1, (1 << 64), (1 << 127) - 1, 1 << 127, reference.MIN_INT, reference.MAX_INT):
        data = codec.encode(value)
        assert data == str(value).encode() == reference.encode(value)
        assert codec.decode(data) == value and type(codec.decode(data)) is int


def test_bytes_like_input_and_subclasses() -> None:
    class Raw(bytes):
        pass

    assert codec.decode(Raw(b"[1]")) == [1]
    assert codec.decode(bytearray(b'{"a":"b"}')) == {"a": "b"}
    assert codec.decode(memoryview(b"xx[2]xx")[2:5]) == [2]
    assert codec.encode(bytearray(b"\x01")) == b'{"$bytes":"01"}'
    with pytest.raises(CodecError, match="must be bytes, got str"):
        codec.decode("[1]")  # type: ignore[arg-type]


def test_a_value_that_refers_to_itself_is_refused_not_overflowed() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(UnencodableError, match="nests deeper"):
        codec.encode(loop)
    table: dict[str, Any] = {}
    table["self"] = table
    with pytest.raises(UnencodableError, match="nests deeper"):
        codec.encode(table)


def test_a_failed_encode_or_decode_leaves_nothing_behind() -> None:
    value = {"a": [1, 2.5]}
    with pytest.raises(UnencodableError):
        codec.encode(value)
    assert value == {"a": [1, 2.5]}
    assert codec.encode({"a": [1, 2]}) == b'{"a":[1,2]}'
    with pytest.raises(CodecError):
        codec.decode(b'{"a":[1,2]')
    assert codec.decode(b'{"a":[1,2]}') == {"a": [1, 2]}
