"""Limits and timings of the network layer, node-local (never consensus-critical)."""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class NetConfig:
    """Every bound the network layer enforces; the defaults suit a validator on the internet.

    Sizes are bytes, times are seconds. Tests shrink them to run fast.
    """

    #: Largest plaintext a frame may carry: one maximum-size block (8 MiB) with room for its envelope.
    max_frame_bytes: int = 8 * MIB + 64 * KIB
    #: Largest handshake message; the real ones are a few hundred bytes.
    max_handshake_bytes: int = 1 * KIB
    #: A peer that has not finished the handshake by then is dropped (slowloris).
    handshake_timeout: float = 5.0
    #: Inbound connections beyond this many (handshaking or established) are refused at once.
    max_inbound_peers: int = 32
    #: Of those, at most this many from one IP address (one host cannot take every slot).
    max_inbound_per_address: int = 8
    #: Outbound dials in flight or established beyond this many are not started.
    max_outbound_peers: int = 16
    #: Token buckets per peer: sustained rate and burst, in bytes and in messages.
    peer_bytes_per_second: float = 16 * MIB
    peer_bytes_burst: float = 32 * MIB
    peer_messages_per_second: float = 2000.0
    peer_messages_burst: float = 4000.0
    #: Encrypted bytes waiting for a peer beyond this: the peer is too slow and is dropped.
    max_queued_outbound_bytes: int = 32 * MIB
    #: How long a misbehaving peer's identity (and address) stays refused.
    ban_seconds: float = 600.0
    #: Also ban the address a misbehaving peer came from (off behind shared NATs).
    ban_addresses: bool = True
    #: A ping goes out after this long without sending; silence for 3× this closes.
    keepalive_interval: float = 15.0
    #: Reconnect back-off for configured peers: first delay, cap, ± jitter fraction.
    reconnect_initial: float = 0.5
    reconnect_max: float = 30.0
    reconnect_jitter: float = 0.25
    #: Connect timeout of an outbound dial.
    dial_timeout: float = 5.0

    def __post_init__(self) -> None:
        for name in ("max_frame_bytes", "max_handshake_bytes", "max_queued_outbound_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_queued_outbound_bytes < self.max_frame_bytes:
            raise ValueError("max_queued_outbound_bytes must hold at least one full frame")
        for name in ("handshake_timeout", "keepalive_interval", "reconnect_initial", "dial_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.peer_bytes_burst < self.max_frame_bytes + 64:
            raise ValueError("peer_bytes_burst must admit at least one full frame")
        if not 0 <= self.reconnect_jitter < 1:
            raise ValueError("reconnect_jitter must be in [0, 1)")
        if self.reconnect_max < self.reconnect_initial:
            raise ValueError("reconnect_max must be at least reconnect_initial")
