"""One established peer connection: a bounded outbound queue and a rate-limited reader.

Everything per peer is bounded: frames by ``max_frame_bytes``, the send queue by
``max_queued_outbound_bytes`` (a peer that reads slower than we write is dropped, not
buffered without end), incoming traffic by two token buckets (bytes/s and messages/s).
Errors end this connection only; the manager decides whether they also earn a ban.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from tonomy.net.channel import HEADER, TAG_BYTES, SecureChannel
from tonomy.net.config import NetConfig
from tonomy.net.envelope import KIND_SINCE_VERSION, MessageKind, decode_envelope, encode_envelope
from tonomy.net.errors import BackpressureError, ConnectionClosedError, NetError, ProtocolViolationError, RateLimitedError
from tonomy.net.ratelimit import TokenBucket

log = logging.getLogger("tonomy.net")

MessageHandler = Callable[["Peer", MessageKind, bytes], Awaitable[None]]

_FRAME_OVERHEAD = HEADER.size + TAG_BYTES


class Peer:
    """A handshaken, authenticated peer; ``key`` is its proven Ed25519 identity."""

    def __init__(self, channel: SecureChannel, address: tuple[str, int], outbound: bool, config: NetConfig) -> None:
        self.channel = channel
        self.key = channel.peer_key
        #: The protocol version negotiated in the handshake (which kinds may be sent).
        self.version = channel.session.version
        self.address = address
        self.outbound = outbound
        self.connected_at = time.monotonic()
        self._config = config
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._bytes_in = TokenBucket(config.peer_bytes_per_second, config.peer_bytes_burst)
        self._messages_in = TokenBucket(config.peer_messages_per_second, config.peer_messages_burst)
        self._error: NetError | None = None
        #: Monotonic times of the last frame queued and received, for the keepalive task
        #: (one timer per peer, not one per frame: a timeout per read costs more than the read).
        self._last_sent = self._last_heard = time.monotonic()
        #: Set once the manager banned this peer (so one offence is logged and banned once).
        self.punished = False
        self.closed = asyncio.Event()

    def __repr__(self) -> str:
        direction = "out" if self.outbound else "in"
        return f"Peer({self.key.hex()[:12]}, {self.address[0]}:{self.address[1]}, {direction})"

    @property
    def queued_bytes(self) -> int:
        """Bytes waiting for this peer: our queue plus the socket's unsent buffer."""
        transport = self.channel.writer.transport
        return self._queued_bytes + (transport.get_write_buffer_size() if not transport.is_closing() else 0)

    @property
    def error(self) -> NetError | None:
        """Why the connection ended (None while open or after a clean close)."""
        return self._error

    def send(self, kind: MessageKind, payload: bytes) -> bool:
        """Queue one message; False (and the peer is dropped) if it would overflow the queue."""
        if self.closed.is_set():
            return False
        if len(payload) + 1 > self._config.max_frame_bytes:
            raise ValueError(f"a {kind.name} message of {len(payload)} bytes exceeds the frame limit")
        if self.queued_bytes + len(payload) + 1 + _FRAME_OVERHEAD > self._config.max_queued_outbound_bytes:
            self.close(BackpressureError(f"{self!r} reads too slowly: over {self._config.max_queued_outbound_bytes} bytes queued"))
            return False
        frame = self.channel.seal(encode_envelope(kind, payload))
        self._queue.append(frame)
        self._queued_bytes += len(frame)
        self._last_sent = time.monotonic()
        self._wakeup.set()
        return True

    async def run(self, handler: MessageHandler) -> None:
        """Read until the connection ends; raises the NetError that ended it (None: closed by us)."""
        short = self.key.hex()[:8]
        loops: list[asyncio.Task[None]] = [
            asyncio.create_task(self._read_loop(handler), name=f"net-reader-{short}"),
            asyncio.create_task(self._write_loop(), name=f"net-writer-{short}"),
            asyncio.create_task(self._keepalive(), name=f"net-keepalive-{short}"),
        ]
        closed: asyncio.Task[bool] = asyncio.create_task(self.closed.wait())
        try:
            await asyncio.wait([*loops, closed], return_when=asyncio.FIRST_COMPLETED)
            for task in loops:
                exc = task.exception() if task.done() and not task.cancelled() else None
                if exc is not None:
                    self.close(exc if isinstance(exc, NetError) else ConnectionClosedError(f"connection failed: {exc!r}"))
        finally:
            closed.cancel()
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, closed, return_exceptions=True)
            self.close()
        if self._error is not None:
            raise self._error

    def close(self, error: NetError | None = None) -> None:
        """End the connection (idempotent); ``error`` is recorded as the reason."""
        if self.closed.is_set():
            return
        self._error = error
        self.closed.set()
        self._queue.clear()
        self._queued_bytes = 0
        if error is not None:
            self.channel.writer.transport.abort()  # do not flush to a peer we are dropping
        else:
            self.channel.close()

    async def _keepalive(self) -> None:
        """PING after ``keepalive_interval`` without sending; end the connection after three
        intervals without hearing anything from the peer."""
        idle = self._config.keepalive_interval
        silence = 3 * idle
        while True:
            now = time.monotonic()
            if now - self._last_heard >= silence:
                raise ConnectionClosedError(f"{self!r} was silent for {silence}s")
            if now - self._last_sent >= idle:
                self.send(MessageKind.PING, b"")
            wake = min(self._last_sent + idle, self._last_heard + silence)
            await asyncio.sleep(max(wake - time.monotonic(), idle / 100))

    async def _write_loop(self) -> None:
        writer = self.channel.writer
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            queue = self._queue
            if len(queue) == 1:
                frame = queue.popleft()
                self._queued_bytes -= len(frame)
                writer.write(frame)
            elif queue:  # everything queued goes to the transport as one write (one syscall), then one drain
                frames = list(queue)
                queue.clear()
                self._queued_bytes -= sum(map(len, frames))
                writer.writelines(frames)
            try:
                await writer.drain()
            except (ConnectionError, OSError) as exc:
                raise ConnectionClosedError(f"writing to {self!r} failed: {exc}") from exc

    async def _read_loop(self, handler: MessageHandler) -> None:
        while True:
            try:
                plaintext = await self.channel.recv()  # silence is the keepalive task's watch
            except (ConnectionError, OSError) as exc:
                if isinstance(exc, NetError):
                    raise
                raise ConnectionClosedError(f"reading from {self!r} failed: {exc}") from exc
            self._last_heard = time.monotonic()
            if not self._messages_in.take() or not self._bytes_in.take(len(plaintext) + _FRAME_OVERHEAD):
                raise RateLimitedError(f"{self!r} exceeded its message or byte rate")
            kind, payload = decode_envelope(plaintext)
            if kind in KIND_SINCE_VERSION and KIND_SINCE_VERSION[kind] > self.version:
                raise ProtocolViolationError(f"a {kind.name} message under protocol version {self.version}")
            if kind is MessageKind.PING:
                self.send(MessageKind.PONG, b"")
            elif kind is not MessageKind.PONG:
                await handler(self, kind, payload)
