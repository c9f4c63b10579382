"""CORS for registered apps only: a browser page may call this node's API cross-origin only
when its origin is one an app registered on chain (identity ``register_app``).

The allowed set is read from state (the identity plugin's ``app_origins`` query) and
cached for :data:`REFRESH_S` seconds, refreshed only while cross-origin requests come.
The comparison is exact and byte-for-byte: registered origins are lowercase
``https://host[:port]`` or ``http://localhost[:port]`` (the identity plugin refuses
anything else), so ``null``, other cases, other ports, other schemes, lookalike hosts
and trailing slashes simply do not match. A request from any other origin gets no CORS
header at all (the browser then withholds the answer from the page); a preflight from
one gets no CORS answer either (it reaches the API, which refuses ``OPTIONS``).

Only the JSON API under ``/v1/`` is shared, and never ``/v1/devnet/``: anyone can
register an app, and a registered page must not be able to make a devnet node's
wallet sign for its demo accounts. No credentials are allowed (the API uses no cookies); ``Vary: Origin`` goes on every
answer to a request that carried an ``Origin``, so caches keep answers apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from tonomy.errors import TonomyError

log = logging.getLogger("tonomy.node.cors")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The query that lists registered origins, and the plugin that answers it.
ORIGINS_QUERY = ("identity", "app_origins")
REFRESH_S = 1.0
MAX_ORIGIN_CHARS = 300
ALLOWED_METHODS = "GET, POST"
ALLOWED_HEADERS = "content-type, last-event-id"
MAX_AGE_S = "600"
SHARED_PREFIX = "/v1/"
NEVER_SHARED_PREFIX = "/v1/devnet/"


class RegisteredOrigins:
    """The set of app origins on chain, re-read at most every ``refresh_s`` seconds."""

    def __init__(self, read: Callable[[], Awaitable[frozenset[str]]], *, refresh_s: float = REFRESH_S) -> None:
        self._read = read
        self._refresh_s = refresh_s
        self._origins: frozenset[str] = frozenset()
        self._read_at: float | None = None

    async def allows(self, origin: str) -> bool:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= self._refresh_s:
            try:
                self._origins = await self._read()
            except TonomyError as exc:  # keep the last good set; never fail the request over CORS
                log.warning("cannot read registered app origins: %s", exc)
            self._read_at = now
        return origin in self._origins


def origins_reader(worker: Any) -> Callable[[], Awaitable[frozenset[str]]]:
    """Read the registered origins on the chain thread (empty when no plugin answers the query)."""
    plugin, name = ORIGINS_QUERY

    def read(chain: Any) -> frozenset[str]:
        if plugin not in chain.registry:
            return frozenset()
        result = chain.query(plugin, name, {})
        origins = result.get("origins") if isinstance(result, dict) else None
        return frozenset(o for o in origins or () if isinstance(o, str))

    async def run() -> frozenset[str]:
        found: frozenset[str] = await worker.call(read)
        return found

    return run


class AppOriginCors:
    """ASGI middleware: CORS headers for registered app origins, nothing for anyone else."""

    def __init__(self, app: ASGIApp, *, origins: RegisteredOrigins) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        shared = path.startswith(SHARED_PREFIX) and not path.startswith(NEVER_SHARED_PREFIX)
        allowed = shared and len(origin) <= MAX_ORIGIN_CHARS and await self.origins.allows(origin)
        if allowed and scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method") is not None:
            await _preflight(origin, send)
            return
        extra = [(b"vary", b"Origin")]
        if allowed:
            extra.append((b"access-control-allow-origin", origin.encode("latin-1")))

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def _preflight(origin: str, send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
        (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
        (b"access-control-max-age", MAX_AGE_S.encode()),
        (b"vary", b"Origin"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> str | None:
    """The one value of header ``name``; a repeated header counts as absent (ambiguous)."""
    values = [value for key, value in scope.get("headers", ()) if key.lower() == name]
    if len(values) != 1:
        return None
    return bytes(values[0]).decode("latin-1")


__all__ = ["AppOriginCors", "ORIGINS_QUERY", "RegisteredOrigins", "origins_reader"]
