"""A test credential verifier (plugin ``badges``): the system grants badges; ``holds`` checks one.

It stands in for the credentials plugin: the DAO's requirement spec
``{plugin: "badges", query: "holds", params: {badge}}`` admits an account holding the
badge, and with ``evidence`` (when ``needs_evidence``) only if it equals b"proof".
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, QuerySpec, RecordSchema, hookimpl

ACCOUNT = Field("account", str, minimum=3, maximum=32)
BADGE = Field("badge", str, minimum=1, maximum=32)


def grant(ctx: Any, data: Any) -> None:
    ctx.require_auth("tonomy")
    ctx.state.put_record(f"b/{data['account']}/{data['badge']}".encode(), ctx.height)


def holds(ctx: Any, params: Any) -> bool:
    if params.get("needs_evidence") and params["evidence"] != b"proof":
        return False
    return ctx.state.get(f"b/{params['account']}/{params['badge']}".encode()) is not None


class Badges:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("badges", "0.1.0", 1, 1, "test credential verifier")

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("grant", grant, RecordSchema((ACCOUNT, BADGE))))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        schema = RecordSchema((ACCOUNT, BADGE, Field("evidence", bytes, maximum=4096), Field("needs_evidence", bool, required=False)))
        register(QuerySpec("holds", holds, schema))
