"""Chain side of login: the user's consent creates an app-scoped permission and a session.

``login`` runs the app's signed request through every check again (signature by the
app's registered request key, origin, redirect URI, scopes, expiry, nonce never used),
then, with the user's own authorization:

* creates ``<user>@app-<h>`` below ``active`` (``h`` = 8 bytes of BLAKE3 of the app
  name) whose authority is ONLY ``tonomy.code@identity``: no key can use it directly;
* links each requested scope (``plugin.action``) to it;
* records the session: the app's session key, scopes, expiry, the request nonce.

``session_call`` is how the app acts: it carries a call signed by the session key
(bound to the session's nonce, a strictly increasing sequence number and the exact
call); the plugin checks expiry, revocation, scope and signature and only then runs
the action carrying ``<user>@app-<h>`` through its plugin authority. So the expiry
and revocation are enforced by the plugin on every use. ``revoke_session`` (the user)
unlinks the scopes, deletes the permission and marks the session revoked.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import decode_record, encode_record
from tonomy.errors import TonomyError

from tonomy_identity import app_usage, layout
from tonomy_identity.app_fields import ORIGIN, SCOPE, credentials_field, data_scopes_field, redirect_problem
from tonomy_identity.apps import app_origins
from tonomy_identity.chainview import link_of, permission_names, require_account
from tonomy_identity.crypto import signature_ok, tagged_hash
from tonomy_identity.recovery import PLUGIN_AUTHORITY
from tonomy_identity.schemas import Shape, account, integer, items, raw, text

REQUEST_TAG = "tonomy/identity/login-request/v1"
CALL_TAG = "tonomy/identity/session-call/v1"
APP_PERMISSION_TAG = "tonomy/identity/app-permission/v1"
MAX_SESSION_TTL_S = 90 * 86400
PRUNE_PER_LOGIN = 8

REQUEST_SHAPE = Shape(
    {
        "version": integer(1, 1),
        "chain_id": raw(32),
        "app": account(),
        "origin": text(8, 270, ORIGIN),
        "redirect_uri": text(9, 512),
        "nonce": raw(32),
        "scopes": items(text(3, 129, SCOPE), 0, 16),
        "expires_ms": integer(0, 2**63 - 1),
        "session_key": raw(32),
        "session_ttl_s": integer(60, MAX_SESSION_TTL_S),
        "credentials": credentials_field(),
        "data_scopes": data_scopes_field(),
    },
    optional=frozenset({"credentials", "data_scopes"}),  # absent: the request asks for none
)
LOGIN_SCHEMA = Shape({"account": account(), "request": raw(maximum=4096), "request_signature": raw(64)})
REVOKE_SCHEMA = Shape({"account": account(), "app": account()})
CALL_SCHEMA = Shape(
    {
        "account": account(),
        "app": account(),
        "seq": integer(1, 2**63 - 1),
        "plugin": text(1, 64),
        "action": text(1, 64),
        "data": raw(maximum=32 * 1024),
        "signature": raw(64),
    }
)
SESSION_QUERY_SCHEMA = Shape({"account": account(), "app": account()})


def request_digest(encoded_request: bytes) -> bytes:
    return tagged_hash(REQUEST_TAG, encoded_request)


def call_digest(account_name: str, app: str, nonce: bytes, seq: int, plugin: str, action: str, data: bytes) -> bytes:
    body = encode_record(
        {"account": account_name, "app": app, "nonce": nonce, "seq": seq, "plugin": plugin, "action": action, "data": data}
    )
    return tagged_hash(CALL_TAG, body)


def app_permission(app: str) -> str:
    """The user's permission for one app: ``app-`` + 16 hex digits (permission names are ≤ 32)."""
    return "app-" + tagged_hash(APP_PERMISSION_TAG, app.encode())[:8].hex()


def plugin_only_authority() -> dict[str, Any]:
    return {"threshold": 1, "keys": [], "accounts": [dict(PLUGIN_AUTHORITY, weight=1)], "waits": []}


def _level(ctx: Any, user: str) -> Any:
    for level in ctx.authorization:
        if level.actor == user:
            return level
    ctx.require_auth(user)  # raises


def decode_request(ctx: Any, encoded: bytes) -> dict[str, Any]:
    try:
        request = decode_record(encoded)
        REQUEST_SHAPE.validate(request)
    except TonomyError as exc:
        ctx.fail("login_rejected", f"the login request is malformed: {exc.message}")
    if encode_record(request) != encoded:
        ctx.fail("login_rejected", "the login request is not canonical")
    return dict(request)


def request_problem(request: dict[str, Any], record: dict[str, Any]) -> tuple[str, str] | None:
    """(reason, message) if the request asks for an origin, redirect or anything the app's record does not allow.

    The one check the chain's ``login`` and the wallet's ``check_login_request`` share.
    """
    app = request["app"]
    if request["origin"] not in app_origins(record):
        return "wrong_origin", f"the request's origin {request['origin']!r} is not one of {app!r}'s origins"
    uri = request["redirect_uri"]
    if uri not in record["redirect_uris"] or redirect_problem(request["origin"], uri) is not None:
        return "unregistered_redirect", f"{uri!r} is not a registered redirect URI of {app!r} under {request['origin']!r}"
    for field, label in (("scopes", "actions"), ("credentials", "credentials"), ("data_scopes", "data")):
        outside = sorted(set(request.get(field, [])) - set(record.get(field, [])))
        if outside:
            return "scope_not_allowed", f"{app!r} may not request the {label} {', '.join(outside)}"
    return None


def login(ctx: Any, data: Any) -> None:
    user = data["account"]
    level = _level(ctx, user)
    info = require_account(ctx, user, frozenset({"person", "dao"}))
    request = decode_request(ctx, data["request"])
    app = request["app"]
    record = ctx.state.get_record(layout.app_key(app))
    if record is None:
        ctx.fail("unknown_app", f"{app!r} is not a registered app")
    if not signature_ok(record["request_key"], request_digest(data["request"]), data["request_signature"]):
        ctx.fail("bad_signature", f"the login request is not signed by {app!r}'s registered request key")
    problem = request_problem(request, record)
    if problem is not None:
        ctx.fail(*problem)
    if ctx.time_ms > request["expires_ms"]:
        ctx.fail("request_expired", "the login request expired")
    nonce_key = layout.request_nonce_key(app, request["expires_ms"], request["nonce"])
    if ctx.state.get(nonce_key) is not None:
        ctx.fail("replayed", "this login request was already used")
    prune_nonces(ctx, app)
    ctx.state.put(nonce_key, b"")

    permission = app_permission(app)
    previous = ctx.state.get_record(layout.session_key(user, app))
    if previous is not None and not previous["revoked"]:
        for scope in previous["scopes"]:
            if scope not in request["scopes"]:
                plugin, action = scope.split(".")
                ctx.call("tonomy", "unlinkauth", {"account": user, "plugin": plugin, "action": action}, [level])
    existing = [p for p in info["permissions"] if p["name"] == permission]
    if existing and existing[0]["authority"] != plugin_only_authority():
        ctx.fail("login_rejected", f"{user}@{permission} exists with an authority this plugin did not set")
    if not existing:
        ctx.call("tonomy", "updateauth",
                 {"account": user, "permission": permission, "parent": "active", "authority": plugin_only_authority()},
                 [level])
    info = require_account(ctx, user, frozenset({"person", "dao"}))
    for scope in request["scopes"]:
        plugin, action = scope.split(".")
        linked = link_of(info, plugin, action)
        if linked == permission:
            continue
        if linked is not None:
            ctx.fail("scope_taken", f"{scope} is already linked to {user}@{linked}; revoke that first")
        ctx.call("tonomy", "linkauth", {"account": user, "plugin": plugin, "action": action, "permission": permission}, [level])
    session = {
        "app": app,
        "origin": request["origin"],
        "permission": permission,
        "session_key": request["session_key"],
        "scopes": sorted(request["scopes"]),
        "nonce": request["nonce"],
        "request_hash": request_digest(data["request"]),
        "created_ms": ctx.time_ms,
        "expires_ms": ctx.time_ms + request["session_ttl_s"] * 1000,
        "revoked": False,
        "seq": 0,
        "credentials": sorted(request.get("credentials", [])),
        "data_scopes": sorted(request.get("data_scopes", [])),
    }
    ctx.state.put_record(layout.session_key(user, app), session)
    app_usage.record_login(ctx, app, user)
    ctx.emit("login", {"account": user, "app": app, "permission": permission, "expires_ms": session["expires_ms"]})


def prune_nonces(ctx: Any, app: str) -> None:
    """Delete up to PRUNE_PER_LOGIN used nonces of ``app`` whose requests expired (bounded work)."""
    prefix = layout.request_nonces_prefix(app)
    end = prefix + f"{ctx.time_ms:016x}".encode()
    expired = []
    for key, _ in ctx.state.items(prefix, end):
        expired.append(key)
        if len(expired) >= PRUNE_PER_LOGIN:
            break
    for key in expired:
        ctx.state.delete(key)


def revoke_session(ctx: Any, data: Any) -> None:
    user, app = data["account"], data["app"]
    level = _level(ctx, user)
    session = ctx.state.get_record(layout.session_key(user, app))
    if session is None or session["revoked"]:
        ctx.fail("unknown_session", f"{user!r} has no live session with {app!r}")
    info = require_account(ctx, user, frozenset({"person", "dao"}))
    for scope in session["scopes"]:
        plugin, action = scope.split(".")
        if link_of(info, plugin, action) == session["permission"]:
            ctx.call("tonomy", "unlinkauth", {"account": user, "plugin": plugin, "action": action}, [level])
    if session["permission"] in permission_names(info):
        ctx.call("tonomy", "deleteauth", {"account": user, "permission": session["permission"]}, [level])
    session["revoked"] = True
    ctx.state.put_record(layout.session_key(user, app), session)
    ctx.emit("session_revoked", {"account": user, "app": app})


def session_call(ctx: Any, data: Any) -> None:
    user, app = data["account"], data["app"]
    session = ctx.state.get_record(layout.session_key(user, app))
    if session is None:
        ctx.fail("unknown_session", f"{user!r} has no session with {app!r}")
    if session["revoked"]:
        ctx.fail("session_revoked", "the session was revoked")
    if ctx.time_ms >= session["expires_ms"]:
        ctx.fail("session_expired", "the session expired")
    if data["seq"] != session["seq"] + 1:
        ctx.fail("bad_sequence", f"expected sequence number {session['seq'] + 1}")
    scope = f"{data['plugin']}.{data['action']}"
    if scope not in session["scopes"]:
        ctx.fail("scope_not_allowed", f"the session does not cover {scope}")
    digest = call_digest(user, app, session["nonce"], data["seq"], data["plugin"], data["action"], data["data"])
    if not signature_ok(session["session_key"], digest, data["signature"]):
        ctx.fail("bad_signature", "the call is not signed by the session key")
    try:
        call_data = decode_record(data["data"])
    except TonomyError as exc:
        ctx.fail("login_rejected", f"the call data is not a canonical record: {exc.message}")
    if not isinstance(call_data, dict):
        ctx.fail("login_rejected", "the call data must be a record")
    session["seq"] = data["seq"]
    ctx.state.put_record(layout.session_key(user, app), session)
    app_usage.record_session_call(ctx, app, user)
    from tonomy.plugin import PermissionLevel  # the value type ctx calls take

    ctx.call_with_plugin_authority(data["plugin"], data["action"], call_data, [PermissionLevel(user, session["permission"])])


def query_session(ctx: Any, params: Any) -> dict[str, Any] | None:
    session: dict[str, Any] | None = ctx.state.get_record(layout.session_key(params["account"], params["app"]))
    return session
