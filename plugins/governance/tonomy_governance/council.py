"""The genesis council: M of N founding members decide until they hand over.

* ``init_council {members}`` (the system account's authority, once: a genesis
  transaction signed by the validators) sets ``mode = council`` with the threshold
  ``ceil(2N/3)``. While in council mode every proposal is decided by the council
  strategy, whatever its track says.
* ``handover {}`` (only as an action of an executed proposal: the council's own
  decision) switches to ``open``: tracks' own
  strategies apply from then on, to proposals created after it.
* The council stays as a guardian: during a proposal's timelock, ``council_veto``
  by M members cancels it (the cancel path of the timelock). ``set_council``
  (an executed proposal) replaces or, with no members, dissolves it.

Without ``init_council`` the plugin starts in ``open`` mode.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema

from tonomy_governance import authority, errors, layout

COUNCIL_MODE, OPEN_MODE = "council", "open"

MEMBERS = RecordSchema((Field("members", str, minimum=0, maximum=32 * 33, description="comma-separated account names"),))
EMPTY = RecordSchema()
VETO = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1), Field("member", str, minimum=3, maximum=32)))


def config(ctx: Any) -> dict[str, Any]:
    record = ctx.state.get_record(layout.CONFIG)
    return dict(record) if record is not None else {"mode": OPEN_MODE, "members": [], "threshold": 0}


def mode(ctx: Any) -> str:
    return str(config(ctx)["mode"])


def two_thirds(count: int) -> int:
    return (2 * count + 2) // 3


def _members(ctx: Any, text: str) -> list[str]:
    members = sorted({item.strip() for item in text.split(",") if item.strip()})
    for member in members:
        if not ctx.account_exists(member):
            ctx.fail(errors.UNKNOWN_ACCOUNT, f"council member {member!r} is not an account")
    return members


def init_council(ctx: Any, data: Any) -> None:
    ctx.require_auth(layout.SYSTEM_ACCOUNT)
    if ctx.state.get(layout.CONFIG) is not None:
        ctx.fail(errors.COUNCIL, "the council was set up already")
    members = _members(ctx, data["members"])
    if not members:
        ctx.fail(errors.COUNCIL, "a council needs at least one member")
    ctx.state.put_record(layout.CONFIG, {"mode": COUNCIL_MODE, "members": members, "threshold": two_thirds(len(members))})
    ctx.emit("council_set", {"members": members, "threshold": two_thirds(len(members))})


def set_council(ctx: Any, data: Any) -> None:
    authority.require_executed_proposal(ctx)
    members = _members(ctx, data["members"])
    current = config(ctx)
    if not members and current["mode"] == COUNCIL_MODE:
        ctx.fail(errors.COUNCIL, "hand over before dissolving the council")
    ctx.state.put_record(layout.CONFIG, {"mode": current["mode"], "members": members, "threshold": two_thirds(len(members))})
    ctx.emit("council_set", {"members": members, "threshold": two_thirds(len(members))})


def handover(ctx: Any, data: Any) -> None:
    authority.require_executed_proposal(ctx)
    current = config(ctx)
    if current["mode"] != COUNCIL_MODE:
        ctx.fail(errors.COUNCIL, "governance is already open")
    current["mode"] = OPEN_MODE
    ctx.state.put_record(layout.CONFIG, current)
    ctx.emit("handed_over", {"height": ctx.height})


def council_veto(ctx: Any, data: Any) -> None:
    from tonomy_governance import proposals

    member = data["member"]
    ctx.require_auth(member)
    current = config(ctx)
    if member not in current["members"]:
        ctx.fail(errors.NOT_MEMBER, f"{member!r} is not on the council")
    proposal = proposals.load(ctx, data["id"])
    state = proposals.status(ctx, proposal)["state"]
    if state != "queued":
        ctx.fail(errors.NOT_ALLOWED, f"the council vetoes only during the timelock; proposal {proposal['id']} is {state}")
    key = layout.council_veto_key(proposal["id"], member)
    if ctx.state.get(key) is not None:
        ctx.fail(errors.ALREADY_VOTED, f"{member} already vetoed proposal {proposal['id']}")
    ctx.state.put_record(key, ctx.height)
    prefix = layout.council_vetoes_prefix(proposal["id"])
    count = sum(1 for _ in ctx.state.items(prefix, layout.prefix_end(prefix)))
    ctx.emit("council_veto", {"id": proposal["id"], "member": member, "count": count})
    if count >= current["threshold"]:
        proposal["final"] = proposals.COUNCIL_VETOED
        proposals.store(ctx, proposal)
        ctx.emit("vetoed_by_council", {"id": proposal["id"]})
