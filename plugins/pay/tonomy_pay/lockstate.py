"""Reading locks (``lock/<account>/<SYMBOL>``): shared by the ledger's debit check and ``locks.py``."""

from __future__ import annotations

from typing import Any

from tonomy_pay.layout import is_account_name, is_symbol


def lock_key(account: str, symbol: str) -> bytes:
    return f"lock/{account}/{symbol}".encode("ascii")


def live_lock(ctx: Any, account: str, symbol: str) -> dict[str, Any] | None:
    """The lock that binds now, or None (absent or expired: ``height >= until_height``)."""
    if not (is_account_name(account) and is_symbol(symbol)):
        return None
    record = ctx.state.get_record(lock_key(account, symbol))
    if not isinstance(record, dict) or ctx.height >= record["until_height"]:
        return None
    return record


def locked_amount(ctx: Any, account: str, symbol: str) -> int:
    record = live_lock(ctx, account, symbol)
    return 0 if record is None else int(record["amount"])
