"""A bounded, node-local memo for pure functions of byte-keyed inputs.

The chain core remembers a few costly pure results (decoded records, checked action
data, authority verdicts) under keys that hold everything the result depends on.
Bounded the simple way: when full it is emptied in one atomic step, which is safe
with chains on several threads (no eviction order to keep consistent) and costs
nothing per hit. Never a source of truth: a miss just computes again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(Generic[K, V]):
    """At most ``max_entries`` key → value pairs; ``max_entries=0`` remembers nothing."""

    __slots__ = ("_entries", "_max", "get")

    def __init__(self, max_entries: int) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be at least 0")
        self._entries: dict[K, V] = {}
        self._max = max_entries
        #: ``get(key)``: the remembered value or None. The dict's own method (emptying
        #: clears that same dict, never replaces it): a lookup costs one C call.
        self.get: Callable[[K], V | None] = self._entries.get

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: K, value: V) -> None:
        if self._max == 0:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()  # one atomic step, safe with chains on several threads
        self._entries[key] = value

    def clear(self) -> None:
        self._entries.clear()

    def cached(self, key: K, compute: Callable[[], V]) -> V:
        """The remembered value of ``key``, else ``compute()`` remembered."""
        found = self._entries.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found


__all__ = ["BoundedMemo"]
