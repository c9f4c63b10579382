"""Shared helpers of the network tests: fast limits, nodes on loopback, raw attacker clients."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

from tonomy.net import NetConfig, NodeIdentity, PeerAddress, PeerManager
from tonomy.net.channel import SecureChannel
from tonomy.net.handshake import initiate

CHAIN_ID = bytes(range(32))

FAST = NetConfig(
    max_frame_bytes=64 * 1024,
    max_queued_outbound_bytes=256 * 1024,
    handshake_timeout=1.0,
    keepalive_interval=5.0,
    reconnect_initial=0.05,
    reconnect_max=0.2,
    ban_seconds=30.0,
    dial_timeout=1.0,
)


class ManualClock:
    """A clock that moves only when a test sets ``now``."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def config(**changes: Any) -> NetConfig:
    return dataclasses.replace(FAST, **changes)


def run(coro: Coroutine[Any, Any, None], timeout: float = 15.0) -> None:
    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await coro

    asyncio.run(bounded())


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def node(cfg: NetConfig = FAST, identity: NodeIdentity | None = None) -> tuple[PeerManager, PeerAddress]:
    """A listening manager on 127.0.0.1 and the address (with key) to dial it."""
    ident = identity or NodeIdentity.generate()
    manager = PeerManager(ident, CHAIN_ID, cfg)
    host, port = await manager.listen("127.0.0.1", 0)
    return manager, PeerAddress(host, port, ident.public_key)


async def raw_client(
    target: PeerAddress,
    identity: NodeIdentity | None = None,
    *,
    local_host: str = "127.0.0.1",
    cfg: NetConfig = FAST,
    chain_id: bytes = CHAIN_ID,
) -> SecureChannel:
    """A hand-driven connection (handshake done), for tests that misbehave on purpose."""
    reader, writer = await asyncio.open_connection(target.host, target.port, local_addr=(local_host, 0))
    session = await initiate(reader, writer, identity or NodeIdentity.generate(), chain_id, cfg, target.key)
    return SecureChannel(reader, writer, session, cfg.max_frame_bytes)


async def closed_by_peer(reader: asyncio.StreamReader, timeout: float = 3.0) -> bool:
    """True once the other side closed the connection (EOF or reset), reading whatever comes first."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                if not await reader.read(65536):
                    return True
    except (ConnectionError, OSError):
        return True
    except TimeoutError:
        return False


def random_chain_id() -> bytes:
    return os.urandom(32)
