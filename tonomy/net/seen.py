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
