"""A node's settings: where its data lives, which chain, which key, where the API listens."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from tonomy.node.body_limit import DEFAULT_MAX_BODY_BYTES
from tonomy.node.errors import NodeConfigError
from tonomy.node.schedule import DEFAULT_BLOCK_TIME_MS, MAX_BLOCK_TIME_MS, MIN_BLOCK_TIME_MS

DEFAULT_API_HOST = "127.0.0.1"
DEFAULT_API_PORT = 8640
#: Written into the data directory while the node runs: its pid and API address.
RUNTIME_FILE = "node.json"
LOCK_FILE = "node.lock"


@dataclass(frozen=True, slots=True)
class NodeConfig:
    data_dir: Path
    genesis_file: Path
    validator_key_file: Path | None = None
    api_host: str = DEFAULT_API_HOST
    api_port: int = DEFAULT_API_PORT
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Where the p2p layer listens (``None``: no networking, the single-node mode).
    p2p_address: tuple[str, int] | None = None
    #: Peers to keep connected: ``HOST:PORT`` or ``KEYHEX@HOST:PORT``.
    peers: tuple[str, ...] = ()
    #: Consensus timeouts (ms): propose, prevote, precommit, each as base and per-round delta.
    consensus_timeouts_ms: tuple[int, int, int, int, int, int] | None = None

    @property
    def networked(self) -> bool:
        return self.p2p_address is not None or bool(self.peers)
    #: Requests per second per client address (0: no limit) and the burst it may spend at once.
    rate_limit_per_s: float = 100.0
    rate_burst: int = 200
    #: Whether loopback clients are limited too (by default they are exempt).
    rate_limit_loopback: bool = False
    #: DEVNET ONLY: a folder of demo-account key files the node signs with for the web UI.
    devnet_wallet_dir: Path | None = None

    def __post_init__(self) -> None:
        if not MIN_BLOCK_TIME_MS <= self.block_time_ms <= MAX_BLOCK_TIME_MS:
            raise NodeConfigError(f"block time must be {MIN_BLOCK_TIME_MS} to {MAX_BLOCK_TIME_MS} ms")
        if not 0 <= self.api_port <= 65535:
            raise NodeConfigError("the API port must be 0 to 65535 (0: any free port)")
        if not 0 <= self.rate_limit_per_s <= 1_000_000 or not 1 <= self.rate_burst <= 1_000_000:
            raise NodeConfigError("the rate limit must be 0 (off) to 1000000 per second, with a burst of 1 to 1000000")
        if self.max_body_bytes < 1024:
            raise NodeConfigError("the request body limit must be at least 1024 bytes")
        if self.p2p_address is not None and not 0 <= self.p2p_address[1] <= 65535:
            raise NodeConfigError("the p2p port must be 0 to 65535 (0: any free port)")
        if self.consensus_timeouts_ms is not None and (
            len(self.consensus_timeouts_ms) != 6 or not all(0 <= t <= 600_000 for t in self.consensus_timeouts_ms)
            or min(self.consensus_timeouts_ms[0::2]) < 10
        ):
            raise NodeConfigError("consensus timeouts are 6 integers (ms): bases at least 10, all at most 600000")


def parse_api_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) into a host and port; port 0 picks a free one."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise NodeConfigError(f"API address {text!r} must be HOST:PORT, e.g. 127.0.0.1:{DEFAULT_API_PORT}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise NodeConfigError(f"{host!r} is not an IPv6 address") from None
    port = int(port_text)
    if port > 65535:
        raise NodeConfigError(f"port {port} is out of range")
    return host, port


def api_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


__all__ = [
    "DEFAULT_API_HOST",
    "DEFAULT_API_PORT",
    "LOCK_FILE",
    "RUNTIME_FILE",
    "NodeConfig",
    "api_url",
    "parse_api_address",
]
