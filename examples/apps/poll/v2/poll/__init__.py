"""Community polls (version 2): options as a list, early closing, and a migration.

Changes from version 1: a poll's ``options`` is a list (version 1 stored one
comma-separated string) and records a ``votes`` total; its creator may ``close`` it
early. ``tonomy_migrate_state`` rewrites every version-1 poll once, at the height the
network activates version 2, on every validator alike (it reads and writes only this
app's own records, in key order, and is idempotent: a poll already in the new form is
left as it is).

Capability manifest: state ``poll/``, ``vote/``, ``seq/``; no call, no query.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, QuerySpec, RecordSchema, decode_record, encode_record, hookimpl

NAME = "poll"
VERSION = "2.0.0"
SEQ_KEY = b"seq/poll"

ID = RecordSchema((Field("id", int, minimum=1, maximum=2**63),))
CLOSE = RecordSchema((Field("id", int, minimum=1, maximum=2**63), Field("creator", str, minimum=3, maximum=32)))
CREATE = RecordSchema(
    (
        Field("creator", str, minimum=3, maximum=32),
        Field("question", str, minimum=1, maximum=200),
        Field("options", str, minimum=3, maximum=400, description="comma-separated, 2 to 8"),
        Field("closes", int, minimum=1, maximum=2**62, description="last height that takes votes"),
    )
)
VOTE = RecordSchema((Field("id", int, minimum=1, maximum=2**63), Field("voter", str, minimum=3, maximum=32), Field("option", int, minimum=0, maximum=7)))


def poll_key(pid: int) -> bytes:
    return b"poll/" + str(pid).zfill(20).encode()


def vote_key(pid: int, voter: str) -> bytes:
    return b"vote/" + str(pid).zfill(20).encode() + b"/" + voter.encode()


def load(ctx: Any, pid: int) -> dict[str, Any]:
    record = ctx.state.get_record(poll_key(pid))
    if record is None:
        ctx.fail("unknown_poll", "no poll has this id")
    return dict(record)


def create(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["creator"])
    options = [option.strip() for option in data["options"].split(",")]
    if not 2 <= len(options) <= 8 or not all(options) or len(set(options)) != len(options):
        ctx.fail("invalid_options", "a poll has 2 to 8 different, non-empty options")
    if data["closes"] <= ctx.height:
        ctx.fail("invalid_height", "a poll closes at a future height")
    pid = int(ctx.state.get_record(SEQ_KEY) or 0) + 1
    ctx.state.put_record(SEQ_KEY, pid)
    ctx.state.put_record(poll_key(pid), {
        "id": pid, "creator": data["creator"], "question": data["question"], "options": options,
        "closes": data["closes"], "tally": [0] * len(options), "votes": 0,
    })
    ctx.emit("created", {"id": pid, "creator": data["creator"]})


def vote(ctx: Any, data: Any) -> None:
    pid, voter, option = data["id"], data["voter"], data["option"]
    ctx.require_auth(voter)
    record = load(ctx, pid)
    if ctx.height > record["closes"]:
        ctx.fail("closed", "the poll is closed")
    if option >= len(record["options"]):
        ctx.fail("invalid_option", "no such option")
    if ctx.state.get(vote_key(pid, voter)) is not None:
        ctx.fail("already_voted", "one vote per account")
    ctx.state.put_record(vote_key(pid, voter), option)
    tally = list(record["tally"])
    tally[option] += 1
    ctx.state.put_record(poll_key(pid), {**record, "tally": tally, "votes": record["votes"] + 1})
    ctx.emit("voted", {"id": pid, "voter": voter, "option": option})


def close(ctx: Any, data: Any) -> None:
    record = load(ctx, data["id"])
    ctx.require_auth(data["creator"])
    if record["creator"] != data["creator"]:
        ctx.fail("not_creator", "only the poll's creator closes it early")
    if ctx.height > record["closes"]:
        ctx.fail("closed", "the poll is already closed")
    ctx.state.put_record(poll_key(record["id"]), {**record, "closes": ctx.height - 1})
    ctx.emit("closed", {"id": record["id"]})


def get_poll(ctx: Any, params: Any) -> Any:
    record = ctx.state.get_record(poll_key(params["id"]))
    return None if record is None else {**record, "open": ctx.height <= record["closes"]}


def migrate_poll(record: dict[str, Any]) -> dict[str, Any] | None:
    """A version-1 poll in version-2 form; None when it already is."""
    if not isinstance(record["options"], str):
        return None
    return {**record, "options": record["options"].split(","), "votes": sum(record["tally"])}


@hookimpl
def tonomy_migrate_state(from_version: Any, to_version: str, ctx: Any) -> None:
    if from_version is None:
        return  # a first activation has nothing to migrate
    for key, raw in list(ctx.state.items(b"poll/", b"poll0")):
        migrated = migrate_poll(dict(decode_record(raw)))
        if migrated is not None:
            ctx.state.put(key, encode_record(migrated))


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="Community polls")


@hookimpl
def tonomy_register_actions(register: Any) -> None:
    register(ActionSpec("create", create, CREATE, "Open a poll (authority: creator)"))
    register(ActionSpec("vote", vote, VOTE, "Vote once on an open poll (authority: voter)"))
    register(ActionSpec("close", close, CLOSE, "Close a poll early (authority: its creator)"))


@hookimpl
def tonomy_register_queries(register: Any) -> None:
    register(QuerySpec("poll", get_poll, ID, "A poll with its tally and vote count"))
