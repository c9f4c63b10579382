"""The chain's events as server-sent events (``GET /v1/events``), resumable from a cursor.

Every event a committed transaction emitted has a position ``height:index``:
the block height and the event's ordinal among that block's events (block
order, then transaction order, then emission order). That position is the SSE
``id``, so a client that reconnects with ``cursor=<last id>`` (or the standard
``Last-Event-ID`` header) gets exactly the events after it: no gap, no duplicate.

The backlog is the chain's own ``events`` table, read in pages on the chain
thread; a stream holds at most one page in memory and reads the next only once
the socket took the last (the response is pulled by the server as it sends), so
a slow client costs bounded memory and never slows block production. The
number of open streams is bounded too. When a stream is caught up it waits for
the next block; while nothing happens it sends a comment line (a heartbeat) so
proxies and clients can tell a quiet stream from a dead one.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from tonomy.node.encoding import value_to_json
from tonomy.node.errors import BadRequestError, TooManyStreamsError

#: Most events one page may carry, and most blocks one page may scan.
PAGE_EVENTS = 500
PAGE_BLOCKS = 64
#: More events than this in one block cannot be addressed by a cursor (far above what
#: the block limits allow today; a read that hits it fails loudly instead of skipping).
MAX_EVENTS_PER_BLOCK = 100_000  # the most Chain.get_events returns in one call
MAX_STREAMS = 64
DEFAULT_HEARTBEAT_S = 15.0
MIN_HEARTBEAT_S = 0.1
MAX_HEARTBEAT_S = 60.0
MAX_HEIGHT = (1 << 63) - 1
MAX_INDEX = MAX_EVENTS_PER_BLOCK

_CURSOR = re.compile(r"([0-9]{1,19}):([0-9]{1,6})")


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a stream stands: the next event to send is the ``index``-th of block ``height``."""

    height: int
    index: int

    def cursor(self) -> str:
        return f"{self.height}:{self.index}"


def parse_cursor(text: str) -> Position:
    """``H:I`` names an event; a stream resumed there starts at the event after it."""
    found = _CURSOR.fullmatch(text)
    if found is None:
        raise BadRequestError("a cursor is HEIGHT:INDEX (decimal), the id of the last event received")
    height, index = int(found.group(1)), int(found.group(2))
    if height > MAX_HEIGHT or index >= MAX_INDEX:
        raise BadRequestError("the cursor is out of range")
    return Position(height, index + 1)


class HeadSignal:
    """Wakes the streams when a block commits (the block loop calls ``advanced``), or the node stops."""

    def __init__(self, height: int = 0) -> None:
        self.height = height
        self._event = asyncio.Event()
        self.closed = False

    def advanced(self, height: int) -> None:
        self.height = max(self.height, height)
        self._event.set()
        self._event = asyncio.Event()

    def close(self) -> None:
        self.closed = True
        self.advanced(self.height)

    async def wait_beyond(self, height: int, timeout: float) -> None:
        """Return once a block above ``height`` committed, the node stops, or ``timeout`` passed."""
        if self.height > height or self.closed:
            return
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            pass


def read_page(chain: Any, start: Position, head_height: int) -> tuple[list[dict[str, Any]], Position]:
    """Events from ``start`` on (at most a page), and the position after them; chain thread."""
    events: list[dict[str, Any]] = []
    height, skip = start.height, start.index
    scanned = 0
    while height <= head_height and scanned < PAGE_BLOCKS and len(events) < PAGE_EVENTS:
        rows = chain.get_events(height, height + 1, MAX_EVENTS_PER_BLOCK)
        if len(rows) >= MAX_EVENTS_PER_BLOCK:
            raise RuntimeError(f"block {height} has more events than a cursor can address")
        if skip > len(rows):
            raise BadRequestError(f"block {height} has only {len(rows)} events: the cursor is not an event id")
        room = PAGE_EVENTS - len(events)
        taken = rows[skip : skip + room]
        for offset, row in enumerate(taken):
            events.append(_event_json(height, skip + offset, row))
        if skip + len(taken) < len(rows):  # the page filled up inside this block
            return events, Position(height, skip + len(taken))
        height, skip = height + 1, 0
        scanned += 1
    return events, Position(height, skip)


def _event_json(height: int, index: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{height}:{index}",
        "height": height,
        "index": index,
        "tx_id": row["tx_id"].hex() if isinstance(row.get("tx_id"), bytes) else row.get("tx_id"),
        "tx_index": row.get("tx_index"),
        "plugin": row.get("plugin"),
        "name": row.get("name"),
        "data": value_to_json(row.get("data")),
    }


def sse_event(doc: dict[str, Any]) -> bytes:
    return f"id: {doc['id']}\nevent: chain\ndata: {json.dumps(doc, separators=(',', ':'))}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"


class StreamSlots:
    """Counts open streams; refuses past the bound."""

    def __init__(self, limit: int = MAX_STREAMS) -> None:
        self.limit = limit
        self.open = 0

    def acquire(self) -> Slot:
        if self.open >= self.limit:
            raise TooManyStreamsError(f"this node serves at most {self.limit} event streams at once")
        self.open += 1
        return Slot(self)


class Slot:
    """One open stream's place; releasing twice is harmless (the body and the response both do)."""

    def __init__(self, slots: StreamSlots) -> None:
        self._slots: StreamSlots | None = slots

    def release(self) -> None:
        if self._slots is not None:
            self._slots.open -= 1
            self._slots = None


class EventStreamResponse(StreamingResponse):
    """Frees the stream's slot however the response ends, even if its body never started
    (a client gone before the first byte): an unstarted generator runs no ``finally``."""

    def __init__(self, body: AsyncIterator[bytes], slot: Slot) -> None:
        super().__init__(
            body, media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        self._slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._slot.release()


PageReader = Callable[[Position], Awaitable[tuple[list[dict[str, Any]], Position, int]]]
"""``read(position)``: the next page, the position after it, and the head height it read up to."""


async def stream_events(
    read: PageReader,
    first: tuple[list[dict[str, Any]], Position, int],
    signal: HeadSignal,
    heartbeat_s: float,
    slot: Slot,
) -> AsyncIterator[bytes]:
    """The SSE body, starting with the page the handler already read (and validated)."""
    loop = asyncio.get_running_loop()
    try:
        yield b"retry: 1000\n\n"
        last_sent = loop.time()
        events, position, seen = first
        while True:
            for doc in events:
                yield sse_event(doc)
                last_sent = loop.time()
            if events:
                events, position, seen = await read(position)
                continue
            if signal.closed:
                return
            remaining = heartbeat_s - (loop.time() - last_sent)
            if remaining <= 0:
                yield HEARTBEAT
                last_sent = loop.time()
                continue
            await signal.wait_beyond(seen, remaining)
            if signal.closed:
                return
            events, position, seen = await read(position)
    finally:
        slot.release()


__all__ = [
    "DEFAULT_HEARTBEAT_S",
    "EventStreamResponse",
    "Slot",
    "HeadSignal",
    "PageReader",
    "Position",
    "StreamSlots",
    "parse_cursor",
    "read_page",
    "stream_events",
]
