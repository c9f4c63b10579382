"""Apps registered on chain for "Login with Tonomy": origin, redirect URIs, scopes, request key.

Only an ``app`` account registers itself (its ``active``). The record is what a wallet
checks a login request against (through a proof), and what the chain checks again when
the user's login transaction runs.
"""

from __future__ import annotations

import re
from typing import Any

from tonomy.plugin import decode_record

from tonomy_identity import layout
from tonomy_identity.chainview import require_account
from tonomy_identity.schemas import Shape, account, items, raw, text

ORIGIN = re.compile(r"https://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?|http://localhost(?::[0-9]{1,5})?")
SCOPE = re.compile(r"[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,63}")
MAX_REDIRECTS = 8
MAX_SCOPES = 16

REGISTER_APP_SCHEMA = Shape(
    {
        "account": account(),
        "name": text(1, 64),
        "origin": text(8, 270, ORIGIN),
        "redirect_uris": items(text(9, 512), 1, MAX_REDIRECTS),
        "scopes": items(text(3, 129, SCOPE), 0, MAX_SCOPES),
        "request_key": raw(32),
    }
)
APP_QUERY_SCHEMA = Shape({"app": account()})
ORIGINS_QUERY_SCHEMA = Shape({})


def redirect_problem(origin: str, uri: str) -> str | None:
    """A redirect URI must live under the app's own origin (no open redirects elsewhere)."""
    if not uri.startswith(origin + "/") or any(c in uri for c in " \t\r\n#\\"):
        return f"redirect URI {uri!r} is not a path under the origin {origin!r}"
    return None


def register_app(ctx: Any, data: Any) -> None:
    app = data["account"]
    ctx.require_auth(app)
    require_account(ctx, app, frozenset({"app"}))
    for uri in data["redirect_uris"]:
        problem = redirect_problem(data["origin"], uri)
        if problem is not None:
            ctx.fail("unregistered_redirect", problem)
    record = {
        "name": data["name"],
        "origin": data["origin"],
        "redirect_uris": sorted(data["redirect_uris"]),
        "scopes": sorted(data["scopes"]),
        "request_key": data["request_key"],
    }
    ctx.state.put_record(layout.app_key(app), record)
    ctx.emit("app_registered", {"app": app, "origin": data["origin"]})


def query_app(ctx: Any, params: Any) -> dict[str, Any] | None:
    record: dict[str, Any] | None = ctx.state.get_record(layout.app_key(params["app"]))
    return record


def query_app_origins(ctx: Any, params: Any) -> dict[str, list[str]]:
    """Every registered app origin, sorted and unique: what the node allows cross-origin (CORS)."""
    start, end = layout.APPS_RANGE
    origins = {decode_record(value)["origin"] for _key, value in ctx.state.items(start, end)}
    return {"origins": sorted(origins)}
