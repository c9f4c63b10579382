"""A bounded set of recently seen message ids, each forgotten after a time-to-live.

Gossip's dedup memory: at most ``max_entries`` ids (the oldest go first) and none older
than ``ttl`` seconds, so a flood of distinct messages costs bounded memory and a message
seen long ago may circulate again (its own validity rules, like a transaction's expiry,
decide whether it is still accepted).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class SeenCache:
    def __init__(self, max_entries: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries <= 0 or ttl <= 0:
            raise ValueError("a seen cache needs a positive size and time-to-live")
        self._max = max_entries
        self._ttl = ttl
        self._clock = clock
        self._expiry: OrderedDict[bytes, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._expiry:
            key, expiry = next(iter(self._expiry.items()))
            if expiry > now:
                break
            del self._expiry[key]

    def add(self, key: bytes) -> bool:
        """Remember ``key``; True if it was not already remembered (first sighting)."""
        now = self._clock()
        self._expire(now)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self._ttl
        while len(self._expiry) > self._max:
            self._expiry.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        self._expire(self._clock())
        return key in self._expiry

    def __len__(self) -> int:
        return len(self._expiry)


class SeenPayloads:
    """A bounded set of recently seen payloads, keyed by the payload bytes themselves.

    For the transactions inside gossiped batches: every copy that reaches a node (the
    origin's and each relay's) must be checked, and hashing each one costs more than the
    rest of the check. A dict keyed by the bytes is exact (no digest, so no collision
    to craft) and cheap (the bytes hash is SipHash, cached on the object). Memory is
    bounded by entry count and by total payload bytes, so large payloads only shorten
    the window; like :class:`SeenCache` entries also expire after ``ttl`` seconds.
    """

    def __init__(
        self, max_entries: int, max_bytes: int, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries <= 0 or max_bytes <= 0 or ttl <= 0:
            raise ValueError("a seen cache needs a positive size, byte budget and time-to-live")
        self._max = max_entries
        self._max_bytes = max_bytes
        self._ttl = ttl
        self._clock = clock
        self._expiry: OrderedDict[bytes, float] = OrderedDict()
        self._bytes = 0

    def fresh(self, payloads: list[bytes]) -> list[bytes]:
        """Remember ``payloads``; those not already remembered (first sightings), in order."""
        expiry = self._expiry
        now = self._clock()
        while expiry:
            key, at = next(iter(expiry.items()))
            if at > now:
                break
            del expiry[key]
            self._bytes -= len(key)
        out = []
        until = now + self._ttl
        for payload in payloads:
            if payload not in expiry:
                expiry[payload] = until
                self._bytes += len(payload)
                out.append(payload)
        while expiry and (len(expiry) > self._max or self._bytes > self._max_bytes):
            key, _ = expiry.popitem(last=False)
            self._bytes -= len(key)
        return out

    def __contains__(self, payload: object) -> bool:
        return payload in self._expiry and self._expiry[payload] > self._clock()  # type: ignore[index]

    def __len__(self) -> int:
        return len(self._expiry)

    @property
    def payload_bytes(self) -> int:
        return self._bytes
