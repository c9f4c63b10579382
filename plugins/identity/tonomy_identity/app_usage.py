"""Usage figures of an app, counted on chain by the actions that make them.

Kept in state (not derived from events) so that a figure is one Merkle-provable read:
a Developer Console, a marketplace listing or a light client shows numbers it can check
against a trusted header, without replaying history or trusting an indexer. The cost is
a few small writes per login or session call, all deterministic (block time only):

* ``logins``: successful ``identity.login`` actions for the app;
* ``transactions``: successful ``identity.session_call`` actions through its sessions;
* ``users``: distinct accounts that ever logged in (the first login of each);
* per UTC day of block time: logins, transactions and ``active_users``, the distinct
  accounts that logged in or acted through a session that day (each user has one
  ``usage-seen`` record holding the last day it was counted, so nothing grows per day
  per user).

A failed action rolls back with its transaction, so it counts nothing.
"""

from __future__ import annotations

from typing import Any

from tonomy_identity import layout
from tonomy_identity.schemas import Shape, account, integer

DAY_MS = 86_400_000
MAX_DAYS = 92
USAGE_QUERY_SCHEMA = Shape({"app": account(), "days": integer(1, MAX_DAYS)})


def _bump(ctx: Any, key: bytes, fields: dict[str, int]) -> None:
    record = ctx.state.get_record(key) or {name: 0 for name in fields}
    for name, step in fields.items():
        record[name] = record.get(name, 0) + step
    ctx.state.put_record(key, record)


def _count(ctx: Any, app: str, user: str, *, logins: int, transactions: int) -> None:
    day = ctx.time_ms // DAY_MS
    seen_key = layout.usage_seen_key(app, user)
    seen = ctx.state.get_record(seen_key)
    active = 1 if seen is None or seen["day"] != day else 0
    if active:
        ctx.state.put_record(seen_key, {"day": day})
    _bump(ctx, layout.usage_totals_key(app), {"logins": logins, "transactions": transactions, "users": int(seen is None)})
    _bump(ctx, layout.usage_day_key(app, day), {"logins": logins, "transactions": transactions, "active_users": active})


def record_login(ctx: Any, app: str, user: str) -> None:
    _count(ctx, app, user, logins=1, transactions=0)


def record_session_call(ctx: Any, app: str, user: str) -> None:
    _count(ctx, app, user, logins=0, transactions=1)


def query_app_usage(ctx: Any, params: Any) -> dict[str, Any]:
    """Totals and the last ``days`` UTC days up to the head block's day, oldest first (zeros included)."""
    app = params["app"]
    totals = ctx.state.get_record(layout.usage_totals_key(app)) or {"logins": 0, "transactions": 0, "users": 0}
    today = ctx.time_ms // DAY_MS
    days = []
    for day in range(max(0, today - params["days"] + 1), today + 1):
        figures = ctx.state.get_record(layout.usage_day_key(app, day)) or {"logins": 0, "transactions": 0, "active_users": 0}
        days.append({"day": day, **figures})
    return {"app": app, "totals": dict(totals), "days": days}
