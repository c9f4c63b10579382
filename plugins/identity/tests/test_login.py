"""Login with Tonomy on a real chain: consent, app-scoped permission, offline verification, attacks."""

from __future__ import annotations

from typing import Any

import pytest

import tonomy_identity
from tonomy.errors import TonomyError, TransactionUnauthorizedError
from tonomy.testing.ledger import LedgerNet, public_key, seed
from tonomy_identity import login
from tonomy_identity.errors import LoginRejectedError
from tonomy_identity.sessions import app_permission

import identity_notes_app as notes_app

from identity_net import Net

ORIGIN = "https://notes.example"
REDIRECT = "https://notes.example/callback"
HOUR_MS = 3_600_000


@pytest.fixture
def app_net(tmp_path: Any) -> Any:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, notes_app], accounts=["alice", "bob", "mallory"])
    net = Net(ledger)
    net.create_account("notesapp", "app")
    net.create_account("evilapp", "app", creator="mallory")
    for app, origin in (("notesapp", ORIGIN), ("evilapp", "https://notes-example.evil")):
        net.ok([("identity", "register_app", {"account": app, "name": app.title(), "origin": origin,
                 "redirect_uris": [origin + "/callback"], "scopes": ["notes.post"], "request_key": public_key(app + "-req")},
                 [f"{app}@active"])], [app])
    try:
        yield net
    finally:
        ledger.close()


def client(net: Any, app: str = "notesapp", origin: str = ORIGIN) -> login.LoginClient:
    return login.LoginClient(app, origin, seed(app + "-req"), net.chain.chain_id)


def consent(net: Any, signed: login.SignedLoginRequest, observed: str = ORIGIN, app: str = "notesapp") -> login.Consent:
    return login.check_login_request(signed, observed_origin=observed, app_proofs=login.fetch_app_proofs(net.chain, app),
                                     trusted_header=net.chain.head, now_ms=net.now)


def wallet_login(net: Any, signed: login.SignedLoginRequest, user: str = "alice") -> tuple[Any, login.LoginResponse]:
    plugin, name, data = login.login_action(user, signed)
    receipt = net.send([(plugin, name, data, [f"{user}@active"])], [user])
    return receipt, login.sign_response(user, seed(user), signed, receipt.tx_id)


def full_login(net: Any, app_client: login.LoginClient) -> tuple[login.LoginSession, login.LoginResponse, login.SignedLoginRequest]:
    signed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    consent(net, signed)
    receipt, response = wallet_login(net, signed)
    assert receipt.status == "executed", receipt.error_message
    proofs = login.fetch_response_proofs(net.chain, response)
    session = app_client.finish(response, proofs, net.chain.head, now_ms=net.now)
    return session, response, signed


def test_happy_path(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    signed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now, session_ttl_s=3600)
    shown = consent(net, signed)
    assert (shown.app, shown.origin, shown.redirect_uri, shown.scopes) == ("notesapp", ORIGIN, REDIRECT, ("notes.post",))
    assert "Notesapp" in shown.text and "notes.post" in shown.text
    receipt, response = wallet_login(net, signed)
    assert receipt.status == "executed"
    # The user now has an app-scoped permission only the identity plugin can exercise.
    perm = app_permission("notesapp")
    info = net.account("alice")
    created = [p for p in info["permissions"] if p["name"] == perm]
    assert created and created[0]["parent"] == "active" and created[0]["authority"]["keys"] == []
    assert {"plugin": "notes", "action": "post", "permission": perm} in info["links"]
    session = app_client.finish(response, login.fetch_response_proofs(net.chain, response), net.chain.head, now_ms=net.now)
    assert session.account == "alice" and session.permission == perm
    # The app acts for alice within its scope, through the plugin, with the session key.
    call = session.call_data("notes", "post", {"author": "alice", "text": "hello"})
    posted = net.ok([("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    assert [e.name for e in posted.events] == ["posted"]
    assert net.chain.query("identity", "session", {"account": "alice", "app": "notesapp"})["seq"] == 1
    # The same call again is a replay (sequence number), and out of scope is refused.
    net.fails("identity.bad_sequence", [("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    other = session.call_data("notes", "delete_all", {"author": "alice"})
    net.fails("identity.scope_not_allowed", [("identity", "session_call", other, ["notesapp@active"])], ["notesapp"])
    # A forged call (another key) is refused; failed calls do not advance the sequence.
    session.seq = 1
    forged = dict(session.call_data("notes", "post", {"author": "alice", "text": "x"}), signature=bytes(64))
    net.fails("identity.bad_signature", [("identity", "session_call", forged, ["notesapp@active"])], ["notesapp"])


def test_session_permission_cannot_be_used_directly(app_net: Any) -> None:
    net = app_net
    full_login(net, client(net))
    perm = app_permission("notesapp")
    with pytest.raises(TransactionUnauthorizedError):
        net.send([("notes", "post", {"author": "alice", "text": "x"}, [f"alice@{perm}"])], ["notesapp"])


def test_replayed_response_is_refused(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    session, response, _ = full_login(net, app_client)
    proofs = login.fetch_response_proofs(net.chain, response)
    with pytest.raises(LoginRejectedError) as caught:
        app_client.finish(response, proofs, net.chain.head, now_ms=net.now)
    assert caught.value.code == "identity.replayed"
    # An old response presented against a newer request of the same app: the session nonce differs.
    newer = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    wallet_login(net, newer)
    with pytest.raises(LoginRejectedError) as caught:
        login.verify_response(response, newer, login.fetch_response_proofs(net.chain, response),
                              net.chain.head, expected_origin=ORIGIN, now_ms=net.now)
    assert caught.value.code == "identity.login_rejected"


def test_replayed_request_is_refused_on_chain(app_net: Any) -> None:
    net = app_net
    signed = client(net).create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    assert wallet_login(net, signed)[0].status == "executed"
    assert wallet_login(net, signed, user="bob")[0].error_code == "identity.replayed"


def test_wrong_origin(app_net: Any) -> None:
    net = app_net
    signed = client(net).create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    # A phishing page relays the genuine request: the wallet sees the page's origin.
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, signed, observed="https://notes-example.evil")
    assert caught.value.code == "identity.wrong_origin"
    # An app claiming another app's origin is refused by the wallet and by the chain.
    fake = login.LoginClient("evilapp", ORIGIN, seed("evilapp-req"), net.chain.chain_id)
    forged = fake.create_request(ORIGIN + "/callback", ["notes.post"], now_ms=net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, forged, app="evilapp")
    assert caught.value.code == "identity.wrong_origin"
    assert wallet_login(net, forged)[0].error_code == "identity.wrong_origin"
    # The app refuses a response meant for another origin.
    app_client = client(net)
    _, response, signed_ok = full_login(net, app_client)
    with pytest.raises(LoginRejectedError) as caught:
        login.verify_response(response, signed_ok, login.fetch_response_proofs(net.chain, response), net.chain.head,
                              expected_origin="https://notes-example.evil", now_ms=net.now)
    assert caught.value.code == "identity.wrong_origin"


def test_request_signed_by_another_key(app_net: Any) -> None:
    net = app_net
    impostor = login.LoginClient("notesapp", ORIGIN, seed("not-the-app"), net.chain.chain_id)
    signed = impostor.create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, signed)
    assert caught.value.code == "identity.bad_signature"
    assert wallet_login(net, signed)[0].error_code == "identity.bad_signature"


def test_expired_request(app_net: Any) -> None:
    net = app_net
    signed = client(net).create_request(REDIRECT, ["notes.post"], now_ms=net.now, valid_ms=60_000)
    net.advance(HOUR_MS)
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, signed)
    assert caught.value.code == "identity.request_expired"
    assert wallet_login(net, signed)[0].error_code == "identity.request_expired"


def test_revoked_session(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    session, response, signed = full_login(net, app_client)
    net.ok([("identity", "revoke_session", {"account": "alice", "app": "notesapp"}, ["alice@active"])], ["alice"])
    info = net.account("alice")
    assert app_permission("notesapp") not in {p["name"] for p in info["permissions"]}
    assert not [link for link in info["links"] if link["plugin"] == "notes"]
    call = session.call_data("notes", "post", {"author": "alice", "text": "after revoke"})
    net.fails("identity.session_revoked", [("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    with pytest.raises(LoginRejectedError) as caught:
        login.verify_response(response, signed, login.fetch_response_proofs(net.chain, response), net.chain.head,
                              expected_origin=ORIGIN, now_ms=net.now)
    assert caught.value.code == "identity.session_revoked"


def test_expired_session(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    signed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now, session_ttl_s=60)
    _, response = wallet_login(net, signed)
    session = app_client.finish(response, login.fetch_response_proofs(net.chain, response), net.chain.head, now_ms=net.now)
    net.advance(120_000)
    call = session.call_data("notes", "post", {"author": "alice", "text": "late"})
    net.fails("identity.session_expired", [("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])


def test_unregistered_redirect_uri(app_net: Any) -> None:
    net = app_net
    signed = client(net).create_request("https://notes.example/elsewhere", ["notes.post"], now_ms=net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, signed)
    assert caught.value.code == "identity.unregistered_redirect"
    assert wallet_login(net, signed)[0].error_code == "identity.unregistered_redirect"
    # Registering a redirect outside the app's origin is refused too.
    net.create_account("otherapp", "app")
    net.fails("identity.unregistered_redirect", [("identity", "register_app", {"account": "otherapp", "name": "N",
              "origin": ORIGIN, "redirect_uris": ["https://evil.example/cb"], "scopes": [], "request_key": bytes(32)},
              ["otherapp@active"])], ["otherapp"])


def test_scope_not_registered(app_net: Any) -> None:
    net = app_net
    signed = client(net).create_request(REDIRECT, ["notes.delete_all"], now_ms=net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(net, signed)
    assert caught.value.code == "identity.scope_not_allowed"
    assert wallet_login(net, signed)[0].error_code == "identity.scope_not_allowed"


def test_response_signed_by_someone_else(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    signed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    receipt, _ = wallet_login(net, signed)
    forged = login.sign_response("alice", seed("mallory"), signed, receipt.tx_id)
    with pytest.raises(LoginRejectedError) as caught:
        app_client.finish(forged, login.fetch_response_proofs(net.chain, forged), net.chain.head, now_ms=net.now)
    assert caught.value.code == "identity.bad_signature"


def test_only_app_accounts_register_apps(app_net: Any) -> None:
    app_net.fails("identity.wrong_account_type", [("identity", "register_app", {"account": "alice", "name": "A",
                  "origin": ORIGIN, "redirect_uris": [REDIRECT], "scopes": [], "request_key": bytes(32)},
                  ["alice@active"])], ["alice"])


@pytest.mark.parametrize("garbage", [b"", b"{}", b"not json", b'{"version":1}', b"\xff" * 100])
def test_hostile_request_bytes(app_net: Any, garbage: bytes) -> None:
    signed = login.SignedLoginRequest(garbage, bytes(64))
    with pytest.raises(LoginRejectedError):
        consent(app_net, signed)
    receipt, _ = app_net.send([("identity", "login", {"account": "alice", "request": garbage, "request_signature": bytes(64)},
                                ["alice@active"])], ["alice"]), None
    assert receipt.error_code == "identity.login_rejected"


def test_login_again_after_revoking(app_net: Any) -> None:
    net = app_net
    app_client = client(net)
    full_login(net, app_client)
    net.ok([("identity", "revoke_session", {"account": "alice", "app": "notesapp"}, ["alice@active"])], ["alice"])
    net.fails("identity.unknown_session", [("identity", "revoke_session", {"account": "alice", "app": "notesapp"},
                                            ["alice@active"])], ["alice"])
    session, _, _ = full_login(net, app_client)
    call = session.call_data("notes", "post", {"author": "alice", "text": "back"})
    net.ok([("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])


@pytest.mark.parametrize("data", [b"", b"[]", b"not a record", b'{"author":"alice","text":"x"} '])
def test_hostile_session_call_data(app_net: Any, data: bytes) -> None:
    from tonomy_identity.sessions import call_digest

    net = app_net
    session, _, _ = full_login(net, client(net))
    digest = call_digest("alice", "notesapp", session.nonce, 1, "notes", "post", data)
    call = {"account": "alice", "app": "notesapp", "seq": 1, "plugin": "notes", "action": "post", "data": data,
            "signature": seed_sign(session.session_seed, digest)}
    net.fails("identity.login_rejected", [("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    assert net.chain.query("identity", "session", {"account": "alice", "app": "notesapp"})["seq"] == 0


def seed_sign(session_seed: bytes, digest: bytes) -> bytes:
    from tonomy_identity.crypto import sign

    return sign(session_seed, digest)


def test_replay_reproduces_every_state_root(app_net: Any, tmp_path: Any) -> None:
    from tonomy.chain.chain import replay

    net = app_net
    session, _, _ = full_login(net, client(net))
    net.ok([("identity", "session_call", session.call_data("notes", "post", {"author": "alice", "text": "hi"}),
             ["notesapp@active"])], ["notesapp"])
    net.ok([("identity", "revoke_session", {"account": "alice", "app": "notesapp"}, ["alice@active"])], ["alice"])
    expected = {h: net.chain.get_block(h).header.state_root for h in range(net.chain.height + 1)}
    ledger = net.ledger
    ledger.close()
    assert replay(ledger.data_dir, ledger.genesis, ledger.manager, into=tmp_path / "replayed") == expected
    ledger.reopen()


def test_login_refuses_a_permission_the_plugin_did_not_set(app_net: Any) -> None:
    net = app_net
    own = {"threshold": 1, "keys": [{"key": public_key("alice"), "weight": 1}], "accounts": [], "waits": []}
    net.ok([("tonomy", "updateauth", {"account": "alice", "permission": app_permission("notesapp"), "parent": "active",
                                      "authority": own}, ["alice@active"])], ["alice"])
    signed = client(net).create_request(REDIRECT, ["notes.post"], now_ms=net.now)
    assert wallet_login(net, signed)[0].error_code == "identity.login_rejected"


def test_used_nonces_are_pruned_after_their_requests_expire(app_net: Any) -> None:
    from tonomy_identity import layout

    net = app_net
    app_client = client(net)
    first = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now, valid_ms=60_000)
    wallet_login(net, first)
    stored = layout.request_nonce_key("notesapp", first.record["expires_ms"], first.record["nonce"])
    assert net.chain.get_state("identity", stored)[0] is not None
    net.advance(HOUR_MS)
    wallet_login(net, app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now))
    assert net.chain.get_state("identity", stored)[0] is None
    # The pruned request still cannot run again: it expired.
    assert wallet_login(net, first, user="bob")[0].error_code == "identity.request_expired"


def test_app_origins_lists_every_registered_origin_once(app_net: Any) -> None:
    """The node's CORS allow-list: registered origins only, sorted, no duplicates."""
    assert app_net.chain.query("identity", "app_origins", {}) == {"origins": ["https://notes-example.evil", ORIGIN]}
    app_net.create_account("notes2", "app")
    second = {"account": "notes2", "name": "Notes 2", "origin": ORIGIN, "redirect_uris": [REDIRECT], "scopes": [],
              "request_key": public_key("notes2-req")}
    app_net.fails("identity.origin_taken", [("identity", "register_app", second, ["notes2@active"])], ["notes2"])
    app_net.ok([("identity", "register_app", dict(second, origin="https://a.example", redirect_uris=["https://a.example/cb"]),
                 ["notes2@active"])], ["notes2"])
    assert app_net.chain.query("identity", "app_origins", {}) == {"origins": ["https://a.example", "https://notes-example.evil", ORIGIN]}
    with pytest.raises(TonomyError) as extra:
        app_net.chain.query("identity", "app_origins", {"all": True})
    assert extra.value.code == "core.invalid_input"
