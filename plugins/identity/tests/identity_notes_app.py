"""A tiny app plugin for the login tests: ``notes.post`` needs the author's authorization."""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, Field, PluginInfo, RecordSchema, hookimpl


def post(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["author"])
    count = ctx.state.get_record(b"count/" + data["author"].encode()) or 0
    ctx.state.put_record(b"count/" + data["author"].encode(), count + 1)
    ctx.emit("posted", {"author": data["author"], "text": data["text"], "by": [str(a) for a in ctx.authorization]})


def delete_all(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["author"])
    ctx.state.delete(b"count/" + data["author"].encode())


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name="notes", version="0.1.0", protocol_min=1, protocol_max=1, description="test app")


@hookimpl
def tonomy_register_actions(register: Any) -> None:
    schema = RecordSchema((Field("author", str, minimum=3, maximum=32), Field("text", str, minimum=1, maximum=100)))
    register(ActionSpec("post", post, schema))
    register(ActionSpec("delete_all", delete_all, RecordSchema((Field("author", str, minimum=3, maximum=32),))))
