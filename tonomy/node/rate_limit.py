"""Per-client rate limits: a token bucket per client address, 429 problem documents.

Each client address (the TCP peer; a node behind a proxy sees the proxy) owns a
bucket of ``burst`` tokens refilled at ``rate`` per second; a request takes one
token or is answered 429 ``api.rate_limited`` with ``Retry-After`` before any
handler runs. Loopback clients (the machine's own tools, tests, the devnet's UI) are
exempt unless the node is told to limit them too. Buckets live in a bounded LRU table, so a flood of addresses costs
bounded memory (an evicted address starts again with a full bucket, which is the
price of the bound). The clock is the monotonic clock: this is node-local
policy, nothing consensus sees.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from tonomy.node.errors import RateLimitedError
from tonomy.node.problems import PROBLEM_CONTENT_TYPE, problem

DEFAULT_RATE_PER_S = 100.0
DEFAULT_BURST = 200
MAX_CLIENTS = 10_000



class TokenBuckets:
    def __init__(
        self, rate_per_s: float, burst: int, *, max_clients: int = MAX_CLIENTS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.rate = rate_per_s
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0 when allowed, else the seconds until one is free."""
        now = self._clock()
        tokens, last = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait

    @property
    def clients(self) -> int:
        return len(self._buckets)


class RateLimit:
    """ASGI middleware in front of everything else (before the body is even read)."""

    def __init__(
        self,
        app: ASGIApp,
        buckets: TokenBuckets,
        on_limited: Callable[[], None] = lambda: None,
        limit_loopback: bool = False,
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.on_limited = on_limited
        self.limit_loopback = limit_loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if not self.limit_loopback and _is_loopback(address):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(address)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        self.on_limited()
        status, doc = problem(RateLimitedError(f"too many requests from this client; retry in {wait:.2f}s"), 429)
        body = json.dumps(doc).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(max(1, math.ceil(wait))).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


__all__ = ["DEFAULT_BURST", "DEFAULT_RATE_PER_S", "RateLimit", "RateLimitedError", "TokenBuckets"]
