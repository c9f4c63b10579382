"""A small token plugin for the governance tests (``gtoken``, one symbol ``GOV``).

It offers what governance needs of a token, with Pay's action names:
``transfer``/``retire`` (deposits), checkpointed ``balance_at``/``supply_at``
(snapshots) and ``lock`` (conviction). ``mint`` needs the system account.
Checkpoints are keyed by the inverted height, so the first key at or after
``inv(h)`` is the latest checkpoint at or before ``h``.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, QuerySpec, RecordSchema, hookimpl

SYMBOL = "GOV"
TOP = 2**64 - 1
ACCOUNT = Field("account", str, minimum=3, maximum=32)
AMOUNT = Field("amount", int, minimum=1, maximum=2**127 - 1)
SYM = Field("symbol", str, minimum=1, maximum=12)
MEMO = Field("memo", str, required=False, maximum=256)


def _inv(height: int) -> str:
    return f"{TOP - height:020d}"


def _balance(ctx: Any, account: str) -> int:
    return int(ctx.state.get_record(f"bal/{account}".encode()) or 0)


def _supply(ctx: Any) -> int:
    return int(ctx.state.get_record(b"supply") or 0)


def _set_balance(ctx: Any, account: str, value: int) -> None:
    ctx.state.put_record(f"bal/{account}".encode(), value)
    ctx.state.put_record(f"ck/{account}/{_inv(ctx.height)}".encode(), value)


def _set_supply(ctx: Any, value: int) -> None:
    ctx.state.put_record(b"supply", value)
    ctx.state.put_record(f"sck/{_inv(ctx.height)}".encode(), value)


def _locked(ctx: Any, account: str) -> int:
    lock = ctx.state.get_record(f"lock/{account}".encode())
    return int(lock["amount"]) if lock is not None and ctx.height < lock["until"] else 0


def _symbol(ctx: Any, symbol: str) -> None:
    if symbol != SYMBOL:
        ctx.fail("unknown_token", f"no token {symbol!r}")


def mint(ctx: Any, data: Any) -> None:
    ctx.require_auth("tonomy")
    _set_balance(ctx, data["to"], _balance(ctx, data["to"]) + data["amount"])
    _set_supply(ctx, _supply(ctx) + data["amount"])


def transfer(ctx: Any, data: Any) -> None:
    source, to, amount = data["from"], data["to"], data["amount"]
    ctx.require_auth(source)
    _symbol(ctx, data["symbol"])
    if source == to:
        ctx.fail("self_transfer", "from = to")
    if not ctx.account_exists(to):
        ctx.fail("unknown_account", f"{to!r} is not an account")
    balance = _balance(ctx, source)
    if balance - amount < _locked(ctx, source) or balance < amount:
        ctx.fail("overdrawn", f"{source} has {balance} ({_locked(ctx, source)} locked), cannot send {amount}")
    _set_balance(ctx, source, balance - amount)
    _set_balance(ctx, to, _balance(ctx, to) + amount)


def retire(ctx: Any, data: Any) -> None:
    owner, amount = data["owner"], data["amount"]
    ctx.require_auth(owner)
    _symbol(ctx, data["symbol"])
    balance = _balance(ctx, owner)
    if balance - amount < _locked(ctx, owner) or balance < amount:
        ctx.fail("overdrawn", f"{owner} cannot retire {amount}")
    _set_balance(ctx, owner, balance - amount)
    _set_supply(ctx, _supply(ctx) - amount)


def lock(ctx: Any, data: Any) -> None:
    account = data["account"]
    ctx.require_auth(account)
    _symbol(ctx, data["symbol"])
    if data["amount"] > _balance(ctx, account):
        ctx.fail("overdrawn", f"{account} cannot lock {data['amount']}")
    old = ctx.state.get_record(f"lock/{account}".encode())
    amount, until = data["amount"], data["until_height"]
    if old is not None and ctx.height < old["until"]:
        amount, until = max(amount, old["amount"]), max(until, old["until"])
    ctx.state.put_record(f"lock/{account}".encode(), {"amount": amount, "until": until})


def _first(ctx: Any, prefix: str, height: int) -> int:
    start = f"{prefix}{_inv(max(height, 0))}".encode()
    end = prefix.encode()[:-1] + b"0"  # the byte after "/"
    for _, raw in ctx.state.items(start, end):
        from tonomy.chain import codec

        return int(codec.decode(raw))
    return 0


def balance(ctx: Any, params: Any) -> int:
    return _balance(ctx, params["account"]) if params["symbol"] == SYMBOL else 0


def balance_at(ctx: Any, params: Any) -> int:
    return _first(ctx, f"ck/{params['account']}/", params["height"]) if params["symbol"] == SYMBOL else 0


def supply_at(ctx: Any, params: Any) -> int:
    return _first(ctx, "sck/", params["height"]) if params["symbol"] == SYMBOL else 0


def supply(ctx: Any, params: Any) -> int:
    return _supply(ctx)


def locked(ctx: Any, params: Any) -> int:
    return _locked(ctx, params["account"])


class GToken:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("gtoken", "0.1.0", 1, 1, "test token for governance")

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("mint", mint, RecordSchema((Field("to", str, minimum=3, maximum=32), AMOUNT))))
        register(ActionSpec("transfer", transfer, RecordSchema((Field("from", str, minimum=3, maximum=32), Field("to", str, minimum=3, maximum=32), SYM, AMOUNT, MEMO))))
        register(ActionSpec("retire", retire, RecordSchema((Field("owner", str, minimum=3, maximum=32), SYM, AMOUNT, MEMO))))
        register(ActionSpec("lock", lock, RecordSchema((ACCOUNT, SYM, AMOUNT, Field("until_height", int, minimum=0, maximum=TOP)))))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        register(QuerySpec("balance", balance, RecordSchema((ACCOUNT, SYM))))
        register(QuerySpec("balance_at", balance_at, RecordSchema((ACCOUNT, SYM, Field("height", int, minimum=0, maximum=TOP)))))
        register(QuerySpec("supply_at", supply_at, RecordSchema((SYM, Field("height", int, minimum=0, maximum=TOP)))))
        register(QuerySpec("supply", supply, RecordSchema()))
        register(QuerySpec("locked", locked, RecordSchema((ACCOUNT,))))
