"""Reading a server-sent event stream (the node's ``/v1/events``), line by line.

Just enough of the SSE format for the node's streams: ``id``, ``event`` and
``data`` fields, comment lines (heartbeats), a blank line ending a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SseMessage:
    """One message; ``comment`` is set (and the rest empty) for a comment line such as a heartbeat."""

    id: str | None = None
    event: str = "message"
    data: str = ""
    comment: str | None = None


def parse_sse(lines: Iterable[str]) -> Iterator[SseMessage]:
    event_id: str | None = None
    event = "message"
    data: list[str] = []
    seen = False
    for line in lines:
        if line == "":
            if seen and data:
                yield SseMessage(id=event_id, event=event, data="\n".join(data))
            event_id, event, data, seen = None, "message", [], False
            continue
        if line.startswith(":"):
            yield SseMessage(comment=line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        seen = True
        if name == "id":
            event_id = value
        elif name == "event":
            event = value
        elif name == "data":
            data.append(value)


__all__ = ["SseMessage", "parse_sse"]
