"""Tracks: kinds of proposals with their own deposit, periods, thresholds and strategy.

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
NAME_ONLY = RecordSchema((Field("name", str, minimum=1, maximum=32),))


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
    authority.require_executed_proposal(ctx)
    if data["name"] == ROOT:
        ctx.fail(errors.NOT_ALLOWED, "the root track is set through the plugin's parameters")
    patterns = [item.strip() for item in data["matches"].split(",") if item.strip()]
    if not patterns:
        ctx.fail(errors.INVALID_OPTIONS, "a track needs at least one action pattern")
    record = {key: data[key] for key in SETTINGS}
    record.update(name=data["name"], matches=sorted(set(patterns)))
    ctx.state.put_record(layout.track_key(data["name"]), record)
    ctx.emit("track_set", {"name": data["name"]})


def remove_track(ctx: Any, data: Any) -> None:
    authority.require_executed_proposal(ctx)
    if ctx.state.get(layout.track_key(data["name"])) is None:
        ctx.fail(errors.UNKNOWN_TRACK, f"no track named {data['name']!r}")
    ctx.state.delete(layout.track_key(data["name"]))
    ctx.emit("track_removed", {"name": data["name"]})


def list_tracks(ctx: Any, params: Any) -> list[dict[str, Any]]:
    """``root`` first, then the stored tracks in name order."""
    stored = [decode_record(raw) for _, raw in ctx.state.items(layout.TRACK_PREFIX, layout.prefix_end(layout.TRACK_PREFIX))]
    return [root_track(ctx), *stored]
