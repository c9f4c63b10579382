"""Votes and delegation.

Each account's power on a proposal is counted at most once, from the proposal's
snapshot (``strategy.power(ctx, account, snapshot)``), and the ballot records who
cast it (``ballot/<id>/<account>``):

* A direct vote counts the voter's own power (times the conviction multiplier on
  conviction tracks, after locking the snapshot amount with the token plugin) and the
  power of every account that delegated to the voter on the proposal's track and
  has not voted itself (delegated power counts at 1x, never with the delegate's
  conviction). Council proposals take direct votes only.
* A delegator who votes directly overrides its delegate: if the delegate already
  cast the delegator's power, it is moved from the delegate's choice to the
  delegator's. Voting directly twice is refused.
* Delegation is per track (``delegate {delegator, track, delegate}``), one level
  (a delegate's own delegation does not pass on what it received), and read when the
  delegate votes.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema

from tonomy_governance import errors, layout, proposals, strategies, tally

VOTE = RecordSchema(
    (
        Field("id", int, minimum=1, maximum=2**64 - 1),
        Field("voter", str, minimum=3, maximum=32),
        Field("choice", int, minimum=-3, maximum=31),
        Field("conviction", int, required=False, minimum=0, maximum=6),
    )
)
DELEGATE = RecordSchema(
    (Field("delegator", str, minimum=3, maximum=32), Field("track", str, minimum=1, maximum=32), Field("delegate", str, minimum=3, maximum=32))
)
UNDELEGATE = RecordSchema((Field("delegator", str, minimum=3, maximum=32), Field("track", str, minimum=1, maximum=32)))


def _power(ctx: Any, proposal: dict[str, Any], account: str) -> tuple[int, int]:
    spec = ctx.voting_strategies().get(proposal["strategy"])
    if spec is None:
        ctx.fail(errors.UNKNOWN_STRATEGY, f"strategy {proposal['strategy']!r} is no longer offered")
    power = spec.power(ctx, account, proposal["snapshot"])
    return power.weight, power.turnout


def vote(ctx: Any, data: Any) -> None:
    voter, choice = data["voter"], data["choice"]
    conviction = data.get("conviction", 0)
    ctx.require_auth(voter)
    proposal = proposals.load(ctx, data["id"])
    pid = proposal["id"]
    if proposal["final"] is not None or not proposal["vote_start"] <= ctx.height <= proposal["vote_end"]:
        ctx.fail(errors.NOT_ACTIVE, f"proposal {pid} takes votes from height {proposal['vote_start']} to {proposal['vote_end']} (now {ctx.height})")
    if choice >= proposal["option_count"]:
        ctx.fail(errors.INVALID_CHOICE, f"proposal {pid} has {proposal['option_count']} option(s); choice {choice} does not exist")
    strategy = proposal["strategy"]
    if conviction and strategy != strategies.CONVICTION:
        ctx.fail(errors.INVALID_CHOICE, "conviction applies only on conviction tracks")
    counts = ctx.state.get_record(layout.tally_key(pid))
    own_key = layout.ballot_key(pid, voter)
    previous = ctx.state.get_record(own_key)
    if previous is not None and previous["by"] == voter:
        ctx.fail(errors.ALREADY_VOTED, f"{voter} already voted on proposal {pid}")
    if previous is not None:  # the delegate cast this power: take it back
        tally.add(counts, previous["choice"], previous["weight"], previous["turnout"], sign=-1)
    weight, turnout = _power(ctx, proposal, voter)
    if conviction and turnout:
        multiplier, periods = strategies.CONVICTION_LEVELS[conviction]
        until = proposal["vote_end"] + periods * ctx.parameter("conviction_lock")
        snap = proposal["snapshot"]
        ctx.call(snap["token_plugin"], "lock", {"account": voter, "symbol": snap["symbol"], "amount": turnout, "until_height": until},
                 [level for level in ctx.authorization if level.actor == voter][:1])
        weight *= multiplier
    cast = [(voter, weight, turnout)]
    if strategy != strategies.COUNCIL:
        cast += _delegated(ctx, proposal, voter)
    total_weight = 0
    for account, account_weight, account_turnout in cast:
        ctx.state.put_record(layout.ballot_key(pid, account), {"by": voter, "choice": choice, "weight": account_weight, "turnout": account_turnout})
        tally.add(counts, choice, account_weight, account_turnout)
        total_weight += account_weight
    if total_weight == 0:
        ctx.fail(errors.NO_POWER, f"{voter} has no voting power on proposal {pid} (snapshot at height {proposal['snapshot']['height']})")
    ctx.state.put_record(layout.tally_key(pid), counts)
    ctx.emit("voted", {"id": pid, "voter": voter, "choice": choice, "weight": total_weight, "accounts": len(cast)})


def _delegated(ctx: Any, proposal: dict[str, Any], delegate: str) -> list[tuple[str, int, int]]:
    prefix = layout.delegators_prefix(proposal["track"], delegate)
    delegators = [key[len(prefix):].decode() for key, _ in ctx.state.items(prefix, layout.prefix_end(prefix))]
    found = []
    for delegator in delegators:
        if ctx.state.get(layout.ballot_key(proposal["id"], delegator)) is not None:
            continue  # it voted itself (or another delegate already cast it): its own choice stands
        weight, turnout = _power(ctx, proposal, delegator)
        if weight or turnout:
            found.append((delegator, weight, turnout))
    return found


def delegate(ctx: Any, data: Any) -> None:
    delegator, track, to = data["delegator"], data["track"], data["delegate"]
    ctx.require_auth(delegator)
    if delegator == to:
        ctx.fail(errors.SELF_DELEGATION, "an account cannot delegate to itself")
    if not ctx.account_exists(to):
        ctx.fail(errors.UNKNOWN_ACCOUNT, f"{to!r} is not an account")
    from tonomy_governance import tracks

    tracks.get_track(ctx, track)
    _remove(ctx, delegator, track)
    ctx.state.put_record(layout.delegation_key(track, delegator), to)
    ctx.state.put_record(layout.delegator_key(track, to, delegator), None)
    ctx.emit("delegated", {"delegator": delegator, "track": track, "delegate": to})


def undelegate(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["delegator"])
    if not _remove(ctx, data["delegator"], data["track"]):
        ctx.fail(errors.NOT_ALLOWED, f"{data['delegator']} has no delegation on track {data['track']!r}")
    ctx.emit("undelegated", {"delegator": data["delegator"], "track": data["track"]})


def _remove(ctx: Any, delegator: str, track: str) -> bool:
    current = ctx.state.get_record(layout.delegation_key(track, delegator))
    if current is None:
        return False
    ctx.state.delete(layout.delegation_key(track, delegator))
    ctx.state.delete(layout.delegator_key(track, current, delegator))
    return True


def get_delegation(ctx: Any, params: Any) -> str | None:
    value = ctx.state.get_record(layout.delegation_key(params["track"], params["delegator"]))
    return None if value is None else str(value)


def get_ballot(ctx: Any, params: Any) -> dict[str, Any] | None:
    record = ctx.state.get_record(layout.ballot_key(params["id"], params["account"]))
    return None if record is None else dict(record)
