"""The host side of ``tonomy_node_services``: start each plugin's service, mount its
routes, carry its p2p messages, and tell it about committed blocks.

One p2p message kind (``MessageKind.PLUGIN``) carries every service's traffic as
``lp8(plugin name) ‖ payload``; a message for a plugin this node does not run is
dropped (the peer may run more plugins), a malformed envelope bans the peer. A
service's failure is logged and contained: it never stops the node or another service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy.errors import PluginConflictError, PluginLoadError
from tonomy.net.envelope import MessageKind
from tonomy.net.errors import ProtocolViolationError
from tonomy.plugin.inspection import call_hook
from tonomy.plugin.node_services import NodeContext, NodeService
from tonomy.plugin.source import plugin_failure

log = logging.getLogger("tonomy.node.services")

HOOK_NAME = "tonomy_node_services"
MAX_TOPIC = 64


def collect_node_services(manager: Any) -> list[tuple[str, NodeService]]:
    """``(plugin name, service)`` for every plugin that registers one, in plugin-name order."""
    found: list[tuple[str, NodeService]] = []
    for record in manager.registry.plugins:
        got: list[Any] = []
        caller = manager.hook_caller_for(record.name, HOOK_NAME)
        call_hook(caller, HOOK_NAME, plugin_name=record.name, source=record.source, register=got.append)
        if len(got) > 1:
            raise plugin_failure(PluginConflictError, record.name, record.source,
                                 "registered more than one node service", "Register one service per plugin.")
        for service in got:
            if not isinstance(service, NodeService):
                raise plugin_failure(PluginLoadError, record.name, record.source,
                                     f"registered a {type(service).__name__}, not a NodeService",
                                     "Register an object with start, router, on_peer_message, on_block and close.")
            found.append((record.name, service))
    return found


def encode_plugin_message(plugin: str, payload: bytes) -> bytes:
    name = plugin.encode()
    return bytes([len(name)]) + name + payload


def decode_plugin_message(data: bytes) -> tuple[str, bytes]:
    if not data or data[0] == 0 or data[0] > MAX_TOPIC or len(data) < 1 + data[0]:
        raise ProtocolViolationError("a plugin message without a valid plugin name")
    try:
        name = data[1 : 1 + data[0]].decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolViolationError("a plugin message whose plugin name is not ASCII") from None
    return name, data[1 + data[0] :]


@dataclass
class _Peers:
    """``PluginPeers`` for one plugin over the node's peer manager (None: no network)."""

    plugin: str
    manager: Any

    def keys(self) -> Sequence[bytes]:
        return [] if self.manager is None else sorted(self.manager.peers)

    def send(self, peer_key: bytes, payload: bytes) -> bool:
        if self.manager is None:
            return False
        return bool(self.manager.send(peer_key, MessageKind.PLUGIN, encode_plugin_message(self.plugin, payload)))

    def broadcast(self, payload: bytes, exclude: bytes | None = None) -> int:
        if self.manager is None:
            return 0
        return int(self.manager.broadcast(MessageKind.PLUGIN, encode_plugin_message(self.plugin, payload), exclude))

    def punish(self, peer_key: bytes, reason: str) -> None:
        peer = None if self.manager is None else self.manager.peers.get(peer_key)
        if peer is not None:
            self.manager.punish(peer, ProtocolViolationError(f"{self.plugin}: {reason}"))


class PluginServices:
    """Every service of one node."""

    def __init__(self, services: list[tuple[str, NodeService]]) -> None:
        self.services = dict(services)
        self._heights: asyncio.Queue[int] = asyncio.Queue()
        self._runner: asyncio.Task[None] | None = None
        #: Heights known to carry no transaction (so no event): their events are not read.
        self._empty: set[int] = set()

    def block_committed(self, height: int, transaction_count: int | None = None) -> None:
        """Called on the event loop for each committed block; services see them in order."""
        if self.services:
            if transaction_count == 0:
                self._empty.add(height)
            self._heights.put_nowait(height)

    async def _run_blocks(self) -> None:
        while True:
            height = await self._heights.get()
            await self.on_block(height)
            self._empty.discard(height)

    async def start(self, data_dir: Path, worker: Any, manager: Any) -> None:
        from tonomy.chain import codec, stored

        async def query(plugin: str, name: str, params: dict[str, Any]) -> Any:
            return await worker.call(lambda chain: chain.query(plugin, name, params))

        async def state(plugin: str, key: bytes) -> bytes | None:
            value, _proof, _header = await worker.call(lambda chain: chain.get_state(plugin, key, None))
            return value  # type: ignore[no-any-return]

        async def events(height: int, plugin: str | None = None, names: Collection[str] | None = None) -> list[dict[str, Any]]:
            """The events of block ``height``; only ``plugin``'s (named one of ``names``) when given:
            the others are not decoded (a block of transfers has thousands)."""
            if height in self._empty:
                return []
            rows = await worker.call(lambda chain: stored.block_events(chain, height, plugin=plugin, names=names))
            out = []
            for row in rows:
                data = row.get("data")
                out.append({"plugin": row.get("plugin"), "name": row.get("name"),
                            "data": codec.decode(data) if isinstance(data, bytes) else data})
            return out

        if manager is not None:
            manager.set_handler([MessageKind.PLUGIN], self._on_message)
        for plugin, service in list(self.services.items()):
            folder = data_dir / "plugins" / plugin
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            ctx = NodeContext(plugin, folder, query, state, events, _Peers(plugin, manager),
                              logging.getLogger(f"tonomy.node.services.{plugin}"))
            try:
                await service.start(ctx)
            except Exception:
                log.exception("the %s service failed to start; it is not run", plugin)
                del self.services[plugin]
        self._runner = asyncio.create_task(self._run_blocks(), name="plugin-services-blocks")

    def mount(self, app: Any) -> None:
        for plugin, service in self.services.items():
            router = service.router()
            if router is not None:
                app.include_router(router, prefix=f"/v1/x/{plugin}")

    async def _on_message(self, peer: Any, _kind: MessageKind, payload: bytes) -> None:
        plugin, body = decode_plugin_message(payload)
        service = self.services.get(plugin)
        if service is not None:
            await service.on_peer_message(peer.key, body)

    async def on_block(self, height: int) -> None:
        for plugin, service in self.services.items():
            try:
                await service.on_block(height)
            except Exception:
                log.exception("the %s service failed on block %d", plugin, height)

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for plugin, service in self.services.items():
            try:
                await service.close()
            except Exception:
                log.exception("the %s service failed to close", plugin)


__all__ = ["PluginServices", "collect_node_services", "decode_plugin_message", "encode_plugin_message"]
