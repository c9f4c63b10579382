"""The canonical codec: one value, one byte string; anything else is refused with a code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy.chain import codec
from tonomy.chain.codec import MAX_DEPTH, MAX_ENCODED_SIZE, MAX_INT, MIN_INT, decode, encode
from tonomy.errors import CodecError, MalformedError, UnencodableError


def test_encoding_is_sorted_compact_utf8() -> None:
    value = {"b": [1, True, None, b"\x01\xab"], "a": "é\n\x7f\"\\", "c": {"z": -5, "y": ""}}
    data = encode(value)
    assert data == '{"a":"é\\n\x7f\\"\\\\","b":[1,true,null,{"$bytes":"01ab"}],"c":{"y":"","z":-5}}'.encode()
    assert decode(data) == value


def test_keys_sort_by_code_point_which_is_utf8_byte_order() -> None:
    keys = ["b", "a", "B", "é", "\U0001f600", "\uffff", "aa", ""]
    data = encode({k: 0 for k in keys})
    ordered = list(decode(data))
    assert ordered == sorted(keys)
    assert [k.encode() for k in ordered] == sorted(k.encode() for k in keys)


def test_bool_and_int_stay_distinct() -> None:
    assert encode(True) == b"true"
    assert encode(1) == b"1"
    assert decode(b"true") is True
    assert type(decode(b"1")) is int
    assert encode([0, False]) != encode([0, 0])


def test_control_characters_use_the_fixed_escapes() -> None:
    assert encode("\x00\x1f\b\t") == b'"\\u0000\\u001f\\b\\t"'
    assert decode(b'"\\u0000\\u001f\\b\\t"') == "\x00\x1f\b\t"


def test_tuples_encode_as_arrays() -> None:
    assert encode((1, (2,))) == b"[1,[2]]"
    assert decode(encode((1, (2,)))) == [1, [2]]


def test_int_range_is_i128_or_u128() -> None:
    assert decode(encode(MIN_INT)) == MIN_INT
    assert decode(encode(MAX_INT)) == MAX_INT
    for out_of_range in (MIN_INT - 1, MAX_INT + 1, 10**100):
        with pytest.raises(UnencodableError) as info:
            encode(out_of_range)
        assert info.value.code == "codec.unencodable"
        with pytest.raises(CodecError):
            decode(str(out_of_range).encode())


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        float("nan"),
        float("inf"),
        {1: "int key"},
        {("t",): 1},
        {"$bytes": "00"},
        {"$other": 1},
        {1.5},
        object(),
        "lone \ud800 surrogate",
        {"nested": [1.0]},
    ],
    ids=repr,
)
def test_unencodable_values_are_refused_with_a_code(value: Any) -> None:
    with pytest.raises(UnencodableError) as info:
        encode(value)
    assert info.value.code == "codec.unencodable"
    assert isinstance(info.value, ValueError)


def test_subclasses_of_int_and_str_are_refused() -> None:
    from enum import IntEnum, StrEnum

    class Number(IntEnum):
        ONE = 1

    class Word(StrEnum):
        A = "a"

    for value in (Number.ONE, Word.A):
        with pytest.raises(UnencodableError):
            encode(value)


def test_depth_limit_is_exact() -> None:
    deepest: Any = 0
    for _ in range(MAX_DEPTH):
        deepest = [deepest]
    assert decode(encode(deepest)) == deepest
    with pytest.raises(UnencodableError, match="nests deeper"):
        encode([deepest])
    with pytest.raises(CodecError):
        decode(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_bytes_tag_does_not_count_as_a_level() -> None:
    deepest: Any = b"\x00"
    for _ in range(MAX_DEPTH):
        deepest = [deepest]
    assert decode(encode(deepest)) == deepest


def test_size_limit_applies_both_ways() -> None:
    with pytest.raises(UnencodableError, match="above the limit"):
        encode("x" * MAX_ENCODED_SIZE)
    with pytest.raises(CodecError, match="above the limit"):
        decode(b'"' + b"x" * MAX_ENCODED_SIZE + b'"')


NON_CANONICAL = [
    b"",
    b" 1",
    b"1 ",
    b"1\n",
    b'{"a":1, "b":2}',
    b'{"a": 1}',
    b'{"b":1,"a":2}',
    b'{"a":1,"a":1}',
    b"[1,2,]",
    b"01",
    b"-0",
    b"+1",
    b"1.0",
    b"1e3",
    b"1E3",
    b"0.5",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b'"\\u0041"',
    b'"\\/"',
    b'"\\u00e9"',
    b'"\\ud800"',
    b'"\\ud83d\\ude00"',
    b'"\x01"',
    b'"\\u001F"',
    b"True",
    b"nul",
    b'{"$bytes":"AB"}',
    b'{"$bytes":"abc"}',
    b'{"$bytes":"a b"}',
    b'{"$bytes":1}',
    b'{"$bytes":"00","x":1}',
    b'{"$x":1}',
    b"\xef\xbb\xbf1",
    b'"\xff"',
    b'"\xc3"',
    b"1" * 41,
    b"1" * 5000,
    b"-" + b"9" * 100000,
    b"[" * 100000,
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 100 + b"1" + b"}" * 100,
    b"\x00",
]


@pytest.mark.parametrize("data", NON_CANONICAL, ids=lambda d: repr(d[:24]))
def test_non_canonical_or_hostile_input_is_refused_with_a_code(data: bytes) -> None:
    with pytest.raises(CodecError) as info:
        decode(data)
    assert info.value.code == "codec.malformed"
    assert isinstance(info.value, MalformedError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("data", ["1", 1, None, [1]], ids=repr)
def test_non_bytes_input_is_refused(data: Any) -> None:
    with pytest.raises(CodecError, match="must be bytes"):
        decode(data)


def test_bytearray_and_memoryview_input_are_read() -> None:
    assert decode(bytearray(b"[1]")) == [1]
    assert decode(memoryview(b"[1]")) == [1]


def test_non_canonical_spelling_of_an_otherwise_valid_value_is_refused() -> None:
    assert decode(b'{"a":[1,2]}') == {"a": [1, 2]}
    with pytest.raises(CodecError, match="canonical"):
        decode(b'{"a":[1, 2]}')


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=MIN_INT, max_value=MAX_INT)
    | st.text()
    | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text().filter(lambda k: not k.startswith("$")), inner, max_size=5),
    max_leaves=30,
)


def _without_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return not any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list):
        return all(_without_surrogates(v) for v in value)
    if isinstance(value, dict):
        return all(_without_surrogates(k) and _without_surrogates(v) for k, v in value.items())
    return True


@settings(max_examples=300)
@given(_values)
def test_round_trip_is_exact_and_unique(value: Any) -> None:
    if not _without_surrogates(value):
        with pytest.raises(UnencodableError):
            encode(value)
        return
    data = encode(value)
    back = decode(data)
    assert back == value
    assert encode(back) == data


@settings(max_examples=300)
@given(_values, st.data())
def test_every_single_byte_mutation_is_refused_or_is_another_canonical_value(value: Any, data: st.DataObject) -> None:
    if not _without_surrogates(value):
        return
    original = encode(value)
    position = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
    mutated = original[:position] + bytes([replacement]) + original[position + 1 :]
    try:
        decoded = decode(mutated)
    except CodecError:
        return
    assert encode(decoded) == mutated
    assert decoded != value or type(decoded) is not type(value)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_only_if_canonical(data: bytes) -> None:
    try:
        value = decode(data)
    except CodecError:
        return
    assert encode(value) == data


def test_module_api_is_small() -> None:
    assert set(codec.__all__) == {"MAX_DEPTH", "MAX_ENCODED_SIZE", "MAX_INT", "MIN_INT", "decode", "encode"}


def test_remembered_values_are_handed_out_as_fresh_copies() -> None:
    data = encode({"owner": "alice", "amount": 5, "raw": b"\x01"})
    first = decode(data)
    first["amount"] = 999  # a caller changing what it got
    first["extra"] = True
    second = decode(data)
    assert second == {"owner": "alice", "amount": 5, "raw": b"\x01"} and second is not first
    items = decode(encode([1, "a"]))
    items.append(2)
    assert decode(encode([1, "a"])) == [1, "a"]


def test_nested_values_decode_the_same_every_time() -> None:
    data = encode({"a": [1, {"b": 2}]})
    first = decode(data)
    first["a"][1]["b"] = 3  # nested values are not remembered, so this cannot leak
    assert decode(data) == {"a": [1, {"b": 2}]}


def test_a_remembered_value_does_not_make_other_spellings_canonical() -> None:
    assert decode(b'{"a":1}') == {"a": 1}
    for other in (b'{ "a":1}', b'{"a":01}', b'{"a":1} '):
        with pytest.raises(CodecError):
            decode(other)


def test_int_fast_path_matches_the_encoder() -> None:
    for value in (0, 1, -1, MAX_INT, MIN_INT, 10**20):
        assert encode(value) == json.dumps(value).encode() and decode(encode(value)) == value
    for bad in (MAX_INT + 1, MIN_INT - 1):
        with pytest.raises(UnencodableError):
            encode(bad)
