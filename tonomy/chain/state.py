"""The state interface the chain core reads and writes through.

The execution engine implements :class:`StateView` over the Rust write overlay;
:class:`MemoryState` is a small sorted in-memory implementation for unit tests.
Both iterate keys in ascending byte order, which is what keeps every caller
deterministic: no code in the chain core may depend on any other order.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from tonomy.errors import InvalidInputError


@runtime_checkable
class StateView(Protocol):
    """Byte keys to byte values, iterable in ascending byte order.

    Writes made while an ``items`` iterator is open may or may not be seen by it;
    callers that write must first collect what they iterate.
    """

    def get(self, key: bytes) -> bytes | None:
        """The value stored under ``key``, or ``None``."""
        ...

    def put(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        ...

    def delete(self, key: bytes) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        """Pairs with ``start <= key < end`` (no upper bound if ``end`` is None), ascending."""
        ...


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with ``prefix`` (None: no bound).

    Used as the exclusive ``end`` of a prefix scan.
    """
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def scan_prefix(state: StateView, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Every pair whose key starts with ``prefix``, ascending."""
    return state.items(prefix, prefix_end(prefix))


def _require_bytes(what: str, value: object) -> bytes:
    if type(value) is not bytes:
        raise InvalidInputError(f"state {what} must be bytes, got {type(value).__name__}")
    return value


class MemoryState:
    """A deterministic in-memory :class:`StateView` for tests (sorted keys, bisect lookups)."""

    def __init__(self) -> None:
        self._values: dict[bytes, bytes] = {}
        self._keys: list[bytes] = []  # kept sorted

    def get(self, key: bytes) -> bytes | None:
        return self._values.get(_require_bytes("key", key))

    def put(self, key: bytes, value: bytes) -> None:
        _require_bytes("key", key)
        _require_bytes("value", value)
        if key not in self._values:
            bisect.insort(self._keys, key)
        self._values[key] = value

    def delete(self, key: bytes) -> None:
        _require_bytes("key", key)
        if self._values.pop(key, None) is not None:
            del self._keys[bisect.bisect_left(self._keys, key)]

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        _require_bytes("start", start)
        if end is not None:
            _require_bytes("end", end)
        low = bisect.bisect_left(self._keys, start)
        high = len(self._keys) if end is None else bisect.bisect_left(self._keys, end)
        # A snapshot of the range, so writes during iteration cannot skip or repeat keys.
        snapshot = [(key, self._values[key]) for key in self._keys[low:high]]
        return iter(snapshot)

    def __len__(self) -> int:
        return len(self._keys)

    def copy(self) -> MemoryState:
        """An independent copy, for tests that check an operation changed nothing."""
        other = MemoryState()
        other._values = dict(self._values)
        other._keys = list(self._keys)
        return other

    def snapshot(self) -> list[tuple[bytes, bytes]]:
        """Every pair in key order, for comparing whole states in tests."""
        return [(key, self._values[key]) for key in self._keys]
