"""The ``tonomy_node_services`` hook: services attributed to their plugin, checked, and
carried over p2p in their own envelope (hostile envelopes ban the peer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import PluginConflictError, PluginLoadError
from tonomy.net.errors import ProtocolViolationError
from tonomy.node.plugin_services import PluginServices, collect_node_services, decode_plugin_message, encode_plugin_message
from tonomy.plugin import NodeContext, PluginInfo, build_plugin_manager, hookimpl


class Recorder:
    """A minimal NodeService that records what the node tells it."""

    def __init__(self) -> None:
        self.ctx: NodeContext | None = None
        self.blocks: list[int] = []
        self.messages: list[tuple[bytes, bytes]] = []

    async def start(self, ctx: NodeContext) -> None:
        self.ctx = ctx

    def router(self) -> Any:
        return None

    async def on_peer_message(self, peer_key: bytes, payload: bytes) -> None:
        self.messages.append((peer_key, payload))

    async def on_block(self, height: int) -> None:
        self.blocks.append(height)

    async def close(self) -> None:
        return None


class Services:
    def __init__(self, name: str, services: list[Any]) -> None:
        self.name, self.services = name, services

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, version="1.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_node_services(self, register: Any) -> None:
        for service in self.services:
            register(service)


def test_services_through_the_manager_are_attributed() -> None:
    one = Recorder()
    pm = build_plugin_manager(autoload=False, extra_plugins=[Services("notes", [one]), Services("quiet", [])])
    seen: list[Any] = []
    pm.hook.tonomy_node_services(register=seen.append)
    assert seen == [one]
    assert collect_node_services(pm) == [("notes", one)]


def test_first_party_plugins_run_the_mailbox_and_the_blob_service() -> None:
    names = [name for name, _ in collect_node_services(build_plugin_manager(allow=["msg", "vault"]))]
    assert names == ["msg", "vault"]


def test_a_bad_registration_fails_the_plugin() -> None:
    with pytest.raises(PluginLoadError, match="odd.*not a NodeService"):
        collect_node_services(build_plugin_manager(autoload=False, extra_plugins=[Services("odd", ["service"])]))
    with pytest.raises(PluginConflictError, match="twice.*more than one"):
        collect_node_services(build_plugin_manager(autoload=False, extra_plugins=[Services("twice", [Recorder(), Recorder()])]))


def test_plugin_envelopes_round_trip_and_hostile_ones_are_violations() -> None:
    assert decode_plugin_message(encode_plugin_message("msg", b"\x00payload")) == ("msg", b"\x00payload")
    assert decode_plugin_message(encode_plugin_message("vault", b"")) == ("vault", b"")
    for bad in (b"", b"\x00x", b"\x05ab", b"\x41" + b"a" * 65, b"\x02\xff\xfe"):
        with pytest.raises(ProtocolViolationError):
            decode_plugin_message(bad)


class FakeChainWorker:
    """Only what ``start`` needs to build the context; the recorder never reads the chain."""

    async def call(self, fn: Any, *args: Any) -> Any:
        raise AssertionError("not used")


def test_messages_reach_only_their_plugins_service_and_blocks_arrive_in_order(tmp_path: Path) -> None:
    import asyncio

    asyncio.run(asyncio.wait_for(_messages_and_blocks(tmp_path), 15))


async def _messages_and_blocks(tmp_path: Path) -> None:
    notes, other = Recorder(), Recorder()
    services = PluginServices([("notes", notes), ("other", other)])
    await services.start(tmp_path, FakeChainWorker(), None)
    assert notes.ctx is not None and notes.ctx.data_dir == tmp_path / "plugins" / "notes" and notes.ctx.data_dir.is_dir()
    assert notes.ctx.peers.keys() == [] and notes.ctx.peers.broadcast(b"x") == 0  # no network: nothing sent

    class Peer:
        key = b"k" * 32

    await services._on_message(Peer(), None, encode_plugin_message("notes", b"hello"))  # type: ignore[arg-type]
    await services._on_message(Peer(), None, encode_plugin_message("absent", b"dropped"))  # type: ignore[arg-type]
    assert notes.messages == [(b"k" * 32, b"hello")] and other.messages == []
    for height in (1, 2, 3):
        services.block_committed(height)
    import asyncio

    for _ in range(500):
        if notes.blocks == [1, 2, 3]:
            break
        await asyncio.sleep(0.01)
    assert notes.blocks == [1, 2, 3] and other.blocks == [1, 2, 3]
    # A block without transactions has no events: the chain is not asked (the worker would fail).
    services.block_committed(4, 0)
    assert await notes.ctx.events(4) == []
    await services.close()
