"""The stable failure reasons of Pay.

A handler refuses an action with ``ctx.fail(reason, message)``; the host turns the
reason into the code ``pay.<reason>``. Clients match on these codes, never on the
messages, so a reason is never renamed or reused for another meaning.
"""

from __future__ import annotations

from typing import Any, NoReturn

INVALID_SYMBOL = "invalid_symbol"
"""A symbol is not 1 to 12 characters of A-Z and 0-9 starting with a letter."""
TOKEN_EXISTS = "token_exists"
"""``create_token`` names a symbol that already exists."""
RESERVED_SYMBOL = "reserved_symbol"
"""Only the native issuer may create the native token."""
TOO_MANY_TOKENS = "too_many_tokens"
"""The creator already created ``max_tokens_per_account`` tokens."""
UNKNOWN_TOKEN = "unknown_token"
"""The symbol names no token."""
UNKNOWN_ACCOUNT = "unknown_account"
"""An account named in the data does not exist (or is not a valid account name)."""
SUPPLY_EXCEEDED = "supply_exceeded"
"""Issuing would take the supply above the token's maximum supply."""
OVERDRAWN = "overdrawn"
"""The account's balance is lower than the amount."""
SELF_TRANSFER = "self_transfer"
"""Sender and recipient (or payer and payee) are the same account."""
MEMO_TOO_LONG = "memo_too_long"
"""The memo is longer (in UTF-8 bytes) than the ``max_memo_bytes`` parameter."""
INVALID_EXPIRY = "invalid_expiry"
"""A request's expiry is not in the future."""
INVALID_DEADLINE = "invalid_deadline"
"""An escrow has no deadline, or a deadline that is not in the future."""
INVALID_PARTIES = "invalid_parties"
"""An escrow's payer, payee and arbiter are not three different accounts."""
UNKNOWN_REQUEST = "unknown_request"
"""No payment request has this id."""
REQUEST_CLOSED = "request_closed"
"""The request was already paid or cancelled."""
REQUEST_EXPIRED = "request_expired"
"""The request's expiry has been reached; it can no longer be paid."""
WRONG_PAYER = "wrong_payer"
"""The request names another payer."""
UNKNOWN_ESCROW = "unknown_escrow"
"""No escrow has this id."""
ESCROW_CLOSED = "escrow_closed"
"""The escrow was already released or refunded."""
NOT_ALLOWED = "not_allowed"
"""The actor's role in the escrow does not allow this operation."""
DEADLINE_NOT_REACHED = "deadline_not_reached"
"""The payer asked for a refund before the escrow's deadline."""
LOCKED = "locked"
"""The debit would take the balance below the account's live lock."""
INVALID_LOCK = "invalid_lock"
"""A lock's ``until_height`` is not above the current height."""
STILL_LOCKED = "still_locked"
"""``unlock`` before the lock's ``until_height``."""
NOT_LOCKED = "not_locked"
"""``unlock`` of an account that has no lock on the token."""



def refuse(ctx: Any, reason: str, message: str) -> NoReturn:
    """Refuse the action with ``pay.<reason>`` (``ctx.fail`` always raises)."""
    ctx.fail(reason, message)
    raise AssertionError(f"the context did not refuse the action: {reason}")


ALL_REASONS: tuple[str, ...] = (
    INVALID_SYMBOL,
    TOKEN_EXISTS,
    RESERVED_SYMBOL,
    TOO_MANY_TOKENS,
    UNKNOWN_TOKEN,
    UNKNOWN_ACCOUNT,
    SUPPLY_EXCEEDED,
    OVERDRAWN,
    SELF_TRANSFER,
    MEMO_TOO_LONG,
    INVALID_EXPIRY,
    INVALID_DEADLINE,
    INVALID_PARTIES,
    UNKNOWN_REQUEST,
    REQUEST_CLOSED,
    REQUEST_EXPIRED,
    WRONG_PAYER,
    UNKNOWN_ESCROW,
    ESCROW_CLOSED,
    NOT_ALLOWED,
    DEADLINE_NOT_REACHED,
    LOCKED,
    INVALID_LOCK,
    STILL_LOCKED,
    NOT_LOCKED,
)

__all__ = ["ALL_REASONS", "refuse"] + [name for name in dir() if name.isupper() and name != "ALL_REASONS"]
