"""Two small plugins for the ledger tests (loaded by path, also from subprocesses).

``notes`` keeps text per account and exercises every part of the handler context;
``relay`` calls ``notes`` to exercise cross-plugin calls and their checkpoints.
"""

from __future__ import annotations

from typing import Any

from tonomy.errors import ActionFailedError
from tonomy.plugin import ActionSpec, Field, ParameterSpec, PluginInfo, QuerySpec, RecordSchema, hookimpl

OWNER_KEY_TEXT = RecordSchema((Field("owner", str), Field("key", str), Field("text", str)))
OWNER_KEY = RecordSchema((Field("owner", str), Field("key", str)))
OWNER = RecordSchema((Field("owner", str),))


def _key(data: Any) -> bytes:
    return f"{data['owner']}/{data['key']}".encode()


def write(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["owner"])
    ctx.state.put(_key(data), data["text"].encode())
    ctx.emit("written", {"owner": data["owner"], "key": data["key"]})


def erase(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["owner"])
    ctx.state.delete(_key(data))


def write_then_fail(ctx: Any, data: Any) -> None:
    write(ctx, data)
    ctx.fail("refused", "this action always fails after writing")


def refuse(ctx: Any, data: Any) -> None:
    ctx.fail("refused", f"refused on purpose: {data['reason']}")


def draw(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["owner"])
    value = ctx.random.randbelow(10**12)
    ctx.state.put(f"{data['owner']}/draw/{data['slot']}".encode(), str(value).encode())


def crash(ctx: Any, data: Any) -> None:
    raise ZeroDivisionError("division by zero in a buggy plugin")


def disk_failure(ctx: Any, data: Any) -> None:
    from tonomy.errors import StorageError

    raise StorageError("the disk failed (simulated)")


def exhaust_memory(ctx: Any, data: Any) -> None:
    ctx.state.put(b"huge", b"x" * (1 << 60))  # MemoryError on any machine


def burn(ctx: Any, data: Any) -> None:
    for index in range(data["count"]):
        ctx.state.put(b"burn/%d" % index, b"x" * 16)


def stamp(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["owner"])
    ctx.state.put(f"{data['owner']}/stamp".encode(), f"{ctx.height}@{ctx.time_ms}".encode())


def read(ctx: Any, params: Any) -> str | None:
    raw = ctx.state.get(_key(params))
    return None if raw is None else raw.decode()


def listing(ctx: Any, params: Any) -> list[str]:
    prefix = f"{params['owner']}/".encode()
    end = prefix[:-1] + b"0"  # "/" + 1
    return [key.decode() for key, _ in ctx.state.items(prefix, end)]


class NotesPlugin:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("notes", "1.0.0", 1, 1, "test notes")

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("write", write, OWNER_KEY_TEXT))
        register(ActionSpec("erase", erase, OWNER_KEY))
        register(ActionSpec("write_then_fail", write_then_fail, OWNER_KEY_TEXT))
        register(ActionSpec("refuse", refuse, RecordSchema((Field("reason", str),))))
        register(ActionSpec("draw", draw, RecordSchema((Field("owner", str), Field("slot", int)))))
        register(ActionSpec("crash", crash, RecordSchema()))
        register(ActionSpec("disk_failure", disk_failure, RecordSchema()))
        register(ActionSpec("exhaust_memory", exhaust_memory, RecordSchema()))
        register(ActionSpec("burn", burn, RecordSchema((Field("count", int, minimum=0),))))
        register(ActionSpec("stamp", stamp, OWNER))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        register(QuerySpec("read", read, OWNER_KEY))
        register(QuerySpec("list", listing, OWNER))

    @hookimpl
    def tonomy_register_parameters(self, register: Any) -> None:
        register(ParameterSpec("max_text", int, 256, "Longest note text, in bytes.", 1, 65_536))


def forward(ctx: Any, data: Any) -> None:
    ctx.call("notes", "write", {"owner": data["owner"], "key": data["key"], "text": data["text"]})
    ctx.state.put(b"forwarded", data["key"].encode())


def forward_and_recover(ctx: Any, data: Any) -> None:
    """Call an action that writes then fails; catch it; the callee's writes must be gone."""
    try:
        ctx.call("notes", "write_then_fail", {"owner": data["owner"], "key": data["key"], "text": data["text"]})
    except ActionFailedError:
        ctx.state.put(b"recovered", data["key"].encode())
    seen = ctx.query("notes", "read", {"owner": data["owner"], "key": data["key"]})
    ctx.state.put(b"seen", b"none" if seen is None else seen.encode())


class RelayPlugin:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("relay", "0.1.0", 1, 1, "test relay")

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("forward", forward, OWNER_KEY_TEXT))
        register(ActionSpec("forward_and_recover", forward_and_recover, OWNER_KEY_TEXT))


def plugins() -> list[object]:
    return [NotesPlugin(), RelayPlugin()]
