"""Pay's read-only queries: the surface wallets and other plugins rely on.

Unknown tokens, requests and escrows answer ``None`` (a question, not an error);
an unknown or malformed account simply holds nothing.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Data, Field, QuerySpec, RecordSchema, decode_record

from tonomy_pay import checkpoints, fields, locks
from tonomy_pay.data import text, whole
from tonomy_pay.escrow import escrow_view
from tonomy_pay.layout import MAX_ID, balance_prefix, escrow_key, is_account_name, is_symbol, request_key, token_key
from tonomy_pay.ledger import balance_of, read_record
from tonomy_pay.parameters import NATIVE_SYMBOL, current_str
from tonomy_pay.requests import request_view


def balance(ctx: Any, params: Data) -> int:
    return balance_of(ctx, text(params, "account"), text(params, "symbol"))


def balance_at(ctx: Any, params: Data) -> int:
    """The balance at the end of block ``height`` (0 before the first credit)."""
    return checkpoints.balance_at(ctx, text(params, "account"), text(params, "symbol"), whole(params, "height"))


def supply_at(ctx: Any, params: Data) -> int:
    """The supply at the end of block ``height`` (0 before the first issue)."""
    return checkpoints.supply_at(ctx, text(params, "symbol"), whole(params, "height"))


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
    value = decode_record(raw)
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
_HEIGHT = Field("height", int, minimum=0, maximum=MAX_ID, description="block height; the answer is the value at the end of it")

QUERIES = (
    QuerySpec("balance", balance, RecordSchema((_ACCOUNT, fields.symbol())), description="Balance of one account in one token"),
    QuerySpec("balance_at", balance_at, RecordSchema((_ACCOUNT, fields.symbol(), _HEIGHT)), description="Balance at the end of a past block"),
    QuerySpec("supply_at", supply_at, RecordSchema((fields.symbol(), _HEIGHT)), description="Supply at the end of a past block"),
    QuerySpec("locked", locks.locked_query, RecordSchema((_ACCOUNT, fields.symbol())), description="The account's live lock on a token, or None"),
    QuerySpec("balances", balances, RecordSchema((_ACCOUNT,)), description="Every non-zero balance of one account"),
    QuerySpec("token", token, RecordSchema((fields.symbol(),)), description="A token's issuer, decimals, supply and maximum supply"),
    QuerySpec("native_token", native_token, RecordSchema(), description="The native token, once genesis created it"),
    QuerySpec("request", request, RecordSchema((fields.record_id("the payment request"),)), description="A payment request and its status"),
    QuerySpec("escrow", escrow, RecordSchema((fields.record_id("the escrow"),)), description="An escrow and its status"),
)
