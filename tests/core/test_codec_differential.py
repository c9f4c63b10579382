"""The core's canonical codec against the pure-Python reference it replaced.

For every value the two encode the same bytes or both refuse; for every input the two
decode the same value (same types, same key order) or both refuse. Inputs are canonical
encodings and hostile variants of them: byte flips, inserted whitespace and syntax,
escapes, reordered keys, re-spellings by the stdlib json module, and raw bytes.
"""

from __future__ import annotations

import enum
import json
from collections import OrderedDict, UserDict, UserList, defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonomy.chain import codec
from tonomy.errors import CodecError, UnencodableError
from tonomy.testing import codec_reference as reference

REFUSED = object()


class Number(enum.IntEnum):
    ONE = 1


class Word(enum.StrEnum):
    A = "a"


class Text(str):
    pass


class Raw(bytes):
    pass


def same(a: Any, b: Any) -> bool:
    """Equal with identical types throughout (True is not 1) and identical key order."""
    if a is REFUSED or b is REFUSED:
        return a is b
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def outcome(run: Any, argument: Any, refusal: type[CodecError | UnencodableError]) -> Any:
    """What ``run(argument)`` returns, or REFUSED if it raises ``refusal`` (checked by code)."""
    try:
        return run(argument)
    except refusal as exc:
        assert exc.code == refusal.code
        return REFUSED


def encoded(module: Any, value: Any) -> Any:
    return outcome(module.encode, value, UnencodableError)


def decoded(module: Any, data: Any) -> Any:
    return outcome(module.decode, data, CodecError)


def assert_same_decoding(data: bytes) -> None:
    expected = decoded(reference, data)
    got = decoded(codec, data)
    assert same(got, expected), (data[:200], got, expected)


# --- values, including every kind the codec must refuse ---------------------------------

_keys = st.text(max_size=6) | st.sampled_from(["$bytes", "$x", "$", "a$", "#", "\x00", "\ud800", "é", "\U0001f600"])
_odd_keys = st.integers(-2, 2) | st.none() | st.booleans() | st.builds(Text, st.text(max_size=3)) | st.just(("t",))

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=reference.MIN_INT, max_value=reference.MAX_INT)
    | st.sampled_from([reference.MIN_INT - 1, reference.MAX_INT + 1, -(1 << 63), (1 << 63) - 1, 1 << 63, 1 << 127, 10**100])
    | st.text()
    | st.binary(max_size=40)
    | st.binary(max_size=8).map(bytearray)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([Number.ONE, Word.A, Text("x"), Raw(b"x"), memoryview(b"x"), frozenset(), set(), 1j, object(), type])
    | st.sampled_from([OrderedDict(a=1), defaultdict(int), UserDict(a=1), UserList([1]), range(2), iter([1])])
)

_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(_keys, inner, max_size=5)
    | st.dictionaries(_odd_keys, inner, min_size=1, max_size=2),
    max_leaves=30,
)

_encodable = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=reference.MIN_INT, max_value=reference.MAX_INT)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]))
    | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(alphabet=st.characters(exclude_categories=["Cs"])).filter(lambda k: not k.startswith("$")), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(_values)
def test_encode_matches_the_reference_or_both_refuse(value: Any) -> None:
    assert encoded(codec, value) == encoded(reference, value)


@given(st.integers(min_value=0, max_value=40), st.sampled_from(["list", "tuple", "dict", "bytes-leaf", "empty-dict"]))
def test_depth_limit_matches_the_reference(levels: int, kind: str) -> None:
    leaf: Any = b"\x00" if kind == "bytes-leaf" else ({} if kind == "empty-dict" else 0)
    value = leaf
    for _ in range(levels):
        value = {"k": value} if kind == "dict" else ((value,) if kind == "tuple" else [value])
    data = encoded(reference, value)
    assert encoded(codec, value) == data
    if data is not REFUSED:
        assert_same_decoding(data)
    # The same nesting spelled directly, which the encoder could not have produced when too deep.
    assert_same_decoding(b"[" * levels + b"{}" + b"]" * levels)
    assert_same_decoding(b"[" * levels + b'{"$bytes":"00"}' + b"]" * levels)


@settings(max_examples=400)
@given(_encodable)
def test_decode_of_every_canonical_encoding_matches(value: Any) -> None:
    data = reference.encode(value)
    assert codec.encode(value) == data
    back = codec.decode(data)
    assert same(back, reference.decode(data))
    assert codec.encode(back) == data


# --- hostile variants of canonical encodings ---------------------------------------------

_INSERTS = [b" ", b"\t", b"\n", b"\r", b",", b":", b"0", b"-", b"+", b".", b"e", b"E", b'"', b"\\", b"{", b"}", b"[", b"]"]
_ESCAPES = [
    b"\\u0041", b"\\u000a", b"\\u000A", b"\\n", b"\\/", b"\\u00e9", b"\\ud800", b"\\ud83d\\ude00", b"\\u001F",
    b"\\u001f", b"\\u0000", b'\\"', b"\\\\", b"\\b", b"\\u0008", b"\\x", b"\\u00", b"\\u0020", b"\\U0001",
]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(reference.encode(draw(_encodable)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["flip", "insert", "delete", "escape", "upper", "duplicate"]))
        if how == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.sampled_from(_INSERTS))
        elif how == "delete" and at < len(data):
            del data[at]
        elif how == "escape":
            data[at:at] = draw(st.sampled_from(_ESCAPES))
        elif how == "upper":
            data[at:] = bytes(data[at:]).upper()
        elif how == "duplicate" and at < len(data):
            end = draw(st.integers(at, len(data)))
            data[at:at] = data[at:end]
    return bytes(data)


@settings(max_examples=1500)
@given(_mutated())
def test_mutated_encodings_decode_the_same_or_are_refused_by_both(data: bytes) -> None:
    assert_same_decoding(data)


@settings(max_examples=400)
@given(st.dictionaries(st.text(max_size=4).filter(lambda k: not k.startswith("$")), _encodable, min_size=2, max_size=5), st.randoms())
def test_reordered_keys_are_refused_by_both(value: dict[str, Any], rng: Any) -> None:
    items = list(json.loads(reference.encode(value)).items())
    rng.shuffle(items)
    text = "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for k, v in items) + "}"
    assert_same_decoding(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=400)
@given(_encodable, st.sampled_from([{"ensure_ascii": True}, {"indent": 1}, {"separators": (", ", ": ")}, {"sort_keys": False}]))
def test_other_json_spellings_are_judged_the_same(value: Any, options: dict[str, Any]) -> None:
    plain = json.loads(reference.encode(value))
    text = json.dumps(plain, **{"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False, **options})
    assert_same_decoding(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=800)
@given(st.binary(max_size=48) | st.text(alphabet='{}[]",:-0123456789.eEtrufalsn\\$bytes ', max_size=40).map(str.encode))
def test_arbitrary_input_is_judged_the_same(data: bytes) -> None:
    assert_same_decoding(data)


def test_hostile_sizes_and_lengths_are_judged_the_same() -> None:
    for data in (
        b"1" * 40,
        b"1" * 41,
        b"-" + b"9" * 39,
        b"-" + b"9" * 10_000,
        b"[" * 100_000,
        b"[" * 32 + b"]" * 32,
        b"[" * 33 + b"]" * 33,
        b'{"a":' * 40 + b"1" + b"}" * 40,
        b'"' + b"x" * (reference.MAX_ENCODED_SIZE - 2) + b'"',
        b'"' + b"x" * (reference.MAX_ENCODED_SIZE - 1) + b'"',
        b'{"$bytes":"' + b"ab" * 1000 + b'"}',
        str(reference.MIN_INT).encode(),
        str(reference.MIN_INT - 1).encode(),
        str(reference.MAX_INT).encode(),
        str(reference.MAX_INT + 1).encode(),
    ):
        assert_same_decoding(data)


def test_input_types_are_judged_the_same() -> None:
    import array

    for data in ("1", 1, None, [1], array.array("b", b"1"), Raw(b"[1]"), bytearray(b"[1]"), memoryview(b'{"a":1}')):
        assert same(decoded(codec, data), decoded(reference, data)), data
