"""Temporary bans of peer identities and addresses that misbehaved.

Keyed by the Ed25519 identity (a peer cannot shed a ban by reconnecting) and, when
configured, by the IP address (nor by making a new identity). Expired entries are
forgotten lazily; the table is bounded so a flood of identities cannot grow it forever.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

MAX_BANS = 10_000


class BanList:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_BANS) -> None:
        self._clock = clock
        self._until: OrderedDict[bytes | str, float] = OrderedDict()
        self._max = max_entries

    def ban(self, key: bytes | str, seconds: float) -> None:
        until = self._clock() + seconds
        self._until[key] = max(until, self._until.get(key, 0.0))
        self._until.move_to_end(key)
        while len(self._until) > self._max:
            self._until.popitem(last=False)

    def is_banned(self, key: bytes | str) -> bool:
        until = self._until.get(key)
        if until is None:
            return False
        if self._clock() >= until:
            del self._until[key]
            return False
        return True

    def remaining(self, key: bytes | str) -> float:
        """Seconds left on the ban of ``key`` (0 when not banned)."""
        return max(0.0, self._until.get(key, 0.0) - self._clock()) if self.is_banned(key) else 0.0

    def unban(self, key: bytes | str) -> None:
        self._until.pop(key, None)

    def __len__(self) -> int:
        return len(self._until)
