"""Mailbox limits, per node: message size, per-sender rate, per-recipient quota, expiry.

Defaults suit a public node; ``MailLimits.from_env`` lets an operator (or a test) set
them with ``TONOMY_MSG_<FIELD>`` variables (integers).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, fields

DAY_MS = 86_400_000


@dataclass(frozen=True)
class MailLimits:
    max_sealed_bytes: int = 64 * 1024
    #: Posts one sender may make on this node: a token bucket, in posts per minute and burst.
    sender_per_minute: int = 30
    sender_burst: int = 20
    mailbox_max_items: int = 500
    mailbox_max_bytes: int = 16 * 1024 * 1024
    max_ttl_ms: int = 14 * DAY_MS
    receipt_ttl_ms: int = 14 * DAY_MS
    #: How far a message's creation time or a request's time may be from the node's clock.
    clock_skew_ms: int = 5 * 60_000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> MailLimits:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"TONOMY_MSG_{f.name.upper()}")
            if raw is not None and raw.isdigit() and int(raw) > 0:
                values[f.name] = int(raw)
        return cls(**values)


class SenderBuckets:
    """One token bucket per sender (bounded: the emptiest idle buckets are forgotten)."""

    def __init__(self, per_minute: int, burst: int, max_senders: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_senders = max_senders
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, sender: str, now: float | None = None) -> bool:
        moment = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(sender, (self.burst, moment))
        tokens = min(self.burst, tokens + (moment - last) * self.rate)
        if tokens < 1.0:
            self._buckets[sender] = (tokens, moment)
            return False
        if sender not in self._buckets and len(self._buckets) >= self.max_senders:
            full = [k for k, (t, when) in self._buckets.items() if t + (moment - when) * self.rate >= self.burst]
            for key in full[: max(1, len(full) // 2)]:
                del self._buckets[key]
        self._buckets[sender] = (tokens - 1.0, moment)
        return True
