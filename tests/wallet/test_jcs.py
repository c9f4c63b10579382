"""RFC 8785 (JCS) canonicalisation and the strict parser for untrusted JSON."""

from __future__ import annotations

import pytest

from tonomy.errors import CredentialError
from tonomy.wallet import jcs


def test_rfc8785_property_sorting_example() -> None:
    # RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji is a surrogate pair
    # and so sorts before U+FB33, unlike a sort by code points).
    value = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
    keys = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    expected = "{" + ",".join(jcs._string(k) + ":" + jcs._string(value[k]) for k in keys) + "}"
    assert jcs.canonicalize(value) == expected.encode()
    assert sorted(value) != keys  # a code-point sort would differ: the test can fail


def test_rfc8785_string_escaping_example() -> None:
    # RFC 8785 §3.2.2.2 input: "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"
    parsed = jcs.parse(r'{"string": "\u20ac$\u000F\u000aA' + "'" + r'\u0042\u0022\u005c\\\"\/"}')
    assert jcs.canonicalize(parsed) == '{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'.encode()


def test_rfc8785_literals_and_integers() -> None:
    assert jcs.canonicalize({"literals": [None, True, False], "n": [0, -1, 9007199254740991]}) == (
        b'{"literals":[null,true,false],"n":[0,-1,9007199254740991]}'
    )


def test_non_canonical_input_reserialises() -> None:
    text = b'{ "b" : 1,\n "a" : [ true , "\\u00e9" ] }'
    assert not jcs.is_canonical(text)
    assert jcs.canonicalize(jcs.parse(text)) == '{"a":[true,"é"],"b":1}'.encode()
    assert jcs.is_canonical('{"a":[true,"é"],"b":1}'.encode())


@pytest.mark.parametrize(
    "text",
    [
        b"[" * 10_000 + b"]" * 10_000,  # deep nesting
        b'{"a":' * 40 + b"1" + b"}" * 40,
        b"1" + b"0" * 400,  # huge number
        b"9007199254740992",  # just beyond the exact range
        b"1.5",
        b"1e3",
        b"NaN",
        b"Infinity",
        b'{"a":1,"a":2}',  # duplicate keys
        b'"\\ud800"',  # lone surrogate
        b"\xff\xfe",
        b"{",
        b"",
        b" " * (jcs.MAX_TEXT + 1),
    ],
)
def test_hostile_json_refused(text: bytes) -> None:
    with pytest.raises(CredentialError) as caught:
        jcs.parse(text)
    assert caught.value.code == "credential.invalid_json"


def test_canonicalize_refuses_outside_subset() -> None:
    for bad in (1.5, {1: "x"}, 2**53, object(), _nest(40)):
        with pytest.raises(CredentialError):
            jcs.canonicalize(bad)


def _nest(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value
