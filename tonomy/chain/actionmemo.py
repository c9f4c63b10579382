"""Checked action data remembered by its bytes, for one execution engine.

A transaction's action data is decoded and checked against the action's schema at
admission, and again when the transaction executes (and a validator that admitted a
transaction decodes it once more when the block arrives). For one engine (a fixed
plugin set: registry and disabled plugins never change for its lifetime) the checked
record is a pure function of ``(plugin, action, data bytes)``, so it is remembered
under exactly those. Only flat records (every value a str, int, bool, bytes or None)
are kept, and each caller gets its own copy, so a handler that changes its record
cannot change what another caller sees. Failures are not remembered (rare, and their
message names the action). Bounded (:class:`~tonomy.chain.memo.BoundedMemo`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tonomy.chain.memo import BoundedMemo

#: Records remembered: several blocks' worth of transactions between admission and execution.
DEFAULT_MAX_ENTRIES = 16_384
#: Larger data is not remembered (keeps the memo's memory small whatever arrives).
MAX_DATA_BYTES = 1024
_IMMUTABLE = (str, int, bool, bytes, type(None))


class CheckedActions:
    """A bounded map of ``(plugin, action, data)`` to the record that data checked as."""

    __slots__ = ("_entries", "hits")

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: BoundedMemo[tuple[str, str, bytes], dict[str, Any]] = BoundedMemo(max_entries)
        #: Records answered from the memo (for metrics and tests).
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def decode(
        self, plugin: str, name: str, data: bytes, check: Callable[[str, str, bytes], dict[str, Any]]
    ) -> dict[str, Any]:
        """``check(plugin, name, data)``, or a copy of what it returned for these bytes before."""
        if type(data) is not bytes or len(data) > MAX_DATA_BYTES:
            return check(plugin, name, data)
        memo_key = (plugin, name, data)
        known = self._entries.get(memo_key)
        if known is not None:
            self.hits += 1
            return dict(known)
        record = check(plugin, name, data)
        if type(record) is dict and all(type(value) in _IMMUTABLE for value in record.values()):
            self._entries.put(memo_key, dict(record))
        return record


__all__ = ["DEFAULT_MAX_ENTRIES", "MAX_DATA_BYTES", "CheckedActions"]
