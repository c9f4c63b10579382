"""Per-height checkpoints of balances and supplies: what token voting reads.

Governance takes a proposal's snapshot at a past height, so Pay keeps, for every
height at which a balance or a supply changed, the value at the end of that
height. Keys carry the *inverted* height (``2**64 - 1 - height``, 20 digits), so
in ascending key order the newest checkpoint comes first and the checkpoint in
force at height ``h`` is the first key at or after ``inv(h)``: one bounded range
read, whatever the length of the history. Several changes in one block rewrite the
same key, so a block adds at most one checkpoint per balance and per supply.

Keys (inside the ``pay`` namespace):

* ``ck/<account>/<SYMBOL>/<inv height>``  balance at the end of that height
* ``sck/<SYMBOL>/<inv height>``           supply at the end of that height
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import decode_record

from tonomy_pay.layout import MAX_ID, is_account_name, is_symbol

#: Heights run from 0 to ``MAX_ID`` (2**64 - 1); the inversion maps them onto the same range.
TOP = MAX_ID


def inverted(height: int) -> bytes:
    return b"%020d" % (TOP - height)


#: ``(height, inverted(height))`` of the last height a balance was recorded at: a
#: block's transfers all record at the same height (a pure function of the height).
_last_inverted: tuple[int, bytes] = (-1, b"")


def _inverted_now(height: int) -> bytes:
    global _last_inverted
    known, spelled = _last_inverted
    if known != height:
        spelled = inverted(height)
        _last_inverted = (height, spelled)
    return spelled


def balance_history_prefix(account: str, symbol: str) -> bytes:
    return f"ck/{account}/{symbol}/".encode("ascii")


def supply_history_prefix(symbol: str) -> bytes:
    return b"sck/" + symbol.encode("ascii") + b"/"


def record_balance(ctx: Any, account: str, symbol: str, amount: int) -> None:
    """The balance of ``account`` in ``symbol`` at the end of this block is (so far) ``amount``."""
    ctx.state.put_record(f"ck/{account}/{symbol}/".encode("ascii") + _inverted_now(ctx.height), amount)  # balance_history_prefix, inline


def record_supply(ctx: Any, symbol: str, supply: int) -> None:
    ctx.state.put_record(supply_history_prefix(symbol) + inverted(ctx.height), supply)


def _value_at(ctx: Any, prefix: bytes, height: int) -> int:
    """The newest checkpoint under ``prefix`` at or before ``height``; 0 when there is none."""
    start = prefix + inverted(min(max(height, 0), TOP))
    end = prefix[:-1] + b"0"  # "/" + 1: just past every key under the prefix
    for _key, raw in ctx.state.items(start, end):
        value = decode_record(raw)
        if type(value) is not int:
            raise TypeError("a stored checkpoint is not an int")
        return value
    return 0


def balance_at(ctx: Any, account: str, symbol: str, height: int) -> int:
    if not (is_account_name(account) and is_symbol(symbol)):
        return 0
    return _value_at(ctx, balance_history_prefix(account, symbol), height)


def supply_at(ctx: Any, symbol: str, height: int) -> int:
    if not is_symbol(symbol):
        return 0
    return _value_at(ctx, supply_history_prefix(symbol), height)
