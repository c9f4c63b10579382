"""Transfers: move units of a token from one account to another existing account."""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Data, RecordSchema

from tonomy_pay import errors, fields
from tonomy_pay.data import memo as memo_of, text, whole
from tonomy_pay.ledger import check_memo, move, require_account, require_token


def transfer(ctx: Any, data: Data) -> None:
    sender, recipient, symbol, amount, memo = data.get("from"), data.get("to"), data.get("symbol"), data.get("amount"), data.get("memo", "")
    if not (type(sender) is str and type(recipient) is str and type(symbol) is str and type(amount) is int and type(memo) is str):
        # The schema makes this unreachable; the typed reads word what went wrong.
        sender, recipient, symbol = text(data, "from"), text(data, "to"), text(data, "symbol")
        amount, memo = whole(data, "amount"), memo_of(data)
    ctx.require_auth(sender)
    if sender == recipient:
        errors.refuse(ctx, errors.SELF_TRANSFER, f"{sender} cannot transfer to itself")
    require_token(ctx, symbol)
    require_account(ctx, recipient, "recipient")
    check_memo(ctx, memo)
    move(ctx, sender, recipient, symbol, amount, memo)


ACTIONS = (
    ActionSpec(
        "transfer",
        transfer,
        RecordSchema(
            (
                fields.account("from", "sender"),
                fields.account("to", "recipient (must exist)"),
                fields.symbol(),
                fields.amount(),
                fields.memo(),
            )
        ),
        description="Transfer units to an existing account (authority: from)",
    ),
)
