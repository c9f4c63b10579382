"""Locks: an account keeps part of its balance from moving until a height.

Conviction voting buys weight by locking the voted tokens (governance calls
``lock`` with the voter's authority). One lock per account and token: a new lock
while one is live keeps the larger amount and the later height, so a lock can
only grow, never be shortened. While ``height < until_height``, every debit
(transfer, retire, escrow deposit, payment) must leave at least the locked amount
(``pay.locked``). ``unlock`` deletes the record once it expired (before that,
``pay.still_locked``); an expired lock binds nothing even if never unlocked.

Key: ``lock/<account>/<SYMBOL>`` -> ``{amount, until_height, since_height}``.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Data, Field, RecordSchema

from tonomy_pay import errors, fields
from tonomy_pay.data import text, whole
from tonomy_pay.layout import MAX_ID, is_account_name, is_symbol
from tonomy_pay.ledger import balance_of, load_token, read_record
from tonomy_pay.lockstate import live_lock, lock_key


def lock(ctx: Any, data: Data) -> None:
    account, symbol = text(data, "account"), text(data, "symbol")
    amount, until = whole(data, "amount"), whole(data, "until_height")
    ctx.require_auth(account)
    load_token(ctx, symbol)
    if until <= ctx.height:
        errors.refuse(ctx, errors.INVALID_LOCK, f"a lock until height {until} is already over at height {ctx.height}")
    held = balance_of(ctx, account, symbol)
    if amount > held:
        errors.refuse(ctx, errors.OVERDRAWN, f"{account} holds {held} units of {symbol}, cannot lock {amount}")
    current = live_lock(ctx, account, symbol)
    since = ctx.height
    if current is not None:
        amount, until, since = max(amount, current["amount"]), max(until, current["until_height"]), current["since_height"]
    ctx.state.put_record(lock_key(account, symbol), {"amount": amount, "until_height": until, "since_height": since})
    ctx.emit("locked", {"account": account, "symbol": symbol, "amount": amount, "until_height": until})


def unlock(ctx: Any, data: Data) -> None:
    account, symbol = text(data, "account"), text(data, "symbol")
    ctx.require_auth(account)
    record = read_record(ctx, lock_key(account, symbol)) if is_account_name(account) and is_symbol(symbol) else None
    if record is None:
        errors.refuse(ctx, errors.NOT_LOCKED, f"{account} has no lock on {symbol}")
    if ctx.height < record["until_height"]:
        errors.refuse(ctx, errors.STILL_LOCKED, f"{account}'s {symbol} stay locked until height {record['until_height']}")
    ctx.state.delete(lock_key(account, symbol))
    ctx.emit("unlocked", {"account": account, "symbol": symbol, "amount": record["amount"]})


def locked_query(ctx: Any, params: Data) -> dict[str, Any] | None:
    """The live lock ``{amount, until_height, since_height}`` or None."""
    return live_lock(ctx, text(params, "account"), text(params, "symbol"))


ACTIONS = (
    ActionSpec(
        "lock",
        lock,
        RecordSchema(
            (
                fields.account("account", "the holder"),
                fields.symbol(),
                fields.amount("units kept from moving"),
                Field("until_height", int, minimum=1, maximum=MAX_ID, description="first height at which the units move again"),
            )
        ),
        description="Keep units of one's balance from moving until a height; locks only grow (authority: account)",
    ),
    ActionSpec(
        "unlock",
        unlock,
        RecordSchema((fields.account("account", "the holder"), fields.symbol())),
        description="Delete an expired lock (authority: account)",
    ),
)
