"""Pay's read-only queries: the surface wallets and other plugins rely on.

Unknown tokens, requests and escrows answer ``None`` (a question, not an error);
an unknown or malformed account simply holds nothing.
"""

from __future__ import annotations

from typing import Any

from tonomy.chain import codec
from tonomy.plugin import Data, QuerySpec, RecordSchema

from tonomy_pay import fields
from tonomy_pay.data import text, whole
from tonomy_pay.escrow import escrow_view
from tonomy_pay.layout import balance_prefix, escrow_key, is_account_name, is_symbol, request_key, token_key
from tonomy_pay.ledger import balance_of, read_record
from tonomy_pay.parameters import NATIVE_SYMBOL, current_str
from tonomy_pay.requests import request_view


def balance(ctx: Any, params: Data) -> int:
    return balance_of(ctx, text(params, "account"), text(params, "symbol"))


def balances(ctx: Any, params: Data) -> list[dict[str, Any]]:
    """Every non-zero balance of the account, by symbol."""
    account = text(params, "account")
    if not is_account_name(account):
        return []
    prefix = balance_prefix(account)
    end = prefix[:-1] + b"0"  # "/" + 1: just past every key under the prefix
    cut = len(prefix)
    return [{"symbol": key[cut:].decode("ascii"), "amount": _amount(value)} for key, value in ctx.state.items(prefix, end)]


def _amount(raw: bytes) -> int:
    value = codec.decode(raw)
    if type(value) is not int:
        raise TypeError("a stored balance is not an int")
    return value


def token(ctx: Any, params: Data) -> dict[str, Any] | None:
    symbol = text(params, "symbol")
    if not is_symbol(symbol):
        return None
    record = read_record(ctx, token_key(symbol))
    if record is not None:
        record["native"] = symbol == current_str(ctx, NATIVE_SYMBOL)
    return record


def native_token(ctx: Any, params: Data) -> dict[str, Any] | None:
    return token(ctx, {"symbol": current_str(ctx, NATIVE_SYMBOL)})


def request(ctx: Any, params: Data) -> dict[str, Any] | None:
    record = read_record(ctx, request_key(whole(params, "id")))
    return None if record is None else request_view(ctx, record)


def escrow(ctx: Any, params: Data) -> dict[str, Any] | None:
    record = read_record(ctx, escrow_key(whole(params, "id")))
    return None if record is None else escrow_view(ctx, record)


_ACCOUNT = fields.account("account", "the account")

QUERIES = (
    QuerySpec("balance", balance, RecordSchema((_ACCOUNT, fields.symbol())), description="Balance of one account in one token"),
    QuerySpec("balances", balances, RecordSchema((_ACCOUNT,)), description="Every non-zero balance of one account"),
    QuerySpec("token", token, RecordSchema((fields.symbol(),)), description="A token's issuer, decimals, supply and maximum supply"),
    QuerySpec("native_token", native_token, RecordSchema(), description="The native token, once genesis created it"),
    QuerySpec("request", request, RecordSchema((fields.record_id("the payment request"),)), description="A payment request and its status"),
    QuerySpec("escrow", escrow, RecordSchema((fields.record_id("the escrow"),)), description="An escrow and its status"),
)
