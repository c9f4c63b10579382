"""Community polls (version 1): an app published through the marketplace.

Anyone opens a poll with 2 to 8 options and a closing height; each account votes once
while it is open; the tally is public. Version 1 keeps a poll's options as one
comma-separated string (version 2 migrates them to a list).

Capability manifest: state ``poll/``, ``vote/``, ``seq/``; no call, no query.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, QuerySpec, RecordSchema, hookimpl

NAME = "poll"
VERSION = "1.0.0"
SEQ_KEY = b"seq/poll"

ID = RecordSchema((Field("id", int, minimum=1, maximum=2**63),))
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
        "id": pid, "creator": data["creator"], "question": data["question"], "options": ",".join(options),
        "closes": data["closes"], "tally": [0] * len(options),
    })
    ctx.emit("created", {"id": pid, "creator": data["creator"]})


def vote(ctx: Any, data: Any) -> None:
    pid, voter, option = data["id"], data["voter"], data["option"]
    ctx.require_auth(voter)
    record = ctx.state.get_record(poll_key(pid))
    if record is None:
        ctx.fail("unknown_poll", "no poll has this id")
    if ctx.height > record["closes"]:
        ctx.fail("closed", "the poll is closed")
    if option >= len(record["tally"]):
        ctx.fail("invalid_option", "no such option")
    if ctx.state.get(vote_key(pid, voter)) is not None:
        ctx.fail("already_voted", "one vote per account")
    ctx.state.put_record(vote_key(pid, voter), option)
    tally = list(record["tally"])
    tally[option] += 1
    ctx.state.put_record(poll_key(pid), {**record, "tally": tally})
    ctx.emit("voted", {"id": pid, "voter": voter, "option": option})


def get_poll(ctx: Any, params: Any) -> Any:
    record = ctx.state.get_record(poll_key(params["id"]))
    return None if record is None else {**record, "open": ctx.height <= record["closes"]}


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="Community polls")


@hookimpl
def tonomy_register_actions(register: Any) -> None:
    register(ActionSpec("create", create, CREATE, "Open a poll (authority: creator)"))
    register(ActionSpec("vote", vote, VOTE, "Vote once on an open poll (authority: voter)"))


@hookimpl
def tonomy_register_queries(register: Any) -> None:
    register(QuerySpec("poll", get_poll, ID, "A poll with its tally"))
