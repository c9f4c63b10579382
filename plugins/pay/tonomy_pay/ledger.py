"""Balances and the checks every Pay action shares.

Every movement of value goes through :func:`debit` and :func:`credit`, which keep
the one invariant Pay rests on: for each token, the balances plus the amounts
held in open escrows add up to the token's supply. A zero balance is deleted, so
state holds only accounts that hold something.
"""

from __future__ import annotations

from typing import Any

from tonomy_pay import errors
from tonomy_pay.checkpoints import record_balance
from tonomy_pay.layout import MAX_AMOUNT, balance_key, is_account_name, is_symbol, sequence_key, token_key
from tonomy_pay.lockstate import locked_amount
from tonomy_pay.parameters import MAX_MEMO_BYTES, current_int


def read_record(ctx: Any, key: bytes) -> dict[str, Any] | None:
    """The record stored under ``key`` (Pay stores only objects there), or None."""
    record = ctx.state.get_record(key)
    if record is not None and not isinstance(record, dict):
        raise TypeError(f"Pay's record {key!r} is not an object")
    return record


def read_int(ctx: Any, key: bytes) -> int:
    """The integer stored under ``key``; 0 when absent."""
    value = ctx.state.get_record(key)
    if value is None:
        return 0
    if type(value) is not int:
        raise TypeError(f"Pay's counter {key!r} is not an int")
    return value


def load_token(ctx: Any, symbol: str) -> dict[str, Any]:
    """The token record of ``symbol``, or refuse the action with ``pay.unknown_token``."""
    record = read_record(ctx, token_key(symbol)) if is_symbol(symbol) else None
    if record is None:
        errors.refuse(ctx, errors.UNKNOWN_TOKEN, f"there is no token {symbol!r}")
    return record


def require_token(ctx: Any, symbol: str) -> None:
    """:func:`load_token` for a caller that needs only the token to exist: the same state
    operation and refusal, without decoding the record (Pay alone writes it, always an object)."""
    if not is_symbol(symbol) or ctx.state.get(token_key(symbol)) is None:
        errors.refuse(ctx, errors.UNKNOWN_TOKEN, f"there is no token {symbol!r}")


def require_account(ctx: Any, name: str, role: str) -> None:
    """Refuse with ``pay.unknown_account`` unless ``name`` is an existing account."""
    if not is_account_name(name) or not ctx.account_exists(name):
        errors.refuse(ctx, errors.UNKNOWN_ACCOUNT, f"the {role} {name!r} is not an existing account")


def check_memo(ctx: Any, memo: str) -> None:
    limit = current_int(ctx, MAX_MEMO_BYTES)
    size = len(memo.encode("utf-8"))
    if size > limit:
        errors.refuse(ctx, errors.MEMO_TOO_LONG, f"the memo is {size} bytes, the limit is {limit}")


def balance_of(ctx: Any, account: str, symbol: str) -> int:
    if not (is_account_name(account) and is_symbol(symbol)):
        return 0
    return read_int(ctx, balance_key(account, symbol))


def _held(state: Any, account: str, symbol: str, key: bytes) -> int:
    """:func:`balance_of` for the caller that built ``key = balance_key(account, symbol)``."""
    if not (is_account_name(account) and is_symbol(symbol)):
        return 0
    value = state.get_record(key)
    if value is None:
        return 0
    if type(value) is not int:
        raise TypeError(f"Pay's counter {key!r} is not an int")
    return value


def _store_balance(ctx: Any, account: str, symbol: str, amount: int, key: bytes | None = None) -> None:
    """Write the balance (deleting a zero one) and its checkpoint at this height."""
    if not 0 <= amount <= MAX_AMOUNT:  # unreachable while supply <= max supply; checked anyway
        raise AssertionError(f"balance of {account} in {symbol} would be {amount}")
    state = ctx.state
    if key is None:
        key = balance_key(account, symbol)
    if amount == 0:
        state.delete(key)
    else:
        state.put_record(key, amount)
    record_balance(ctx, account, symbol, amount)


def debit(ctx: Any, account: str, symbol: str, amount: int) -> None:
    """Take ``amount`` from ``account``: ``pay.overdrawn`` if it holds less, ``pay.locked`` if a live lock keeps it."""
    key = balance_key(account, symbol)
    held = _held(ctx.state, account, symbol, key)
    if held < amount:
        errors.refuse(ctx, errors.OVERDRAWN, f"{account} holds {held} units of {symbol}, less than {amount}")
    locked = locked_amount(ctx, account, symbol)
    if held - amount < locked:
        errors.refuse(ctx, errors.LOCKED, f"{account} has {locked} units of {symbol} locked; {held} held, cannot move {amount}")
    _store_balance(ctx, account, symbol, held - amount, key)


def credit(ctx: Any, account: str, symbol: str, amount: int) -> None:
    """Give ``amount`` to ``account``; cannot overflow since it came out of the supply."""
    key = balance_key(account, symbol)
    _store_balance(ctx, account, symbol, _held(ctx.state, account, symbol, key) + amount, key)


def move(ctx: Any, sender: str, recipient: str, symbol: str, amount: int, memo: str) -> None:
    """Transfer between two accounts and announce it with a ``transferred`` event."""
    debit(ctx, sender, symbol, amount)
    credit(ctx, recipient, symbol, amount)
    ctx.emit("transferred", {"from": sender, "to": recipient, "symbol": symbol, "amount": amount, "memo": memo})


def next_id(ctx: Any, kind: str) -> int:
    """The next id of ``kind`` (1, 2, 3, ...): deterministic, never reused."""
    new_id = read_int(ctx, sequence_key(kind)) + 1
    ctx.state.put_record(sequence_key(kind), new_id)
    return new_id


def deadline_reached(ctx: Any, height: int | None, time_ms: int | None) -> bool:
    """True once the block reaches ``height`` or ``time_ms`` (whichever is given and comes first)."""
    return (height is not None and ctx.height >= height) or (time_ms is not None and ctx.time_ms >= time_ms)
