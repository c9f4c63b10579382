"""Executing an approved proposal: exactly the voted actions, once, inside its window.

``execute {id}`` (anyone may send it) checks, in order: the proposal exists and is
not final; voting has ended and the outcome is ``approved``; the timelock has passed
(``height >= eta``, else ``governance.timelock``); the grace period has not
(``height < expires``, else ``governance.expired``); the stored options still hash to
the hash recorded at creation. It then marks the proposal executed (so an action
that calls back cannot run it twice), settles the deposit (refund), and runs the
winning option's actions in order, each carrying the system account's authority
(``tonomy@<permission>``, default ``active``) through ``ctx.call_as_system``. If any
action fails, the whole transaction fails and nothing changes: the proposal stays
approved and may be executed again until it expires.

A proposal on a DAO's track (``scope``) runs differently: execute calls the DAO plugin's
``run_proposal {id}``, which checks through the ``executing`` query that governance is
executing exactly this proposal, then runs the winning option's actions as the DAO.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import decode_record

from tonomy_governance import deposits, errors, layout, proposals, tally, tracks
from tonomy_governance.options import options_hash


def execute(ctx: Any, data: Any) -> None:
    proposal = proposals.load(ctx, data["id"])
    pid = proposal["id"]
    if proposal["final"] is not None:
        ctx.fail(errors.FINAL, f"proposal {pid} is already {proposal['final']}")
    if ctx.height <= proposal["vote_end"]:
        ctx.fail(errors.NOT_APPROVED, f"proposal {pid} is still open for votes until height {proposal['vote_end']}")
    result = tally.outcome(ctx, proposal, ctx.state.get_record(layout.tally_key(pid)))
    if result["result"] != tally.APPROVED:
        ctx.fail(errors.NOT_APPROVED, f"proposal {pid} was not approved ({result['result']})")
    if ctx.height < proposal["eta"]:
        ctx.fail(errors.TIMELOCK, f"proposal {pid} may run from height {proposal['eta']} (now {ctx.height})")
    if ctx.height >= proposal["expires"]:
        ctx.fail(errors.EXPIRED, f"proposal {pid} expired at height {proposal['expires']}")
    if options_hash(proposal["options"]) != proposal["options_hash"]:
        ctx.fail(errors.HASH_MISMATCH, f"the stored options of proposal {pid} do not match the hash voted on")
    actions = decode_record(proposal["options"])[result["winner"]]["actions"]
    proposal["final"] = proposals.EXECUTED
    proposal["executed_height"] = ctx.height
    proposal["executed_option"] = result["winner"]
    if proposal["settled"] is None:
        proposal["settled"] = deposits.settle(ctx, proposal, burn=False)
    proposals.store(ctx, proposal)
    ctx.state.put_record(layout.EXECUTING, pid)
    if proposal.get("scope", tracks.NETWORK) != tracks.NETWORK:
        # A DAO's proposal runs as the DAO: only the DAO plugin carries its authority. It checks
        # with the ``executing`` query that this very proposal is being executed here.
        ctx.call(ctx.parameter("dao_plugin"), "run_proposal", {"id": pid}, [])
    else:
        for action in actions:
            ctx.call_as_system(action["plugin"], action["name"], action["data"], action.get("permission", "active"))
    ctx.state.delete(layout.EXECUTING)
    ctx.emit("executed", {"id": pid, "option": result["winner"], "actions": len(actions), "options_hash": proposal["options_hash"]})
