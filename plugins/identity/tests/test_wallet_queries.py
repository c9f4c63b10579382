"""What the Tonomy ID pages ask the node (wallet_queries) and the URL forms of login messages (login_wire)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import tonomy_identity
from tonomy.errors import TonomyError
from tonomy.plugin import encode_record
from tonomy.testing.ledger import LedgerNet, public_key, seed
from tonomy_identity import login, login_wire, usernames
from tonomy_identity.crypto import sign

import identity_notes_app as notes_app

from identity_net import Net

ORIGIN = "https://notes.example"
REDIRECT = ORIGIN + "/callback"


@pytest.fixture
def app_net(tmp_path: Any) -> Any:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, notes_app], accounts=["alice", "bob"])
    net = Net(ledger)
    net.create_account("notesapp", "app")
    net.ok([("identity", "register_app", {"account": "notesapp", "name": "Notes", "origin": ORIGIN, "redirect_uris": [REDIRECT],
             "scopes": ["notes.post"], "request_key": public_key("notesapp-req")}, ["notesapp@active"])], ["notesapp"])
    try:
        yield net
    finally:
        ledger.close()


def _client(net: Any) -> login.LoginClient:
    return login.LoginClient("notesapp", ORIGIN, seed("notesapp-req"), net.chain.chain_id)


def _code(call: Any) -> str:
    with pytest.raises(TonomyError) as caught:
        call()
    return caught.value.code


def _consent(net: Any, param: str, observed: str = ORIGIN, chain_id: bytes | None = None) -> Any:
    params = {"request": param, "observed_origin": observed, "chain_id": chain_id or net.chain.chain_id}
    return net.chain.query("identity", "login_consent", params)


# -- usernames ---------------------------------------------------------------------------------


def test_username_hash_query_matches_the_client_hash_and_finds_the_account(app_net: Any) -> None:
    net = app_net
    chain_id = net.chain.chain_id
    digest = usernames.username_hash("Alice.W", chain_id)
    free = net.chain.query("identity", "username_hash", {"username": " alice.w ", "chain_id": chain_id})
    assert free == {"username_hash": digest, "account": None}
    net.ok([("identity", "register_username", {"account": "alice", "username_hash": digest}, ["alice@active"])], ["alice"])
    taken = net.chain.query("identity", "username_hash", {"username": "ALICE.W", "chain_id": chain_id})
    assert taken == {"username_hash": digest, "account": "alice"}


@pytest.mark.parametrize(
    "params, code",
    [
        ({"username": "a", "chain_id": b"\x00" * 32}, "identity.invalid_username"),
        ({"username": "bad..name", "chain_id": b"\x00" * 32}, "identity.invalid_username"),
        ({"username": "x" * 300, "chain_id": b"\x00" * 32}, "core.invalid_input"),
        ({"username": "alice", "chain_id": b"\x00" * 31}, "core.invalid_input"),
        ({"username": "alice"}, "core.invalid_input"),
        ({"username": 5, "chain_id": b"\x00" * 32}, "core.invalid_input"),
    ],
)
def test_username_hash_query_refuses_bad_input(app_net: Any, params: dict[str, Any], code: str) -> None:
    assert _code(lambda: app_net.chain.query("identity", "username_hash", params)) == code


# -- the URL forms -----------------------------------------------------------------------------


def test_request_and_response_round_trip(app_net: Any) -> None:
    signed = _client(app_net).create_request(REDIRECT, ["notes.post"], now_ms=app_net.now)
    text = login_wire.encode_request(signed)
    assert "=" not in text and "+" not in text and "/" not in text
    assert base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)) == signed.request + signed.signature  # docs/sdk.md
    assert login_wire.decode_request(text) == signed
    response = login.sign_response("alice", seed("alice"), signed, b"\x07" * 32)
    assert login_wire.decode_response(login_wire.encode_response(response)) == response


def _param(record: Any) -> str:
    return login_wire.to_param(encode_record(record))


SIG = b"\x01" * 64


@pytest.mark.parametrize(
    "text",
    [
        None, 7, "", "A", "a" * (login_wire.MAX_PARAM + 4), "abc=", "ab+/", "ab cd", "\u00e9\u00e9\u00e9\u00e9",
        login_wire.to_param(b"short"), login_wire.to_param(SIG),
        login_wire.to_param(b"not a record" + SIG),
        login_wire.to_param(b'{"a": 1}' + SIG),
        login_wire.to_param(encode_record([1, 2]) + SIG),
        login_wire.to_param(encode_record({"version": 1}) + SIG),
    ],
)
def test_hostile_request_parameters_are_refused(text: Any) -> None:
    assert _code(lambda: login_wire.decode_request(text)) == "identity.login_rejected"


def test_a_non_canonical_parameter_is_refused(app_net: Any) -> None:
    signed = _client(app_net).create_request(REDIRECT, [], now_ms=app_net.now)
    text = login_wire.encode_request(signed)
    # Same bytes, other spellings: padding, or unused trailing bits set.
    assert _code(lambda: login_wire.decode_request(text + "=" * (-len(text) % 4 or 4))) == "identity.login_rejected"
    if len(text) % 4:
        last = text[-1]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        bumped = text[:-1] + alphabet[(alphabet.index(last) + 1) % 64]
        assert _code(lambda: login_wire.decode_request(bumped)) == "identity.login_rejected"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: {k: v for k, v in r.items() if k != "signature"},
        lambda r: {**r, "extra": 1},
        lambda r: {**r, "account": b"alice"},
        lambda r: {**r, "login_tx": "tx"},
    ],
)
def test_hostile_responses_are_refused(app_net: Any, mutate: Any) -> None:
    signed = _client(app_net).create_request(REDIRECT, [], now_ms=app_net.now)
    response = login.sign_response("alice", seed("alice"), signed, b"\x07" * 32)
    fields = {name: getattr(response, name) for name in login_wire._RESPONSE_FIELDS}
    assert _code(lambda: login_wire.decode_response(_param(mutate(fields)))) == "identity.login_rejected"


# -- consent -----------------------------------------------------------------------------------


def test_consent_query_says_what_the_proven_check_says(app_net: Any) -> None:
    net = app_net
    signed = _client(net).create_request(REDIRECT, ["notes.post"], now_ms=net.now, session_ttl_s=7200)
    proven = login.check_login_request(signed, observed_origin=ORIGIN, app_proofs=login.fetch_app_proofs(net.chain, "notesapp"),
                                       trusted_header=net.chain.head, now_ms=net.now)
    shown = _consent(net, login_wire.encode_request(signed))
    assert shown["text"] == proven.text
    assert (shown["app"], shown["app_name"], shown["origin"], shown["redirect_uri"]) == ("notesapp", "Notes", ORIGIN, REDIRECT)
    assert shown["scopes"] == ["notes.post"] and shown["session_ttl_s"] == 7200 and shown["origin_observed"] is True
    assert (shown["signed_request"], shown["request_signature"]) == (signed.request, signed.signature)


def test_consent_query_refuses_what_the_wallet_must_refuse(app_net: Any) -> None:
    net = app_net
    app = _client(net)
    signed = app.create_request(REDIRECT, ["notes.post"], now_ms=net.now, valid_ms=1000)
    param = login_wire.encode_request(signed)
    assert _code(lambda: _consent(net, param, observed="https://notes-example.evil")) == "identity.wrong_origin"
    # No referrer: the request's own origin stands in (the answer can only reach the app's registered URIs).
    assert _consent(net, param, observed="")["origin_observed"] is False
    assert _code(lambda: _consent(net, param, chain_id=b"\x01" * 32)) == "identity.login_rejected"
    forged = login.SignedLoginRequest(signed.request, sign(seed("mallory"), signed.digest))
    assert _code(lambda: _consent(net, login_wire.encode_request(forged))) == "identity.bad_signature"
    other = login.LoginClient("notesapp", ORIGIN, seed("notesapp-req"), net.chain.chain_id)
    scoped = other.create_request(REDIRECT, ["notes.delete"], now_ms=net.now)
    assert _code(lambda: _consent(net, login_wire.encode_request(scoped))) == "identity.scope_not_allowed"
    redirect = other.create_request(ORIGIN + "/elsewhere", [], now_ms=net.now)
    assert _code(lambda: _consent(net, login_wire.encode_request(redirect))) == "identity.unregistered_redirect"
    stranger = login.LoginClient("bob", ORIGIN, seed("notesapp-req"), net.chain.chain_id).create_request(REDIRECT, [], now_ms=net.now)
    assert _code(lambda: _consent(net, login_wire.encode_request(stranger))) == "identity.unknown_app"
    net.advance(5000)
    assert _code(lambda: _consent(net, param)) == "identity.request_expired"
    for bad in ({"request": "a b", "observed_origin": ORIGIN, "chain_id": net.chain.chain_id},
                {"request": param, "observed_origin": "\n", "chain_id": net.chain.chain_id},
                {"request": param, "observed_origin": ORIGIN}):
        assert _code(lambda: net.chain.query("identity", "login_consent", bad)) == "core.invalid_input"


# -- the response the page signs ----------------------------------------------------------------


def test_a_response_built_from_the_queries_logs_the_app_in(app_net: Any) -> None:
    net = app_net
    app = _client(net)
    signed = app.create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    param = login_wire.encode_request(signed)
    shown = _consent(net, param)
    receipt = net.ok([("identity", "login", {"account": "alice", "request": shown["signed_request"],
                                             "request_signature": shown["request_signature"]}, ["alice@active"])], ["alice"])
    base = {"account": "alice", "request": param, "login_tx": receipt.tx_id}
    digest = net.chain.query("identity", "login_response_digest", base)["digest"]
    signature = sign(seed("alice"), digest)  # what the browser does with its unlocked key
    answer = net.chain.query("identity", "login_response", {**base, "public_key": public_key("alice"), "signature": signature})
    assert answer["redirect"] == REDIRECT
    response = login_wire.decode_response(answer["response"])
    assert response == login.sign_response("alice", seed("alice"), signed, receipt.tx_id)
    session = app.finish(response, login.fetch_response_proofs(net.chain, response), net.chain.head, now_ms=net.now)
    assert session.account == "alice" and session.scopes == ("notes.post",)
    # A signature by another key, or over another digest, gives no response.
    strangers = (public_key("bob"), sign(seed("bob"), digest))
    for key, sig in (strangers, (public_key("alice"), sign(seed("alice"), b"\x00" * 32))):
        refused = {**base, "public_key": key, "signature": sig}
        assert _code(lambda: net.chain.query("identity", "login_response", refused)) == "identity.bad_signature"
    unknown = {**base, "account": "nobody", "public_key": public_key("alice"), "signature": signature}
    assert _code(lambda: net.chain.query("identity", "login_response", unknown)) == "identity.bad_signature"
    for bad in ({**base, "login_tx": b"short"}, {**base, "account": "Not An Account"}, {**base, "request": "!!"}):
        assert _code(lambda: net.chain.query("identity", "login_response_digest", bad)) == "core.invalid_input"
