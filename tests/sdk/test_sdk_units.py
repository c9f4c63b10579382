"""SDK pieces that need no node: error codes, URL parameters, chain ids, state keys."""

from __future__ import annotations

import pytest

from tonomy import errors
from tonomy.sdk import LoginParameterError, PaymentNotMadeError, TransactionFailedError, parse_chain_id
from tonomy.sdk.login import b64url_decode, b64url_encode, with_query
from tonomy.sdk.node_api import plugin_state_key, split_state_key

SDK_CODES = {
    "client.transaction_failed": TransactionFailedError,
    "client.payment_not_made": PaymentNotMadeError,
    "client.bad_login_parameter": LoginParameterError,
}


def test_codes_are_registered_once() -> None:
    for code, cls in SDK_CODES.items():
        assert errors.ERRORS_BY_CODE[code] is cls
    assert errors.from_core("client.payment_not_made", "x").__class__ is PaymentNotMadeError


@pytest.mark.parametrize("data", [b"\x00", b"\xff" * 3, bytes(range(256))])
def test_base64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text, "x") == data


@pytest.mark.parametrize("text", ["", "A", "AA==", "AB/+", "A A", "AB\n", "AB", "AAB", "é", "A" * 4097])
def test_base64url_refuses_other_spellings(text: str) -> None:
    if text in ("AB", "AAB"):  # non-zero trailing bits: another spelling of the same bytes
        text = text[:-1] + "F"
    with pytest.raises(LoginParameterError) as bad:
        b64url_decode(text, "x")
    assert bad.value.code == "client.bad_login_parameter"


def test_with_query_appends() -> None:
    assert with_query("https://a.example/cb", "response", "xy") == "https://a.example/cb?response=xy"
    assert with_query("https://a.example/cb?s=1", "response", "xy") == "https://a.example/cb?s=1&response=xy"


def test_chain_ids() -> None:
    assert parse_chain_id("ab" * 32) == b"\xab" * 32
    assert parse_chain_id(None) is None
    for bad in ("ab", "zz" * 32, b"\x00" * 31, 5):
        with pytest.raises(ValueError):
            parse_chain_id(bad)  # type: ignore[arg-type]


def test_state_keys_split_back() -> None:
    for plugin, key in (("pay", b"bal/alice/TONO"), ("tonomy", b"acct/alice"), ("identity", b"app/shop")):
        assert split_state_key(plugin_state_key(plugin, key)) == (plugin, key)
    for bad in (b"", b"p/", b"p/pay", b"p/pay/", b"x/pay/k"):
        with pytest.raises(ValueError):
            split_state_key(bad)


def test_offered_set_takes_only_the_set_the_header_names() -> None:
    from tonomy.chain import validator_set
    from tonomy.sdk.trust import offered_set

    keys = [bytes([i]) * 32 for i in range(1, 5)]
    wanted = validator_set.normalized([(key, 1) for key in keys[:3]])
    entry = {"effective": 9, "validators": [{"key": key.hex(), "power": power} for key, power in wanted]}
    other = {"effective": 1, "validators": [{"key": key.hex(), "power": 1} for key in keys]}
    assert offered_set({"schedule": [other, entry]}, validator_set.set_hash(wanted)) == wanted
    # A node cannot pass off another set, a malformed one or a changed power under the named hash.
    forged = {"effective": 9, "validators": [{"key": key.hex(), "power": 2} for key, _ in wanted]}
    hostile = [None, [], {"schedule": "x"}, {"schedule": [None, {"validators": "x"}, {"validators": [{"key": "zz", "power": 1}]}]},
               {"schedule": [other, forged]}, {"schedule": [{"validators": [{"key": keys[0].hex(), "power": -1}]}]}]
    for answer in hostile:
        assert offered_set(answer, validator_set.set_hash(wanted)) is None
