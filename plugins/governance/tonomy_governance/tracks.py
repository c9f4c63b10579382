"""Tracks: kinds of proposals with their own deposit, periods, thresholds and strategy.

Scope: a track belongs to the network (``scope`` ``network``, the default) or to one DAO
(``scope`` = the DAO's account; stored as ``<dao>:<name>``). Network tracks change only
through executed network proposals; a DAO's tracks only with the DAO's own authority
(its executed proposals, through the DAO plugin). Proposals on a DAO track are open to
the DAO's members, decided by its strategy, and executed by the DAO plugin as the DAO.

The track ``root`` is always there: its settings are the plugin's parameters and it
may carry any action. Other tracks are set by ``set_track`` (only as an action of an
executed proposal) and list the actions
they may carry (``plugin.action``, ``plugin.*``, or ``*``). A proposal must name a
track whose patterns match every action of every option, so a lightweight track can
never carry an action it was not made for.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema, decode_record

from tonomy_governance import authority, errors, layout
from tonomy_governance.params import BLOCKS, BPS, MAX_AMOUNT

ROOT = "root"

#: Track settings copied into every proposal (names as in the parameters).
SETTINGS = (
    "deposit",
    "voting_delay",
    "voting_period",
    "quorum_bps",
    "approval_bps",
    "veto_bps",
    "timelock",
    "grace",
    "strategy",
)

SET_TRACK = RecordSchema(
    (
        Field("name", str, minimum=1, maximum=32),
        Field("deposit", int, minimum=0, maximum=MAX_AMOUNT),
        Field("voting_delay", int, minimum=0, maximum=BLOCKS),
        Field("voting_period", int, minimum=1, maximum=BLOCKS),
        Field("quorum_bps", int, minimum=0, maximum=BPS),
        Field("approval_bps", int, minimum=0, maximum=BPS - 1),
        Field("veto_bps", int, minimum=1, maximum=BPS),
        Field("timelock", int, minimum=0, maximum=BLOCKS),
        Field("grace", int, minimum=1, maximum=BLOCKS),
        Field("strategy", str, minimum=1, maximum=130),
        Field("matches", str, minimum=1, maximum=2048, description="comma-separated plugin.action, plugin.* or *"),
    )
)
NAME_ONLY = RecordSchema((Field("name", str, minimum=1, maximum=65, description="a network track, or <dao>:<track>"),))
SET_TRACK = RecordSchema(
    SET_TRACK.fields
    + (
        Field("scope", str, required=False, minimum=1, maximum=32, description="network (default) or the DAO account the track belongs to"),
        Field("symbol", str, required=False, minimum=0, maximum=12, description="token of a DAO's token strategy"),
    )
)

NETWORK = "network"
SCOPE_SEPARATOR = ":"


def scope_of(track: dict[str, Any]) -> str:
    return str(track.get("scope", NETWORK))


def _scope_of_name(name: str) -> str:
    return name.split(SCOPE_SEPARATOR, 1)[0] if SCOPE_SEPARATOR in name else NETWORK


def require_scope_authority(ctx: Any, scope: str) -> None:
    """Network tracks change only by an executed network proposal; a DAO's by the DAO itself.

    The DAO's authority is its own (only the DAO plugin carries it, for an executed DAO
    proposal or at the DAO's creation); the scope must be a DAO the DAO plugin knows.
    """
    if scope == NETWORK:
        authority.require_executed_proposal(ctx)
        return
    ctx.require_auth(scope)
    if ctx.query(ctx.parameter("dao_plugin"), "dao", {"dao": scope}) is None:
        ctx.fail(errors.NOT_ALLOWED, f"{scope!r} is not a DAO: tracks are scoped to the network or a DAO")


def root_track(ctx: Any) -> dict[str, Any]:
    track: dict[str, Any] = {name: ctx.parameter(name) for name in SETTINGS}
    track.update(name=ROOT, matches=["*"])
    return track


def get_track(ctx: Any, name: str) -> dict[str, Any]:
    if name == ROOT:
        return root_track(ctx)
    record = ctx.state.get_record(layout.track_key(name))
    if record is None:
        ctx.fail(errors.UNKNOWN_TRACK, f"no track named {name!r}")
    return dict(record)


def matches(patterns: list[str], plugin: str, action: str) -> bool:
    return any(p == "*" or p == f"{plugin}.*" or p == f"{plugin}.{action}" for p in patterns)


def set_track(ctx: Any, data: Any) -> None:
    scope = data.get("scope", NETWORK)
    require_scope_authority(ctx, scope)
    if data["name"] == ROOT and scope == NETWORK:
        ctx.fail(errors.NOT_ALLOWED, "the root track is set through the plugin's parameters")
    if SCOPE_SEPARATOR in data["name"] or len(data["name"]) > 32:
        ctx.fail(errors.NOT_ALLOWED, f"a track name has at most 32 characters and no {SCOPE_SEPARATOR!r}")
    patterns = [item.strip() for item in data["matches"].split(",") if item.strip()]
    if not patterns:
        ctx.fail(errors.INVALID_OPTIONS, "a track needs at least one action pattern")
    name = data["name"] if scope == NETWORK else f"{scope}{SCOPE_SEPARATOR}{data['name']}"
    record = {key: data[key] for key in SETTINGS}
    record.update(name=name, matches=sorted(set(patterns)))
    if scope != NETWORK:  # network records keep their original shape (scope defaults to network)
        record.update(scope=scope, symbol=data.get("symbol") or None)
    ctx.state.put_record(layout.track_key(name), record)
    ctx.emit("track_set", {"name": name, "scope": scope})


def remove_track(ctx: Any, data: Any) -> None:
    require_scope_authority(ctx, _scope_of_name(data["name"]))
    if ctx.state.get(layout.track_key(data["name"])) is None:
        ctx.fail(errors.UNKNOWN_TRACK, f"no track named {data['name']!r}")
    ctx.state.delete(layout.track_key(data["name"]))
    ctx.emit("track_removed", {"name": data["name"]})


def list_tracks(ctx: Any, params: Any) -> list[dict[str, Any]]:
    """``root`` first, then the stored tracks in name order."""
    stored = [decode_record(raw) for _, raw in ctx.state.items(layout.TRACK_PREFIX, layout.prefix_end(layout.TRACK_PREFIX))]
    return [{"scope": NETWORK, **track} for track in (root_track(ctx), *stored)]
