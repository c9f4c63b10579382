"""An ASGI middleware that caps request bodies before any handler or parser sees them.

It reads the whole body (at most ``max_bytes``), then hands it on; a larger body,
declared or streamed, gets a 413 problem document at once and never reaches the
app, so an oversize request can neither exhaust memory nor change anything.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tonomy.node.errors import BodyTooLargeError, BadRequestError
from tonomy.node.problems import PROBLEM_CONTENT_TYPE, problem

DEFAULT_MAX_BODY_BYTES = 1 << 20


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await _send_problem(send, BadRequestError("Content-Length is not a number"))
            return
        if declared is not None and declared > self.max_bytes:
            await _send_problem(send, self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_problem(send, self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect like a real stream

        await self.app(scope, replay, send)

    def _too_large(self) -> BodyTooLargeError:
        return BodyTooLargeError(f"request bodies are limited to {self.max_bytes} bytes")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _send_problem(send: Send, error: Any) -> None:
    status, doc = problem(error)
    body = json.dumps(doc).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["DEFAULT_MAX_BODY_BYTES", "BodyLimit"]
