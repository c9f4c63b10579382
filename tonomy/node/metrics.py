"""Node metrics in the Prometheus text format (``GET /metrics``).

Counters only grow while the process lives (Prometheus handles restarts);
gauges are read at scrape time. Label values are bounded: routes are the API's
route templates (``/v1/blocks/{height}``, never a raw path), reject codes are the
stable error codes, so a hostile client cannot blow up the series count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The route label of a request that matched no route (or was answered before routing).
UNMATCHED_ROUTE = "unmatched"
#: At most this many distinct reject codes / route-status pairs are kept (codes are a fixed
#: table, routes a fixed list: the cap only guards against a bug).
MAX_SERIES = 1000

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Metrics:
    blocks: int = 0
    transactions: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    requests: dict[tuple[str, str, int], int] = field(default_factory=dict)
    rate_limited: int = 0

    def block_committed(self, transaction_count: int) -> None:
        self.blocks += 1
        self.transactions += transaction_count

    def rejected(self, code: str) -> None:
        _bump(self.rejects, code)

    def request(self, method: str, route: str, status: int) -> None:
        _bump(self.requests, (method, route, status))

    def render(self, gauges: dict[str, tuple[str, int]] | None = None) -> str:
        """The text exposition; ``gauges`` maps a metric name to (help, value)."""
        lines: list[str] = []
        _counter(lines, "tonomy_blocks_total", "Blocks this node committed since it started.", [("", self.blocks)])
        _counter(
            lines, "tonomy_transactions_total", "Transactions in blocks this node committed since it started.",
            [("", self.transactions)],
        )  # fmt: skip
        _counter(
            lines, "tonomy_transaction_rejects_total", "Submitted transactions refused at admission, by error code.",
            [(_labels(code=code), n) for code, n in sorted(self.rejects.items())],
        )  # fmt: skip
        _counter(
            lines, "tonomy_api_requests_total", "API requests answered, by method, route template and status.",
            [(_labels(method=m, route=r, status=str(s)), n) for (m, r, s), n in sorted(self.requests.items())],
        )  # fmt: skip
        _counter(lines, "tonomy_api_rate_limited_total", "Requests refused by the per-client rate limit.", [("", self.rate_limited)])
        for name, (text, value) in sorted((gauges or {}).items()):
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} gauge")
            lines.append(f"{name} {value}")
        return "\n".join(lines) + "\n"


def _bump(table: dict, key: object) -> None:  # type: ignore[type-arg]
    if key in table or len(table) < MAX_SERIES:
        table[key] = table.get(key, 0) + 1


def _counter(lines: list[str], name: str, text: str, samples: list[tuple[str, int]]) -> None:
    lines.append(f"# HELP {name} {text}")
    lines.append(f"# TYPE {name} counter")
    for labels, value in samples:
        lines.append(f"{name}{labels} {value}")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


class RequestMetrics:
    """ASGI middleware: count every answered request by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics, route_of: Callable[[Scope], str]) -> None:
        self.app = app
        self.metrics = metrics
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if status:
                self.metrics.request(scope.get("method", "?"), self.route_of(scope), status)


__all__ = ["CONTENT_TYPE", "UNMATCHED_ROUTE", "Metrics", "RequestMetrics"]
