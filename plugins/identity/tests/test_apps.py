"""App management by its owner on a real chain: metadata, key rotation, login settings, usage, transfer."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import tonomy_identity
from tonomy.errors import TonomyError
from tonomy.testing.ledger import LedgerNet, public_key, seed
from tonomy_identity import login
from tonomy_identity.errors import LoginRejectedError

import identity_notes_app as notes_app

from identity_net import Net

ORIGIN = "https://notes.example"
REDIRECT = ORIGIN + "/callback"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


def register_data(**changes: Any) -> dict[str, Any]:
    data = {"account": "notesapp", "name": "Notes", "origin": ORIGIN, "redirect_uris": [REDIRECT],
            "scopes": ["notes.post"], "request_key": public_key("notesapp-req")}
    data.update(changes)
    return data


@pytest.fixture
def apps_net(tmp_path: Any) -> Any:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, notes_app], accounts=["alice", "bob", "mallory"])
    net = Net(ledger)
    net.create_account("notesapp", "app")  # created by alice: she owns it unless it names someone else
    net.create_account("spareapp", "app", creator="bob")
    net.ok([("identity", "register_app", register_data(description="Write notes", credentials=["VerifiedAttributesCredential"],
                                                        data_scopes=["name"]), ["notesapp@active"])], ["notesapp"])
    try:
        yield net
    finally:
        ledger.close()


def app(net: Net, name: str = "notesapp") -> dict[str, Any]:
    record: dict[str, Any] = net.chain.query("identity", "app", {"app": name})
    return record


def by_owner(net: Net, action: str, data: dict[str, Any], owner: str = "alice") -> Any:
    return net.send([("identity", action, data, [f"{owner}@active"])], [owner])


def consent(net: Net, signed: login.SignedLoginRequest, observed: str = ORIGIN) -> login.Consent:
    return login.check_login_request(signed, observed_origin=observed, app_proofs=login.fetch_app_proofs(net.chain, "notesapp"),
                                     trusted_header=net.chain.head, now_ms=net.now)


def client(net: Net, key: str = "notesapp-req", origin: str = ORIGIN) -> login.LoginClient:
    return login.LoginClient("notesapp", origin, seed(key), net.chain.chain_id)


def wallet_login(net: Net, signed: login.SignedLoginRequest, user: str = "alice") -> Any:
    plugin, name, data = login.login_action(user, signed)
    return net.send([(plugin, name, data, [f"{user}@active"])], [user])


def test_registration_names_the_creator_as_owner_and_lists_the_app(apps_net: Net) -> None:
    record = app(apps_net)
    assert record["owner"] == "alice" and record["origins"] == [ORIGIN] and record["key_version"] == 1
    assert record["credentials"] == ["VerifiedAttributesCredential"] and record["data_scopes"] == ["name"]
    assert apps_net.chain.query("identity", "apps_of", {"owner": "alice"}) == ["notesapp"]
    assert apps_net.chain.query("identity", "apps_of", {"owner": "bob"}) == []
    # Registering twice is refused: changes go through the owner's actions.
    apps_net.fails("identity.app_exists", [("identity", "register_app", register_data(), ["notesapp@active"])], ["notesapp"])


def test_naming_another_owner_needs_their_signature(apps_net: Net) -> None:
    data = register_data(account="spareapp", owner="mallory", origin="https://spare.example",
                         redirect_uris=["https://spare.example/cb"])
    apps_net.fails("tx.missing_authorization", [("identity", "register_app", data, ["spareapp@active"])], ["spareapp"])
    apps_net.fails("identity.wrong_account_type", [("identity", "register_app", dict(data, owner="notesapp"),
                                                    ["spareapp@active", "notesapp@active"])], ["spareapp", "notesapp"])
    apps_net.ok([("identity", "register_app", data, ["spareapp@active", "mallory@active"])], ["spareapp", "mallory"])
    assert app(apps_net, "spareapp")["owner"] == "mallory"


def test_only_the_owner_changes_the_app(apps_net: Net) -> None:
    before = app(apps_net)
    for actor in ("mallory", "notesapp"):  # not even the app account itself, once registered
        for action, data in (("update_app", {"app": "notesapp", "name": "Pwned"}),
                             ("rotate_app_key", {"app": "notesapp", "request_key": public_key(actor)}),
                             ("set_login_settings", {"app": "notesapp", "scopes": ["notes.delete_all"], "credentials": [],
                                                     "data_scopes": []}),
                             ("transfer_app", {"app": "notesapp", "new_owner": "mallory"})):
            assert by_owner(apps_net, action, data, owner=actor).error_code == "tx.missing_authorization"
    assert app(apps_net) == before


def test_update_metadata_and_origins(apps_net: Net) -> None:
    logo = "data:image/png;base64," + base64.b64encode(PNG).decode()
    receipt = by_owner(apps_net, "update_app", {"app": "notesapp", "name": "Notes Pro", "description": "Better notes",
                                                "logo": logo, "extra_origins": ["https://app.notes.example"],
                                                "redirect_uris": [REDIRECT, "https://app.notes.example/cb"]})
    assert receipt.status == "executed", receipt.error_message
    record = app(apps_net)
    assert (record["name"], record["description"], record["logo"]) == ("Notes Pro", "Better notes", logo)
    assert record["origins"] == [ORIGIN, "https://app.notes.example"] and record["origin"] == ORIGIN
    # A login from the second origin now passes the wallet and the chain; its redirect must be under it.
    second = client(apps_net, origin="https://app.notes.example")
    signed = second.create_request("https://app.notes.example/cb", ["notes.post"], now_ms=apps_net.now)
    assert consent(apps_net, signed, observed="https://app.notes.example").origin == "https://app.notes.example"
    crossed = second.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(apps_net, crossed, observed="https://app.notes.example")
    assert caught.value.code == "identity.unregistered_redirect"
    assert wallet_login(apps_net, signed).status == "executed"
    # Dropping an origin that a redirect still lives under is refused, as is an empty update.
    dropped = by_owner(apps_net, "update_app", {"app": "notesapp", "extra_origins": []})
    assert dropped.error_code == "identity.unregistered_redirect"
    assert by_owner(apps_net, "update_app", {"app": "notesapp"}).error_code == "identity.nothing_to_change"


def test_rotated_key_stops_verifying_new_requests_but_sessions_keep_their_rules(apps_net: Net) -> None:
    old_client = client(apps_net)
    signed_before = old_client.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)
    assert wallet_login(apps_net, signed_before).status == "executed"
    session_before = apps_net.chain.query("identity", "session", {"account": "alice", "app": "notesapp"})
    pending_old = old_client.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)

    receipt = by_owner(apps_net, "rotate_app_key", {"app": "notesapp", "request_key": public_key("notesapp-req-2")})
    assert receipt.status == "executed"
    record = app(apps_net)
    assert record["key_version"] == 2 and record["key_since_height"] == receipt.height
    assert record["retired_keys"] == [{"key": public_key("notesapp-req"), "until_height": receipt.height}]
    # A request signed with the old key, even one made before the rotation, is refused from now on.
    with pytest.raises(LoginRejectedError) as caught:
        consent(apps_net, pending_old)
    assert caught.value.code == "identity.bad_signature"
    assert wallet_login(apps_net, pending_old, user="bob").error_code == "identity.bad_signature"
    # The new key works; alice's earlier session is untouched (its own session key and scopes).
    new_request = client(apps_net, key="notesapp-req-2").create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)
    assert consent(apps_net, new_request).app == "notesapp"
    assert wallet_login(apps_net, new_request, user="bob").status == "executed"
    assert apps_net.chain.query("identity", "session", {"account": "alice", "app": "notesapp"}) == session_before
    # Going back to a retired key, or "rotating" to the current one, is refused.
    for key in ("notesapp-req", "notesapp-req-2"):
        again = by_owner(apps_net, "rotate_app_key", {"app": "notesapp", "request_key": public_key(key)})
        assert again.error_code == "identity.key_reused"


def test_login_settings_bound_what_a_request_may_ask(apps_net: Net) -> None:
    app_client = client(apps_net)
    allowed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now,
                                        credentials=["VerifiedAttributesCredential"], data_scopes=["name"])
    shown = consent(apps_net, allowed)
    assert shown.credentials == ("VerifiedAttributesCredential",) and shown.data_scopes == ("name",)
    assert "name" in shown.text
    for extra in ({"data_scopes": ["name", "email"]}, {"credentials": ["PassportCredential"]}):
        greedy = app_client.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now, **extra)
        with pytest.raises(LoginRejectedError) as caught:
            consent(apps_net, greedy)
        assert caught.value.code == "identity.scope_not_allowed"
        assert wallet_login(apps_net, greedy).error_code == "identity.scope_not_allowed"
    # The owner narrows the settings: a request that passed before is refused now.
    settings = {"app": "notesapp", "scopes": ["notes.post"], "credentials": [], "data_scopes": []}
    assert by_owner(apps_net, "set_login_settings", settings).status == "executed"
    with pytest.raises(LoginRejectedError) as caught:
        consent(apps_net, allowed)
    assert caught.value.code == "identity.scope_not_allowed"
    plain = app_client.create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)
    assert wallet_login(apps_net, plain).status == "executed"
    session = apps_net.chain.query("identity", "session", {"account": "alice", "app": "notesapp"})
    assert session["credentials"] == [] and session["data_scopes"] == []


def test_usage_figures_count_logins_calls_and_active_users(apps_net: Net) -> None:
    net = apps_net
    app_client = client(net)
    sessions = {}
    for user in ("alice", "bob", "alice"):
        signed = app_client.create_request(REDIRECT, ["notes.post"], now_ms=net.now, session_ttl_s=7 * 86400)
        response = login.sign_response(user, seed(user), signed, wallet_login(net, signed, user=user).tx_id)
        sessions[user] = app_client.finish(response, login.fetch_response_proofs(net.chain, response), net.chain.head,
                                           now_ms=net.now)
    call = sessions["alice"].call_data("notes", "post", {"author": "alice", "text": "hi"})
    net.ok([("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    # A refused call (replayed sequence number) counts nothing.
    net.fails("identity.bad_sequence", [("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    usage = net.chain.query("identity", "app_usage", {"app": "notesapp", "days": 2})
    assert usage["totals"] == {"logins": 3, "transactions": 1, "users": 2}
    assert [day["active_users"] for day in usage["days"]][-1] == 2
    assert usage["days"][-1]["logins"] == 3 and usage["days"][-1]["transactions"] == 1
    # The next day alice alone acts: one active user that day, still two users in total.
    net.advance(86_400_000)
    call = sessions["alice"].call_data("notes", "post", {"author": "alice", "text": "again"})
    net.ok([("identity", "session_call", call, ["notesapp@active"])], ["notesapp"])
    usage = net.chain.query("identity", "app_usage", {"app": "notesapp", "days": 2})
    assert [(d["active_users"], d["transactions"]) for d in usage["days"]] == [(2, 1), (1, 1)]
    assert usage["totals"] == {"logins": 3, "transactions": 2, "users": 2}
    assert net.chain.query("identity", "app_usage", {"app": "spareapp", "days": 1})["totals"]["logins"] == 0


def test_transfer_to_a_dao_or_person_needs_both(apps_net: Net) -> None:
    net = apps_net
    assert by_owner(net, "transfer_app", {"app": "notesapp", "new_owner": "bob"}).error_code == "tx.missing_authorization"
    to_app = net.send([("identity", "transfer_app", {"app": "notesapp", "new_owner": "spareapp"},
                        ["alice@active", "spareapp@active"])], ["alice", "spareapp"])
    assert to_app.error_code == "identity.wrong_account_type"  # an app cannot own an app
    same = net.send([("identity", "transfer_app", {"app": "notesapp", "new_owner": "alice"}, ["alice@active"])], ["alice"])
    assert same.error_code == "identity.nothing_to_change"
    net.ok([("identity", "transfer_app", {"app": "notesapp", "new_owner": "bob"}, ["alice@active", "bob@active"])],
           ["alice", "bob"])
    assert app(net)["owner"] == "bob"
    assert net.chain.query("identity", "apps_of", {"owner": "alice"}) == []
    assert net.chain.query("identity", "apps_of", {"owner": "bob"}) == ["notesapp"]
    assert by_owner(net, "update_app", {"app": "notesapp", "name": "Mine"}).error_code == "tx.missing_authorization"
    assert by_owner(net, "update_app", {"app": "notesapp", "name": "Bob's"}, owner="bob").status == "executed"


def test_unknown_app(apps_net: Net) -> None:
    assert by_owner(apps_net, "update_app", {"app": "nosuchapp", "name": "X"}).error_code == "identity.unknown_app"


HOSTILE_FIELDS = [
    # lookalike and non-canonical origins
    ("origin", "https://NOTES.example"), ("origin", "https://notes.example."), ("origin", "https://notes.example/"),
    ("origin", "https://notes.example:443"), ("origin", "https://user@notes.example"), ("origin", "https://nоtes.example"),
    ("origin", "https://notes.example:99999"), ("origin", "https://-notes.example"), ("origin", "https://10.0.0.1"),
    ("origin", "https://intranet"), ("origin", "http://notes.example"), ("origin", "javascript:alert(1)"),
    ("origin", "https://notes.example\u200b"), ("origin", "https://notes.example:0443"),
    # redirect URIs that escape the origin or hide where they lead
    ("redirect_uris", ["javascript:alert(1)//https://notes.example/cb"]), ("redirect_uris", ["data:text/html,x"]),
    ("redirect_uris", ["https://notes.example@evil.example/cb"]),
    ("redirect_uris", ["https://notes.example/../cb"]), ("redirect_uris", ["https://notes.example//evil.example"]),
    ("redirect_uris", ["https://notes.example/%2f%2fevil.example"]), ("redirect_uris", ["https://notes.example/a b"]),
    ("redirect_uris", ["https://notes.example/cb#frag"]), ("redirect_uris", ["https://notes.example\\cb"]),
    ("redirect_uris", ["https://notes.example/cb\u202e"]), ("redirect_uris", ["http://notes.example/cb"]),
    # names and descriptions with hidden or reordering characters
    ("name", "Notes\u202eevil"), ("name", "No\u200btes"), ("name", "Notes\x00"), ("name", " Notes"),
    ("name", "Cafe\u0301"), ("name", ""), ("name", "N" * 65), ("description", "hi\u2066there"),
    ("description", "x" * 1025),
    # logos: other schemes, SVG, oversize, bytes of another type, broken base64
    ("logo", "https://notes.example/logo.png"), ("logo", "javascript:alert(1)"),
    ("logo", "data:image/svg+xml;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()),
    ("logo", "data:image/png;base64," + base64.b64encode(PNG + bytes(9000)).decode()),
    ("logo", "data:image/png;base64," + base64.b64encode(b"GIF89a" + bytes(20)).decode()),
    ("logo", "data:image/png;base64,!!!!"), ("logo", "blake3:" + "0" * 63), ("logo", "blake3:" + "G" * 64),
    # login settings outside their forms
    ("scopes", ["notes"]), ("scopes", ["Notes.Post"]), ("credentials", ["verified"]), ("credentials", ["A" * 65]),
    ("data_scopes", ["Email"]), ("data_scopes", ["e-mail"]), ("data_scopes", [f"s{i}" for i in range(17)]),
    ("request_key", bytes(31)), ("extra_origins", ["https://a.example"] * 2),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_FIELDS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(HOSTILE_FIELDS)])
def test_hostile_field_is_refused_at_admission_and_changes_nothing(apps_net: Net, field: str, value: Any) -> None:
    net = apps_net
    root = net.chain.head.state_root
    data = register_data(account="spareapp", origin="https://spare.example", redirect_uris=["https://spare.example/cb"])
    if field == "redirect_uris":
        data["origin"] = ORIGIN
    data[field] = value
    with pytest.raises(TonomyError) as caught:
        net.send([("identity", "register_app", data, ["spareapp@active"])], ["spareapp"])
    assert caught.value.code == "tx.invalid_data" and f"field '{field}" in str(caught.value), str(caught.value)
    if field in {"name", "description", "logo", "origin", "redirect_uris", "extra_origins"}:
        with pytest.raises(TonomyError) as caught:
            net.send([("identity", "update_app", {"app": "notesapp", field: value}, ["alice@active"])], ["alice"])
        assert caught.value.code == "tx.invalid_data"
    assert net.chain.head.state_root == root
    assert app(net, "spareapp") is None


@pytest.mark.parametrize("uri", ["https://notes.example.evil/cb", "https://evil.example/cb", "http://localhost/cb"])
def test_redirect_outside_the_origins_is_refused_and_changes_nothing(apps_net: Net, uri: str) -> None:
    data = register_data(account="spareapp", redirect_uris=[REDIRECT, uri])
    apps_net.fails("identity.unregistered_redirect", [("identity", "register_app", data, ["spareapp@active"])], ["spareapp"])
    receipt = by_owner(apps_net, "update_app", {"app": "notesapp", "redirect_uris": [uri]})
    assert receipt.error_code == "identity.unregistered_redirect"
    assert app(apps_net, "spareapp") is None and app(apps_net)["redirect_uris"] == [REDIRECT]


def test_good_forms_are_accepted(apps_net: Net) -> None:
    webp = b"RIFF" + bytes(4) + b"WEBP" + bytes(20)
    for change in ({"origin": "http://localhost:3000", "redirect_uris": ["http://localhost:3000/cb"]},
                   {"origin": "https://xn--nts-5cd.example", "redirect_uris": ["https://xn--nts-5cd.example/a/b?x=1"]},
                   {"logo": "blake3:" + "ab" * 32},
                   {"logo": "data:image/webp;base64," + base64.b64encode(webp).decode()},
                   {"name": "Café Notes ✓", "description": "Line one\nLine two"}):
        receipt = by_owner(apps_net, "update_app", {"app": "notesapp", **change})
        assert receipt.status == "executed", (change, receipt.error_message)


@pytest.mark.parametrize("observed", ["https://nоtes.example", "https://notes.example.", "https://NOTES.example",
                                      "http://notes.example", "https://notes.example:443", "https://notes.example\u200b"])
def test_wallet_refuses_a_lookalike_page_origin(apps_net: Net, observed: str) -> None:
    signed = client(apps_net).create_request(REDIRECT, ["notes.post"], now_ms=apps_net.now)
    with pytest.raises(LoginRejectedError) as caught:
        consent(apps_net, signed, observed=observed)
    assert caught.value.code == "identity.wrong_origin"


def test_a_request_with_a_non_canonical_origin_is_malformed(apps_net: Net) -> None:
    lookalike = login.LoginClient("notesapp", "https://NOTES.example", seed("notesapp-req"), apps_net.chain.chain_id)
    with pytest.raises(TonomyError):
        lookalike.create_request("https://NOTES.example/callback", [], now_ms=apps_net.now)


@pytest.mark.parametrize(("name", "params"), [
    ("apps_of", {}), ("apps_of", {"owner": "A"}), ("apps_of", {"owner": "alice", "x": 1}),
    ("app_usage", {"app": "notesapp", "days": 0}), ("app_usage", {"app": "notesapp", "days": 93}),
    ("app_usage", {"app": "notesapp", "days": True}), ("app_usage", {"app": "notesapp"}),
])  # fmt: skip
def test_hostile_query_parameters_are_refused(apps_net: Net, name: str, params: dict[str, Any]) -> None:
    with pytest.raises(TonomyError) as caught:
        apps_net.chain.query("identity", name, params)
    assert caught.value.code == "core.invalid_input"


def test_an_origin_belongs_to_one_app(apps_net: Net) -> None:
    """No app can register a rival's origin, at registration or by update; a dropped origin is free."""
    spare = register_data(account="spareapp", origin="https://spare.example", redirect_uris=["https://spare.example/cb"],
                          request_key=public_key("spareapp-req"))
    taken = dict(spare, extra_origins=[ORIGIN])
    receipt = apps_net.send([("identity", "register_app", taken, ["spareapp@active", "alice@active"])], ["spareapp", "alice"])
    assert receipt.error_code == "identity.origin_taken"
    assert apps_net.chain.query("identity", "app", {"app": "spareapp"}) is None  # nothing of it stored
    apps_net.ok([("identity", "register_app", spare, ["spareapp@active", "alice@active"])], ["spareapp", "alice"])
    # Taking notesapp's origin by update is refused too, and changes nothing.
    before = app(apps_net, "spareapp")
    stolen = by_owner(apps_net, "update_app", {"app": "spareapp", "origin": ORIGIN, "redirect_uris": [REDIRECT]}, owner="bob")
    assert stolen.error_code == "identity.origin_taken"
    assert app(apps_net, "spareapp") == before
    # notesapp moves to a new origin: its old one is free for spareapp, its new one is not.
    moved = by_owner(apps_net, "update_app", {"app": "notesapp", "origin": "https://notes2.example",
                                              "redirect_uris": ["https://notes2.example/cb"]})
    assert moved.status == "executed", moved.error_message
    claimed = by_owner(apps_net, "update_app", {"app": "spareapp", "extra_origins": [ORIGIN]}, owner="bob")
    assert claimed.status == "executed", claimed.error_message
    assert app(apps_net, "spareapp")["origins"] == ["https://spare.example", ORIGIN]
    back = by_owner(apps_net, "update_app", {"app": "spareapp", "extra_origins": ["https://notes2.example"]}, owner="bob")
    assert back.error_code == "identity.origin_taken"
    # An app keeps its own origins through an update that repeats them.
    same = by_owner(apps_net, "update_app", {"app": "notesapp", "origin": "https://notes2.example"})
    assert same.status == "executed", same.error_message
