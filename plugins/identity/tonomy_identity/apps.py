"""Apps registered on chain for "Login with Tonomy", and their management by the owner.

An ``app`` account registers itself (its ``active``) and names its **owner**: a person
or DAO account (by default the account that created the app account; naming anyone
else needs that account's authorization too). From then on only the owner changes the
record, each change one signed action:

* ``update_app``: name, description, logo, origins, redirect URIs;
* ``rotate_app_key``: a new request key; the old one stops verifying login requests
  from that action on (sessions created before keep their own session keys and scopes);
* ``set_login_settings``: the action scopes, credential types and data scopes the app
  may request; a wallet and the chain refuse a request for more;
* ``transfer_app``: a new owner (both sign).

The record is what a wallet checks a login request against (through a proof), and what
the chain checks again when the user's login transaction runs.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import decode_record
from tonomy_identity import layout
from tonomy_identity.app_fields import (
    MAX_DESCRIPTION,
    MAX_ORIGINS,
    ORIGIN,
    SCOPE,
    credentials_field,
    data_scopes_field,
    display_text,
    logo_field,
    origin_field,
    redirect_problem,
    redirects_field,
    scopes_field,
)
from tonomy_identity.chainview import require_account
from tonomy_identity.schemas import Shape, account, items, raw

OWNER_TYPES = frozenset({"person", "dao"})
KEPT_RETIRED_KEYS = 8
MAX_APPS_LISTED = 256

REGISTER_APP_SCHEMA = Shape(
    {
        "account": account(),
        "name": display_text(1, 64),
        "origin": origin_field(),
        "redirect_uris": redirects_field(),
        "scopes": scopes_field(),
        "request_key": raw(32),
        "owner": account(),
        "extra_origins": items(origin_field(), 0, MAX_ORIGINS - 1),
        "description": display_text(0, MAX_DESCRIPTION),
        "logo": logo_field(),
        "credentials": credentials_field(),
        "data_scopes": data_scopes_field(),
    },
    optional=frozenset({"owner", "extra_origins", "description", "logo", "credentials", "data_scopes"}),
)
UPDATE_APP_SCHEMA = Shape(
    {
        "app": account(),
        "name": display_text(1, 64),
        "description": display_text(0, MAX_DESCRIPTION),
        "logo": logo_field(),
        "origin": origin_field(),
        "extra_origins": items(origin_field(), 0, MAX_ORIGINS - 1),
        "redirect_uris": redirects_field(),
    },
    optional=frozenset({"name", "description", "logo", "origin", "extra_origins", "redirect_uris"}),
)
ROTATE_KEY_SCHEMA = Shape({"app": account(), "request_key": raw(32)})
LOGIN_SETTINGS_SCHEMA = Shape(
    {"app": account(), "scopes": scopes_field(), "credentials": credentials_field(), "data_scopes": data_scopes_field()}
)
TRANSFER_SCHEMA = Shape({"app": account(), "new_owner": account()})
APP_QUERY_SCHEMA = Shape({"app": account()})
APPS_OF_SCHEMA = Shape({"owner": account()})
ORIGINS_QUERY_SCHEMA = Shape({})

__all__ = ["ORIGIN", "SCOPE", "app_origins", "redirect_problem"]


def app_origins(record: dict[str, Any]) -> list[str]:
    """Every origin of an app, the primary first."""
    return list(record.get("origins") or [record["origin"]])


def _origins(primary: str, extra: list[str]) -> list[str]:
    return [primary] + sorted(set(extra) - {primary})


def _claim_origins(ctx: Any, app: str, held: list[str], wanted: list[str]) -> None:
    """Make ``wanted`` the app's origins in the origin index, refusing one another app holds.

    Exclusive so that an origin names exactly one app: a wallet or a node that sees a page's
    origin knows whose rules apply, and no app can register a rival's site as its own.
    """
    for origin in sorted(set(wanted) - set(held)):
        holder = ctx.state.get_record(layout.origin_key(origin))
        if holder is not None and holder != app:
            ctx.fail("origin_taken", f"{origin!r} is registered by the app {holder!r}; an origin belongs to one app")
    for origin in sorted(set(held) - set(wanted)):
        ctx.state.delete(layout.origin_key(origin))
    for origin in sorted(set(wanted) - set(held)):
        ctx.state.put_record(layout.origin_key(origin), app)


def _check_redirects(ctx: Any, origins: list[str], uris: list[str]) -> None:
    for uri in uris:
        problem = redirect_problem(origins, uri)
        if problem is not None:
            ctx.fail("unregistered_redirect", problem)


def register_app(ctx: Any, data: Any) -> None:
    app = data["account"]
    ctx.require_auth(app)
    info = require_account(ctx, app, frozenset({"app"}))
    if ctx.state.get(layout.app_key(app)) is not None:
        ctx.fail("app_exists", f"{app!r} is registered; its owner changes it with update_app and the other app actions")
    owner = data.get("owner", info["creator"])
    if owner is None:
        ctx.fail("wrong_account_type", f"{app!r} has no creator; name its owner")
    if owner != info["creator"]:
        ctx.require_auth(owner)  # nobody is made the owner of an app without agreeing
    require_account(ctx, owner, OWNER_TYPES)
    origins = _origins(data["origin"], data.get("extra_origins", []))
    _check_redirects(ctx, origins, data["redirect_uris"])
    _claim_origins(ctx, app, [], origins)
    record = {
        "name": data["name"],
        "description": data.get("description", ""),
        "logo": data.get("logo", ""),
        "origin": data["origin"],
        "origins": origins,
        "redirect_uris": sorted(data["redirect_uris"]),
        "scopes": sorted(data["scopes"]),
        "credentials": sorted(data.get("credentials", [])),
        "data_scopes": sorted(data.get("data_scopes", [])),
        "request_key": data["request_key"],
        "key_version": 1,
        "key_since_height": ctx.height,
        "retired_keys": [],
        "owner": owner,
        "registered_height": ctx.height,
    }
    ctx.state.put_record(layout.app_key(app), record)
    ctx.state.put(layout.owner_app_key(owner, app), b"")
    ctx.emit("app_registered", {"app": app, "origin": data["origin"], "owner": owner})


def _owned(ctx: Any, app: str) -> dict[str, Any]:
    """The app's record, once the running transaction carries its owner's authorization."""
    record: dict[str, Any] | None = ctx.state.get_record(layout.app_key(app))
    if record is None:
        ctx.fail("unknown_app", f"{app!r} is not a registered app")
        raise AssertionError("ctx.fail raises")
    ctx.require_auth(record["owner"])
    return record


def _store(ctx: Any, app: str, record: dict[str, Any], event: str, detail: dict[str, Any]) -> None:
    ctx.state.put_record(layout.app_key(app), record)
    ctx.emit(event, {"app": app, **detail})


def update_app(ctx: Any, data: Any) -> None:
    app = data["app"]
    record = _owned(ctx, app)
    changed = sorted(set(data) - {"app"})
    if not changed:
        ctx.fail("nothing_to_change", "name at least one field to change")
    for name in ("name", "description", "logo"):
        if name in data:
            record[name] = data[name]
    if "origin" in data or "extra_origins" in data:
        primary = data.get("origin", record["origin"])
        extra = data["extra_origins"] if "extra_origins" in data else app_origins(record)[1:]
        held = app_origins(record)
        record["origin"], record["origins"] = primary, _origins(primary, extra)
        _claim_origins(ctx, app, held, record["origins"])
    if "redirect_uris" in data:
        record["redirect_uris"] = sorted(data["redirect_uris"])
    _check_redirects(ctx, record["origins"], record["redirect_uris"])
    _store(ctx, app, record, "app_updated", {"fields": changed})


def rotate_app_key(ctx: Any, data: Any) -> None:
    app = data["app"]
    record = _owned(ctx, app)
    new_key = data["request_key"]
    used = [record["request_key"]] + [entry["key"] for entry in record["retired_keys"]]
    if new_key in used:
        ctx.fail("key_reused", "the new request key is the current key or a recently retired one")
    retired = [{"key": record["request_key"], "until_height": ctx.height}] + record["retired_keys"]
    record["retired_keys"] = retired[:KEPT_RETIRED_KEYS]
    record["request_key"] = new_key
    record["key_version"] += 1
    record["key_since_height"] = ctx.height
    _store(ctx, app, record, "app_key_rotated", {"key_version": record["key_version"], "height": ctx.height})


def set_login_settings(ctx: Any, data: Any) -> None:
    app = data["app"]
    record = _owned(ctx, app)
    for name in ("scopes", "credentials", "data_scopes"):
        record[name] = sorted(data[name])
    _store(ctx, app, record, "app_login_settings", {"scopes": record["scopes"], "credentials": record["credentials"],
                                                    "data_scopes": record["data_scopes"]})


def transfer_app(ctx: Any, data: Any) -> None:
    app, new_owner = data["app"], data["new_owner"]
    record = _owned(ctx, app)
    ctx.require_auth(new_owner)
    require_account(ctx, new_owner, OWNER_TYPES)
    if new_owner == record["owner"]:
        ctx.fail("nothing_to_change", f"{new_owner!r} already owns {app!r}")
    ctx.state.delete(layout.owner_app_key(record["owner"], app))
    ctx.state.put(layout.owner_app_key(new_owner, app), b"")
    previous, record["owner"] = record["owner"], new_owner
    _store(ctx, app, record, "app_transferred", {"from": previous, "to": new_owner})


def query_app(ctx: Any, params: Any) -> dict[str, Any] | None:
    record: dict[str, Any] | None = ctx.state.get_record(layout.app_key(params["app"]))
    return record


def query_app_origins(ctx: Any, params: Any) -> dict[str, list[str]]:
    """Every origin of every registered app, sorted and unique: what the node allows cross-origin (CORS)."""
    start, end = layout.APPS_RANGE
    origins = {origin for _key, value in ctx.state.items(start, end) for origin in app_origins(decode_record(value))}
    return {"origins": sorted(origins)}


def query_apps_of(ctx: Any, params: Any) -> list[str]:
    """The apps an account owns, sorted by name (at most MAX_APPS_LISTED)."""
    prefix = layout.owner_apps_prefix(params["owner"])
    names = []
    for key, _ in ctx.state.items(prefix, prefix[:-1] + b"0"):  # b"0" is the byte after b"/"
        names.append(key[len(prefix):].decode())
        if len(names) >= MAX_APPS_LISTED:
            break
    return names
