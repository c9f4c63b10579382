"""Counting votes and deciding an outcome: integers and basis points only.

Choices: ``0..n-1`` an option, ``-1`` against, ``-2`` abstain, ``-3`` veto.

After voting ends (``total`` = the strategy's total at the snapshot):

* council strategy: approved when one option has at least the council threshold
  (M of N members), otherwise rejected;
* otherwise, in this order:
  1. ``no_quorum`` unless ``turnout * 10000 >= quorum_bps * total``;
  2. ``vetoed`` if ``veto_bps < 10000`` and ``veto * 10000 > veto_bps * all_weight``;
  3. ``approved`` if one option has strictly more weight than every other and
     ``winner * 10000 > approval_bps * (sum of options + against)``;
  4. otherwise ``rejected``.
"""

from __future__ import annotations

from typing import Any

from tonomy_governance import strategies

AGAINST, ABSTAIN, VETO = -1, -2, -3
BPS = 10_000
APPROVED, REJECTED, NO_QUORUM, VETOED = "approved", "rejected", "no_quorum", "vetoed"


def empty(option_count: int) -> dict[str, Any]:
    return {"options": [0] * option_count, "against": 0, "abstain": 0, "veto": 0, "turnout": 0, "voters": 0}


def _slot(choice: int) -> str | None:
    return {AGAINST: "against", ABSTAIN: "abstain", VETO: "veto"}.get(choice)


def add(counts: dict[str, Any], choice: int, weight: int, turnout: int, sign: int = 1) -> None:
    slot = _slot(choice)
    if slot is None:
        counts["options"][choice] += sign * weight
    else:
        counts[slot] += sign * weight
    counts["turnout"] += sign * turnout
    counts["voters"] += sign


def outcome(ctx: Any, proposal: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    options = counts["options"]
    best = max(options)
    leaders = [index for index, weight in enumerate(options) if weight == best]
    winner = leaders[0] if len(leaders) == 1 and best > 0 else None
    snapshot = proposal["snapshot"]
    if proposal["strategy"] == strategies.COUNCIL:
        approved = winner is not None and best >= snapshot["threshold"]
        return {"result": APPROVED if approved else REJECTED, "winner": winner if approved else None, "total": len(snapshot["members"])}
    spec = ctx.voting_strategies().get(proposal["strategy"])
    total = spec.total(ctx, snapshot) if spec is not None else 0
    result = REJECTED
    all_weight = sum(options) + counts["against"] + counts["abstain"] + counts["veto"]
    decisive = sum(options) + counts["against"]
    if counts["turnout"] * BPS < proposal["quorum_bps"] * total or total == 0:
        result = NO_QUORUM
    elif proposal["veto_bps"] < BPS and counts["veto"] * BPS > proposal["veto_bps"] * all_weight:
        result = VETOED
    elif winner is not None and best * BPS > proposal["approval_bps"] * decisive:
        result = APPROVED
    return {"result": result, "winner": winner if result == APPROVED else None, "total": total}
