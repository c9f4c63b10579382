"""``counter``: a tiny plugin in three versions, to upgrade through governance in tests.

* 0.1.0 keeps the count as an int under ``count``;
* 0.2.0 keeps ``{"value", "bumps"}`` under ``total``, has a parameter ``step``, and
  migrates 0.1.0 state (counting its own runs under ``migrations``);
* 0.3.0 has a migration that always fails (the upgrade must leave 0.2.0 running).
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, ParameterSpec, PluginInfo, QuerySpec, RecordSchema, hookimpl

BUMP = RecordSchema((Field("by", int, minimum=1, maximum=1000),))
EMPTY = RecordSchema()


class Counter:
    """Version 0.1.0."""

    version = "0.1.0"

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="counter", version=self.version, protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("bump", self.bump, BUMP))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        register(QuerySpec("value", self.value, EMPTY))
        register(QuerySpec("raw", self.raw, EMPTY))

    def bump(self, ctx: Any, data: Any) -> None:
        ctx.state.put_record(b"count", (ctx.state.get_record(b"count") or 0) + data["by"])

    def value(self, ctx: Any, params: Any) -> int:
        return int(ctx.state.get_record(b"count") or 0)

    def raw(self, ctx: Any, params: Any) -> dict[str, Any]:
        return {key.decode(): ctx.state.get_record(key) for key, _ in ctx.state.items()}


class CounterV2(Counter):
    version = "0.2.0"

    @hookimpl
    def tonomy_register_parameters(self, register: Any) -> None:
        register(ParameterSpec("step", int, 2, "Added on top of every bump.", 0, 100))

    @hookimpl
    def tonomy_migrate_state(self, from_version: str | None, to_version: str, ctx: Any) -> None:
        assert to_version == self.version
        old = ctx.state.get_record(b"count")
        if old is not None:
            ctx.state.delete(b"count")
        ctx.state.put_record(b"total", {"value": old or 0, "bumps": 0, "from": from_version, "at": ctx.height})
        ctx.state.put_record(b"migrations", (ctx.state.get_record(b"migrations") or 0) + 1)

    def bump(self, ctx: Any, data: Any) -> None:
        total = dict(ctx.state.get_record(b"total"))
        total.update(value=total["value"] + data["by"] + ctx.parameter("step"), bumps=total["bumps"] + 1)
        ctx.state.put_record(b"total", total)

    def value(self, ctx: Any, params: Any) -> int:
        return int(ctx.state.get_record(b"total")["value"])


class CounterV3(CounterV2):
    version = "0.3.0"

    @hookimpl
    def tonomy_migrate_state(self, from_version: str | None, to_version: str, ctx: Any) -> None:
        ctx.state.put_record(b"half_done", True)
        ctx.query("counter", "value", {})  # a migration may not query: refused, and the write above is undone
