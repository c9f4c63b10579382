"""Tokens: create, issue, retire.

Any account may create a fungible token (up to ``max_tokens_per_account`` of them);
its issuer alone issues new units, up to the maximum supply; any holder may retire
(burn) units it holds. The native token is an ordinary token whose symbol is
reserved for the native issuer: the genesis transactions create it and issue the
genesis allocation with these same actions.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Data, Field, RecordSchema

from tonomy_pay import errors, fields
from tonomy_pay.checkpoints import record_supply
from tonomy_pay.data import memo as memo_of, text, whole
from tonomy_pay.layout import MAX_AMOUNT, MAX_DECIMALS, created_count_key, is_symbol, token_key
from tonomy_pay.ledger import check_memo, credit, debit, load_token, read_int, require_account
from tonomy_pay.parameters import MAX_TOKENS_PER_ACCOUNT, NATIVE_ISSUER, NATIVE_SYMBOL, current_int, current_str


def create_token(ctx: Any, data: Data) -> None:
    issuer, symbol = text(data, "issuer"), text(data, "symbol")
    ctx.require_auth(issuer)
    require_account(ctx, issuer, "issuer")
    if not is_symbol(symbol):
        errors.refuse(ctx, errors.INVALID_SYMBOL, f"symbol {symbol!r} must be 1 to 12 of A-Z and 0-9, starting with a letter")
    if ctx.state.get(token_key(symbol)) is not None:
        errors.refuse(ctx, errors.TOKEN_EXISTS, f"the token {symbol} already exists")
    native_issuer = current_str(ctx, NATIVE_ISSUER)
    if symbol == current_str(ctx, NATIVE_SYMBOL) and issuer != native_issuer:
        errors.refuse(ctx, errors.RESERVED_SYMBOL, f"{symbol} is the native token's symbol; only {native_issuer} may create it")
    made = read_int(ctx, created_count_key(issuer))
    limit = current_int(ctx, MAX_TOKENS_PER_ACCOUNT)
    if made >= limit:
        errors.refuse(ctx, errors.TOO_MANY_TOKENS, f"{issuer} already created {made} tokens, the limit is {limit}")
    ctx.state.put_record(created_count_key(issuer), made + 1)
    record = {
        "symbol": symbol,
        "issuer": issuer,
        "decimals": whole(data, "decimals"),
        "max_supply": whole(data, "max_supply"),
        "supply": 0,
        "created_height": ctx.height,
    }
    ctx.state.put_record(token_key(symbol), record)
    ctx.emit("token_created", {k: record[k] for k in ("symbol", "issuer", "decimals", "max_supply")})


def issue(ctx: Any, data: Data) -> None:
    symbol, recipient, amount, memo = text(data, "symbol"), text(data, "to"), whole(data, "amount"), memo_of(data)
    token = load_token(ctx, symbol)
    ctx.require_auth(token["issuer"])
    require_account(ctx, recipient, "recipient")
    check_memo(ctx, memo)
    if amount > token["max_supply"] - token["supply"]:
        errors.refuse(
            ctx,
            errors.SUPPLY_EXCEEDED,
            f"issuing {amount} {symbol} would exceed its maximum supply {token['max_supply']} (supply {token['supply']})",
        )
    token["supply"] += amount
    ctx.state.put_record(token_key(symbol), token)
    record_supply(ctx, symbol, token["supply"])
    credit(ctx, recipient, symbol, amount)
    ctx.emit("issued", {"symbol": symbol, "to": recipient, "amount": amount, "supply": token["supply"], "memo": memo})


def retire(ctx: Any, data: Data) -> None:
    owner, symbol, amount, memo = text(data, "owner"), text(data, "symbol"), whole(data, "amount"), memo_of(data)
    ctx.require_auth(owner)
    token = load_token(ctx, symbol)
    check_memo(ctx, memo)
    debit(ctx, owner, symbol, amount)
    token["supply"] -= amount
    ctx.state.put_record(token_key(symbol), token)
    record_supply(ctx, symbol, token["supply"])
    ctx.emit("retired", {"symbol": symbol, "owner": owner, "amount": amount, "supply": token["supply"], "memo": memo})


ACTIONS = (
    ActionSpec(
        "create_token",
        create_token,
        RecordSchema(
            (
                fields.account("issuer", "the creating account, which alone may issue the token"),
                fields.symbol(),
                Field("max_supply", int, minimum=1, maximum=MAX_AMOUNT, description="most units that may ever exist at once"),
                Field("decimals", int, minimum=0, maximum=MAX_DECIMALS, description="digits after the point when shown"),
            )
        ),
        description="Create a fungible token (authority: issuer)",
    ),
    ActionSpec(
        "issue",
        issue,
        RecordSchema((fields.symbol(), fields.account("to", "recipient of the new units"), fields.amount(), fields.memo())),
        description="Issue new units to an account, within the maximum supply (authority: the token's issuer)",
    ),
    ActionSpec(
        "retire",
        retire,
        RecordSchema((fields.account("owner", "holder burning its units"), fields.symbol(), fields.amount(), fields.memo())),
        description="Burn units of one's own balance, lowering the supply (authority: owner)",
    ),
)
