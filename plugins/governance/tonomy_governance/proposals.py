"""Proposals: creation (deposit, snapshot, hash), their life cycle, cancel, settle.

Heights only (``ctx.height``): with ``created`` the creation height,

* voting is open for ``vote_start = created + voting_delay`` to
  ``vote_end = vote_start + voting_period - 1`` inclusive;
* once voting ended the outcome is fixed (see ``tally.py``);
* an approved proposal may run from ``eta = vote_end + 1 + timelock`` while
  ``height < expires = eta + grace``; after that it has expired for good.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema

from tonomy_governance import council, deposits, errors, layout, strategies, tally, tracks
from tonomy_governance.options import MAX_OPTIONS_BYTES, options_hash, parse_options

PROPOSE = RecordSchema(
    (
        Field("proposer", str, minimum=3, maximum=32),
        Field("track", str, minimum=1, maximum=32),
        Field("title", str, minimum=1, maximum=256),
        Field("options", bytes, minimum=1, maximum=MAX_OPTIONS_BYTES),
    )
)
ID = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1),))
ID_ACTOR = RecordSchema((Field("id", int, minimum=1, maximum=2**64 - 1), Field("actor", str, minimum=3, maximum=32)))

# Final states written into the record; every other state is computed from the height.
EXECUTED = "executed"
CANCELLED = "cancelled"
COUNCIL_VETOED = "council_vetoed"


def load(ctx: Any, pid: int) -> dict[str, Any]:
    record = ctx.state.get_record(layout.proposal_key(pid))
    if record is None:
        ctx.fail(errors.UNKNOWN_PROPOSAL, f"no proposal {pid}")
    return dict(record)


def store(ctx: Any, proposal: dict[str, Any]) -> None:
    ctx.state.put_record(layout.proposal_key(proposal["id"]), proposal)


def _snapshot(ctx: Any, strategy: str, track: dict[str, Any]) -> dict[str, Any]:
    """What the strategy will read: fixed now, so later moves change nothing."""
    snap: dict[str, Any] = {"height": ctx.height - 1, "strategy": strategy}
    scope = tracks.scope_of(track)
    if scope != tracks.NETWORK:  # a DAO's strategy reads its members and its token
        snap.update(scope=scope, symbol=track.get("symbol"))
    elif strategy == strategies.COUNCIL:
        config = council.config(ctx)
        snap.update(members=list(config["members"]), threshold=config["threshold"])
    else:
        snap.update(token_plugin=ctx.parameter("voting_token_plugin"), symbol=ctx.parameter("voting_symbol"))
    return snap


def propose(ctx: Any, data: Any) -> None:
    proposer = data["proposer"]
    ctx.require_auth(proposer)
    track = tracks.get_track(ctx, data["track"])
    scope = tracks.scope_of(track)
    if scope != tracks.NETWORK and ctx.query(ctx.parameter("dao_plugin"), "member", {"dao": scope, "account": proposer}) is None:
        ctx.fail(errors.NOT_MEMBER, f"only members of {scope} propose on its tracks")
    try:
        options = parse_options(data["options"], max_options=ctx.parameter("max_options"), max_actions=ctx.parameter("max_actions"))
    except ValueError as exc:
        ctx.fail(errors.INVALID_OPTIONS, str(exc))
    for option in options:
        for action in option["actions"]:
            if "actor" in action and scope == tracks.NETWORK:
                ctx.fail(errors.INVALID_OPTIONS, "network proposals act as the system account: an action names no actor")
            if not tracks.matches(track["matches"], action["plugin"], action["name"]):
                ctx.fail(errors.ACTION_NOT_IN_TRACK, f"the track {track['name']!r} may not carry {action['plugin']}.{action['name']}")
    # While the genesis council governs, every network proposal is decided by the council.
    network_council = scope == tracks.NETWORK and council.mode(ctx) == council.COUNCIL_MODE
    strategy = strategies.COUNCIL if network_council else track["strategy"]
    if strategy not in ctx.voting_strategies():
        ctx.fail(errors.UNKNOWN_STRATEGY, f"the track's strategy {strategy!r} is not offered by any plugin of this chain")
    pid = (ctx.state.get_record(layout.NEXT_PROPOSAL) or 0) + 1
    ctx.state.put_record(layout.NEXT_PROPOSAL, pid)
    vote_start = ctx.height + track["voting_delay"]
    vote_end = vote_start + track["voting_period"] - 1
    eta = vote_end + 1 + track["timelock"]
    proposal = {
        "id": pid,
        "proposer": proposer,
        "title": data["title"],
        "track": track["name"],
        "options": data["options"],
        "options_hash": options_hash(data["options"]),
        "option_count": len(options),
        "created_height": ctx.height,
        "vote_start": vote_start,
        "vote_end": vote_end,
        "eta": eta,
        "expires": eta + track["grace"],
        "quorum_bps": track["quorum_bps"],
        "approval_bps": track["approval_bps"],
        "veto_bps": track["veto_bps"],
        "strategy": strategy,
        "snapshot": _snapshot(ctx, strategy, track),
        "scope": scope,
        "deposit": track["deposit"],
        "deposit_token_plugin": ctx.parameter("deposit_token_plugin"),
        "deposit_symbol": ctx.parameter("deposit_symbol"),
        "burn_on_veto": ctx.parameter("burn_on_veto"),
        "burn_without_quorum": ctx.parameter("burn_without_quorum"),
        "final": None,
        "settled": None,
    }
    deposits.take(ctx, proposer, track["deposit"])
    store(ctx, proposal)
    ctx.state.put_record(layout.tally_key(pid), tally.empty(len(options)))
    ctx.emit("proposed", {"id": pid, "proposer": proposer, "track": track["name"], "options_hash": proposal["options_hash"], "strategy": strategy})


def cancel(ctx: Any, data: Any) -> None:
    """The proposer withdraws before voting starts; the deposit comes back."""
    proposal = load(ctx, data["id"])
    ctx.require_auth(proposal["proposer"])
    if proposal["final"] is not None:
        ctx.fail(errors.FINAL, f"proposal {proposal['id']} is already {proposal['final']}")
    if ctx.height >= proposal["vote_start"]:
        ctx.fail(errors.NOT_ALLOWED, "a proposal can be cancelled by its proposer only before voting starts")
    proposal["final"] = CANCELLED
    proposal["settled"] = deposits.settle(ctx, proposal, burn=False)
    store(ctx, proposal)
    ctx.emit("cancelled", {"id": proposal["id"], "by": proposal["proposer"]})


def status(ctx: Any, proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal's state at the current height, with its tally."""
    counts = ctx.state.get_record(layout.tally_key(proposal["id"]))
    height = ctx.height
    if proposal["final"] is not None:
        state = proposal["final"]
        result = tally.outcome(ctx, proposal, counts) if height > proposal["vote_end"] and state != CANCELLED else None
    elif height < proposal["vote_start"]:
        state, result = "pending", None
    elif height <= proposal["vote_end"]:
        state, result = "active", None
    else:
        result = tally.outcome(ctx, proposal, counts)
        state = result["result"]
        if state == tally.APPROVED:
            state = "queued" if height < proposal["eta"] else "executable" if height < proposal["expires"] else "expired"
    return {"state": state, "tally": counts, "outcome": result}


def settle(ctx: Any, data: Any) -> None:
    """Anyone: once the outcome is known, refund or burn the deposit (at most once)."""
    proposal = load(ctx, data["id"])
    if proposal["settled"] is not None:
        ctx.fail(errors.ALREADY_SETTLED, f"the deposit of proposal {proposal['id']} was already {proposal['settled']}")
    current = status(ctx, proposal)
    state = current["state"]
    if state in ("pending", "active", "queued", "executable"):
        ctx.fail(errors.NOT_SETTLED, f"proposal {proposal['id']} is {state}: its deposit is settled when it is decided")
    burn = (state == tally.VETOED and proposal["burn_on_veto"]) or (state == tally.NO_QUORUM and proposal["burn_without_quorum"])
    proposal["settled"] = deposits.settle(ctx, proposal, burn=burn)
    store(ctx, proposal)
    ctx.emit("settled", {"id": proposal["id"], "deposit": proposal["settled"]})


def next_proposal_id(ctx: Any, params: Any) -> int:
    """The id the next proposal will get (lets a plugin proposing on its track name it)."""
    return int(ctx.state.get_record(layout.NEXT_PROPOSAL) or 0) + 1


def executing(ctx: Any, params: Any) -> int | None:
    """The proposal whose actions are running right now (only ever seen inside ``execute``)."""
    value = ctx.state.get_record(layout.EXECUTING)
    return None if value is None else int(value)


def get_proposal(ctx: Any, params: Any) -> dict[str, Any] | None:
    record = ctx.state.get_record(layout.proposal_key(params["id"]))
    if record is None:
        return None
    proposal = dict(record)
    proposal.update(status(ctx, proposal))
    return proposal
