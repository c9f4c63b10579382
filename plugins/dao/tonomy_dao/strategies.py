"""The DAO's voting strategies, offered through ``tonomy_voting_strategies``: ``dao.members``
and ``dao.token``. They run inside the governance plugin (on a DAO's scoped track) and read
the proposal's snapshot: ``scope`` (the DAO), ``height`` (the block before the proposal)
and, for tokens, ``symbol``.

* ``members``: 1 for an account that is a member now and joined at or before the
  snapshot height; total = the members at the snapshot height.
* ``token``: the same members, weighted by their Pay balance at the snapshot height;
  total = the token's supply at that height.

Joining after the proposal, or tokens moved after it, add nothing.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import VotingPower, VotingStrategySpec

DAO = "dao"
PAY = "pay"


def _was_member(ctx: Any, account: str, snapshot: Any) -> bool:
    member = ctx.query(DAO, "member", {"dao": snapshot["scope"], "account": account})
    return member is not None and member["joined_height"] <= snapshot["height"]


def members_power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    one = 1 if _was_member(ctx, account, snapshot) else 0
    return VotingPower(one, one)


def members_total(ctx: Any, snapshot: Any) -> int:
    value = ctx.query(DAO, "members_at", {"dao": snapshot["scope"], "height": snapshot["height"]})
    return value if type(value) is int and value > 0 else 0


def token_power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    if not _was_member(ctx, account, snapshot):
        return VotingPower(0, 0)
    value = ctx.query(PAY, "balance_at", {"account": account, "symbol": snapshot["symbol"], "height": snapshot["height"]})
    weight = value if type(value) is int and value > 0 else 0
    return VotingPower(weight, weight)


def token_total(ctx: Any, snapshot: Any) -> int:
    value = ctx.query(PAY, "supply_at", {"symbol": snapshot["symbol"], "height": snapshot["height"]})
    return value if type(value) is int and value > 0 else 0


STRATEGIES: tuple[VotingStrategySpec, ...] = (
    VotingStrategySpec("members", members_power, members_total, "One vote per DAO member who joined before the proposal.", ("scope", "height")),
    VotingStrategySpec(
        "token", token_power, token_total, "DAO members weighted by their Pay balance at the snapshot.", ("scope", "height", "symbol")
    ),
)
