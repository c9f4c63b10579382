"""Built-in voting strategies, offered to every plugin through ``tonomy_voting_strategies``.

Every strategy reads a proposal's *snapshot* (taken at creation, see ``snapshot.py``);
balances are read at ``snapshot["height"]``, the last block before the proposal was
created, from a source that keeps checkpoints. The source (``token_plugin``) must answer:

* ``balance_at {account, symbol, height} -> int``: the balance at the end of block
  ``height`` (0 for an unknown account or token);
* ``supply_at {symbol, height} -> int``: the supply at the end of block ``height``;
* and, for conviction votes, the action ``lock {account, symbol, amount, until_height}``
  that keeps ``amount`` from being moved before ``until_height`` (locks of one account
  overlap: the largest amount until the latest height applies).

So tokens moved after the proposal was created add nothing to anyone's weight, and
tokens moved before it count for their holder at that height only.

One person, one vote is the identity plugin's ``identity.person`` (a verified person's
account at the snapshot height); DAOs add ``dao.members`` and ``dao.token``. All of them
arrive through the same hook.
"""

from __future__ import annotations

from math import isqrt
from typing import Any

from tonomy.plugin import VotingPower, VotingStrategySpec

COUNCIL = "governance.council"
TOKEN = "governance.token"
QUADRATIC = "governance.quadratic"
CONVICTION = "governance.conviction"

#: Conviction level -> (weight multiplier, lock in multiples of ``conviction_lock``).
CONVICTION_LEVELS: dict[int, tuple[int, int]] = {0: (1, 0), 1: (2, 1), 2: (3, 2), 3: (4, 4), 4: (5, 8), 5: (6, 16), 6: (7, 32)}


def _balance(ctx: Any, account: str, snapshot: Any) -> int:
    value = ctx.query(snapshot["token_plugin"], "balance_at", {"account": account, "symbol": snapshot["symbol"], "height": snapshot["height"]})
    return value if type(value) is int and value > 0 else 0


def _supply(ctx: Any, snapshot: Any) -> int:
    value = ctx.query(snapshot["token_plugin"], "supply_at", {"symbol": snapshot["symbol"], "height": snapshot["height"]})
    return value if type(value) is int and value > 0 else 0


def council_power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    one = 1 if account in snapshot["members"] else 0
    return VotingPower(one, one)


def council_total(ctx: Any, snapshot: Any) -> int:
    return len(snapshot["members"])


def token_power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    balance = _balance(ctx, account, snapshot)
    return VotingPower(balance, balance)


def quadratic_power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    balance = _balance(ctx, account, snapshot)
    return VotingPower(isqrt(balance), balance)


BUILT_IN: tuple[VotingStrategySpec, ...] = (
    VotingStrategySpec("council", council_power, council_total, "One vote per council member (M of N multisig).", ("members", "threshold")),
    VotingStrategySpec("token", token_power, _supply, "One vote per token unit held at the snapshot.", ("token_plugin", "symbol", "height")),
    VotingStrategySpec(
        "quadratic", quadratic_power, _supply, "Square root of the tokens held at the snapshot (turnout counts tokens).", ("token_plugin", "symbol", "height")
    ),
    VotingStrategySpec(
        "conviction",
        token_power,
        _supply,
        "Tokens held at the snapshot times a conviction multiplier (1x..7x) the voter buys by locking them (0..32 lock periods).",
        ("token_plugin", "symbol", "height"),
    ),
)
