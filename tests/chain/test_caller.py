"""``ctx.caller``: the plugin whose handler called an action, set by the engine (never by the caller)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tonomy.chain import codec
from tonomy.plugin import ActionSpec, Field, PluginInfo, RecordSchema, hookimpl
from tonomy.testing.ledger import LedgerNet

EMPTY = RecordSchema()
NAMED = RecordSchema((Field("target", str),))


class Inner:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="inner", version="1.0.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("who", lambda ctx, data: ctx.emit("caller", {"caller": ctx.caller}), EMPTY))


class Outer:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="outer", version="1.0.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        def relay(ctx: Any, data: Any) -> None:
            ctx.caller = "governance"  # a context object is the plugin's own: lying changes nothing downstream
            ctx.call("inner", "who", {})

        register(ActionSpec("relay", relay, EMPTY))


def callers(net: LedgerNet, plugin: str, name: str) -> list[Any]:
    tx = net.submit(net.action(plugin, name, {}, "alice@active"), ["alice"])
    net.produce()
    receipt = net.chain.get_receipt(tx)
    assert receipt is not None and receipt.status == "executed", receipt
    return [codec.decode(event.data)["caller"] for event in receipt.events]


def test_the_engine_names_the_calling_plugin(tmp_path: Path) -> None:
    net = LedgerNet.create(tmp_path, plugins=[Inner(), Outer()])
    try:
        assert callers(net, "inner", "who") == [None]  # an action of the transaction itself
        assert callers(net, "outer", "relay") == ["outer"]
    finally:
        net.close()
