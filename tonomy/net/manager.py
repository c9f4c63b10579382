"""The peer manager: accepts and dials connections, keeps them within limits, bans abusers.

Inbound: refused at once when the address is banned, or ``max_inbound_peers`` connections
(``max_inbound_per_address`` from that address) are already handshaking or open; the handshake must finish within ``handshake_timeout``.
Outbound: one task per configured address redials with jittered back-off. After the
handshake a banned identity is dropped, and two connections to the same identity are
resolved the same way on both sides (the one the smaller key dialled survives).
A protocol violation (malformed, oversize, replayed, flooding traffic) disconnects and
bans the identity, and the address when ``ban_addresses`` is set. Every failure is
contained in its connection's task: no peer can stop the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from tonomy.net.backoff import Backoff
from tonomy.net.bans import BanList
from tonomy.net.channel import SecureChannel
from tonomy.net.config import NetConfig
from tonomy.net.envelope import MessageKind
from tonomy.net.errors import HandshakeError, NetError, PeerBannedError, ProtocolViolationError
from tonomy.net.handshake import initiate, respond
from tonomy.net.identity import NodeIdentity
from tonomy.net.peer import MessageHandler, Peer

log = logging.getLogger("tonomy.net")

PeerCallback = Callable[[Peer], Awaitable[None] | None]

#: A connection that lasted this long counts as working: the redial back-off starts over.
STABLE_AFTER_SECONDS = 10.0


@dataclass(frozen=True)
class PeerAddress:
    """Where to dial, and optionally the identity key the peer must prove."""

    host: str
    port: int
    key: bytes | None = None

    @classmethod
    def parse(cls, text: str) -> PeerAddress:
        """``HOST:PORT`` or ``KEYHEX@HOST:PORT`` (``[v6]:PORT`` for IPv6)."""
        key = None
        if "@" in text:
            key_hex, text = text.split("@", 1)
            try:
                key = bytes.fromhex(key_hex)
            except ValueError:
                raise ValueError(f"peer key {key_hex!r} is not hex") from None
            if len(key) != 32:
                raise ValueError("a peer key is 32 bytes (64 hex digits)")
        host, sep, port_text = text.rpartition(":")
        if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"expected HOST:PORT, got {text!r}")
        return cls(host.strip("[]"), int(port_text), key)

    def __str__(self) -> str:
        prefix = f"{self.key.hex()}@" if self.key else ""
        return f"{prefix}{self.host}:{self.port}"


class PeerManager:
    def __init__(
        self,
        identity: NodeIdentity,
        chain_id: bytes,
        config: NetConfig | None = None,
        *,
        rng: random.Random | None = None,
        bans: BanList | None = None,
    ) -> None:
        if len(chain_id) != 32:
            raise ValueError("a chain id is 32 bytes")
        self.identity = identity
        self.chain_id = chain_id
        self.config = config or NetConfig()
        self.bans = bans or BanList()
        self._rng = rng
        self.peers: dict[bytes, Peer] = {}
        self._handlers: dict[MessageKind, MessageHandler] = {}
        self._on_connect: list[PeerCallback] = []
        self._on_disconnect: list[PeerCallback] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._dialing: dict[PeerAddress, asyncio.Task[None]] = {}
        self._inbound = 0
        self._inbound_by_host: dict[str, int] = {}
        self._closing = False

    # -- wiring ------------------------------------------------------------------------------

    def set_handler(self, kinds: Iterable[MessageKind], handler: MessageHandler) -> None:
        """Route messages of ``kinds`` to ``handler`` (messages of other kinds are dropped)."""
        for kind in kinds:
            if kind in (MessageKind.PING, MessageKind.PONG):
                raise ValueError("keepalive messages are handled by the connection itself")
            self._handlers[kind] = handler

    def on_connect(self, callback: PeerCallback) -> None:
        self._on_connect.append(callback)

    def on_disconnect(self, callback: PeerCallback) -> None:
        self._on_disconnect.append(callback)

    # -- lifecycle ---------------------------------------------------------------------------

    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Start accepting; returns the bound address (``port=0`` picks a free one)."""
        self._server = await asyncio.start_server(self._accept, host, port)
        sockname = self._server.sockets[0].getsockname()
        return sockname[0], sockname[1]

    def add_peer(self, address: PeerAddress | str) -> None:
        """Keep a connection to ``address`` open, redialling with back-off (idempotent)."""
        if isinstance(address, str):
            address = PeerAddress.parse(address)
        if address in self._dialing or self._closing:
            return
        self._dialing[address] = self._spawn(self._dial_loop(address), f"net-dial-{address.host}:{address.port}")

    async def close(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        for peer in list(self.peers.values()):
            peer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    # -- sending -----------------------------------------------------------------------------

    def send(self, peer_key: bytes, kind: MessageKind, payload: bytes) -> bool:
        peer = self.peers.get(peer_key)
        return peer.send(kind, payload) if peer is not None else False

    def broadcast(self, kind: MessageKind, payload: bytes, exclude: bytes | None = None) -> int:
        """Queue to every peer but ``exclude``; returns how many accepted it."""
        return sum(peer.send(kind, payload) for key, peer in list(self.peers.items()) if key != exclude)

    def punish(self, peer: Peer, error: NetError) -> None:
        """Drop ``peer`` and ban its identity (and address) for ``ban_seconds`` (once per connection)."""
        if peer.punished:
            return
        peer.punished = True
        self.bans.ban(peer.key, self.config.ban_seconds)
        if self.config.ban_addresses:
            self.bans.ban(peer.address[0], self.config.ban_seconds)
        log.warning("banned %r for %.0fs: %s", peer, self.config.ban_seconds, error)
        peer.close(error)

    # -- connections -------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[None], name: str) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername") or ("?", 0)
        address = (str(peername[0]), int(peername[1]))
        host = address[0]
        if (
            self._closing
            or self.bans.is_banned(host)
            or self._inbound >= self.config.max_inbound_peers
            or self._inbound_by_host.get(host, 0) >= self.config.max_inbound_per_address
        ):
            writer.transport.abort()
            return
        self._inbound += 1
        self._inbound_by_host[host] = self._inbound_by_host.get(host, 0) + 1
        # Our own task (not the server's callback task), so close() can cancel it quietly.
        self._spawn(self._serve_inbound(reader, writer, address), f"net-in-{address[0]}:{address[1]}")

    async def _serve_inbound(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, address: tuple[str, int]) -> None:
        try:
            session = await respond(reader, writer, self.identity, self.chain_id, self.config)
            await self._run(SecureChannel(reader, writer, session, self.config.max_frame_bytes), address, outbound=False)
        except HandshakeError as exc:
            log.info("inbound handshake from %s:%d failed: %s", address[0], address[1], exc)
        except (NetError, OSError) as exc:
            log.info("inbound connection from %s:%d ended: %s", address[0], address[1], exc)
        except Exception:  # a bug on our side: contained in this connection
            log.exception("inbound connection from %s:%d failed", address[0], address[1])
        finally:
            self._inbound -= 1
            left = self._inbound_by_host.pop(address[0], 1) - 1
            if left:
                self._inbound_by_host[address[0]] = left
            writer.transport.abort()

    async def _dial_loop(self, address: PeerAddress) -> None:
        backoff = Backoff(
            self.config.reconnect_initial, self.config.reconnect_max, self.config.reconnect_jitter, self._rng
        )
        known_key = address.key
        while not self._closing:
            existing = self.peers.get(known_key) if known_key is not None else None
            if existing is not None:
                await existing.closed.wait()  # already connected (it dialled us): wait for it to drop
                # A closed peer stays in ``peers`` until its connection task has run its cleanup;
                # without yielding here the loop would spin on the set event and starve it.
                await asyncio.sleep(0.05)
                continue
            wait = max(self.bans.remaining(address.host) if self.config.ban_addresses else 0.0,
                       self.bans.remaining(known_key) if known_key is not None else 0.0)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            started = time.monotonic()
            writer: asyncio.StreamWriter | None = None
            try:
                async with asyncio.timeout(self.config.dial_timeout):
                    reader, writer = await asyncio.open_connection(address.host, address.port)
                session = await initiate(reader, writer, self.identity, self.chain_id, self.config, address.key)
                known_key = session.peer_key
                peername = writer.get_extra_info("peername") or (address.host, address.port)
                channel = SecureChannel(reader, writer, session, self.config.max_frame_bytes)
                await self._run(channel, (str(peername[0]), int(peername[1])), outbound=True)
            except (NetError, OSError, TimeoutError) as exc:
                log.info("connection to %s: %s", address, exc)
            except Exception:  # a bug on our side must not end the redialling
                log.exception("connection to %s failed", address)
            finally:
                if writer is not None:
                    writer.transport.abort()
            if time.monotonic() - started > STABLE_AFTER_SECONDS:
                backoff.reset()
            await asyncio.sleep(backoff.next_delay())

    def _keeps_new(self, new_outbound: bool, peer_key: bytes) -> bool:
        """Of two connections to one identity, keep the one the smaller key dialled."""
        dialler_is_me = new_outbound
        return (self.identity.public_key < peer_key) == dialler_is_me

    async def _run(self, channel: SecureChannel, address: tuple[str, int], outbound: bool) -> None:
        key = channel.peer_key
        if self.bans.is_banned(key):
            raise PeerBannedError(f"peer {key.hex()[:12]} is banned for {self.bans.remaining(key):.0f}s more")
        existing = self.peers.get(key)
        if existing is not None:
            if existing.outbound == outbound or not self._keeps_new(outbound, key):
                raise HandshakeError(f"already connected to {key.hex()[:12]}")
            existing.close()
            await existing.closed.wait()
            self.peers.pop(key, None)
        if outbound and sum(p.outbound for p in self.peers.values()) >= self.config.max_outbound_peers:
            raise HandshakeError("too many outbound peers")
        peer = Peer(channel, address, outbound, self.config)
        self.peers[key] = peer
        log.info("connected %r", peer)
        try:
            for callback in self._on_connect:
                try:
                    await _call(callback, peer)
                except Exception:  # a callback bug must not leak out of the connection task
                    log.exception("connect callback failed for %r", peer)
            await peer.run(self._dispatch)
        except ProtocolViolationError as exc:
            self.punish(peer, exc)
        except NetError as exc:
            log.info("%r disconnected: %s", peer, exc)
        finally:
            peer.close()
            if self.peers.get(key) is peer:
                del self.peers[key]
            for callback in self._on_disconnect:
                try:
                    await _call(callback, peer)
                except Exception:  # a callback bug must not leak out of the connection task
                    log.exception("disconnect callback failed for %r", peer)

    async def _dispatch(self, peer: Peer, kind: MessageKind, payload: bytes) -> None:
        handler = self._handlers.get(kind)
        if handler is None:
            return
        try:
            await handler(peer, kind, payload)
        except NetError:
            raise
        except Exception:  # a handler bug is ours, not the peer's: log it, keep the peer
            log.exception("handler for %s from %r failed", kind.name, peer)


async def _call(callback: PeerCallback, peer: Peer) -> None:
    result = callback(peer)
    if result is not None:
        await result
