"""Node-local services a plugin runs inside a node: its own API routes, its own p2p
messages, and a view of committed blocks. What ``tonomy_node_services`` registers.

A service is node-local housekeeping (a mailbox, a blob store): it may use the clock,
the disk and the network, and nothing it does enters consensus. The node gives each
service a :class:`NodeContext` when it starts:

* ``data_dir``: a folder of its own inside the node's data directory;
* ``query`` / ``state``: read the chain at its head (plugin queries, raw state values);
* ``peers``: send opaque messages to the service of the same plugin on other nodes
  (one p2p message kind carries every plugin's traffic, tagged by plugin name);
* ``events``: the chain events of one committed block: ``events(height)`` all of them,
  ``events(height, plugin=..., names=[...])`` only those (the others are not decoded).

The node mounts the service's FastAPI router under ``/v1/x/<plugin>/`` and calls
``on_block(height)`` after each committed block and ``on_peer_message`` for each
message a peer's service sent. Errors a route raises as :class:`tonomy.errors.TonomyError`
reach the client as problem documents with their stable code.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class PluginPeers(Protocol):
    """The p2p side a service sees: its own topic only."""

    def keys(self) -> Sequence[bytes]:
        """Identity keys of the connected peers."""
        ...

    def send(self, peer_key: bytes, payload: bytes) -> bool:
        """Queue ``payload`` for the same plugin's service on one peer."""
        ...

    def broadcast(self, payload: bytes, exclude: bytes | None = None) -> int:
        """Queue ``payload`` to every peer but ``exclude``; how many took it."""
        ...

    def punish(self, peer_key: bytes, reason: str) -> None:
        """Disconnect and ban a peer that sent provably bad data (a blob whose hash lies)."""
        ...


@dataclass(frozen=True)
class NodeContext:
    plugin: str
    data_dir: Path
    query: Callable[[str, str, dict[str, Any]], Awaitable[Any]]
    state: Callable[[str, bytes], Awaitable[bytes | None]]
    events: Callable[..., Awaitable[list[dict[str, Any]]]]
    peers: PluginPeers
    log: logging.Logger


@runtime_checkable
class NodeService(Protocol):
    """What a plugin registers; every method may be a no-op."""

    async def start(self, ctx: NodeContext) -> None: ...

    def router(self) -> Any:
        """A ``fastapi.APIRouter`` (mounted at ``/v1/x/<plugin>``), or None."""
        ...

    async def on_peer_message(self, peer_key: bytes, payload: bytes) -> None:
        """A message from this plugin's service on a peer. Raise
        :class:`tonomy.net.errors.ProtocolViolationError` to drop and ban the peer."""
        ...

    async def on_block(self, height: int) -> None: ...

    async def close(self) -> None: ...


NodeServiceRegistrar = Callable[[NodeService], None]

__all__ = ["NodeContext", "NodeService", "NodeServiceRegistrar", "PluginPeers"]
