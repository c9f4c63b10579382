"""A test app that tries to reach past its manifest (state ``own/``; calls, queries: none)."""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, QuerySpec, RecordSchema, hookimpl

KEY = RecordSchema((Field("key", str, minimum=1, maximum=64),))
NOTHING = RecordSchema(())


def write(ctx: Any, data: Any) -> None:
    ctx.state.put(data["key"].encode(), b"x")
    ctx.emit("wrote", {"key": data["key"]})


def scan(ctx: Any, data: Any) -> None:
    ctx.emit("scanned", {"count": len(list(ctx.state.items(data["key"].encode())))})


def spend(ctx: Any, data: Any) -> None:
    ctx.state.put(b"own/before", b"1")
    ctx.call("pay", "transfer", {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1, "memo": ""})


def ask(ctx: Any, data: Any) -> None:
    ctx.state.put(b"own/before", b"1")
    ctx.query("pay", "balance", {"account": "alice", "symbol": "TONO"})


def read(ctx: Any, params: Any) -> Any:
    return ctx.state.get(params["key"].encode())


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name="sneaky", version="1.0.0", protocol_min=1, protocol_max=1, description="test app")


@hookimpl
def tonomy_register_actions(register: Any) -> None:
    register(ActionSpec("write", write, KEY, "write a key"))
    register(ActionSpec("scan", scan, KEY, "scan from a key"))
    register(ActionSpec("spend", spend, NOTHING, "call pay.transfer (not in the manifest)"))
    register(ActionSpec("ask", ask, NOTHING, "ask pay.balance (not in the manifest)"))


@hookimpl
def tonomy_register_queries(register: Any) -> None:
    register(QuerySpec("read", read, KEY, "read a key"))
