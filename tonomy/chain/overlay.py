"""The write overlay: a block's pending writes over the committed state.

Execution never writes to the store directly. Every ``put``/``delete`` lands here;
reads see pending writes first, then the committed state; iteration merges both in
ascending key order. Checkpoints nest (one per transaction, one per cross-plugin
call): ``rollback`` undoes exactly what was written since the matching
``checkpoint``, ``release`` keeps it. At the end of the block, :meth:`write_set`
is what ``Store.commit`` receives.

This is the Python implementation; DESIGN places the overlay in the Rust core, and
this class keeps the interface that a Rust port would implement (the committed
side is anything with ``get(key)`` and ``range(start, end, limit)``, such as
``tonomy._core.Store``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Protocol

from tonomy.errors import InternalError, InvalidInputError

#: Pairs fetched from the committed state per page while iterating.
RANGE_PAGE = 512


class CommittedState(Protocol):
    """The read side of the store the overlay sits on."""

    def get(self, key: bytes) -> bytes | None: ...

    def range(self, start: bytes | None = None, end: bytes | None = None, limit: int = 1000) -> list[tuple[bytes, bytes]]: ...


class _Absent:
    """Marks "the key had no pending write" in the undo log."""

    __slots__ = ()


_ABSENT = _Absent()


class WriteOverlay:
    """A :class:`~tonomy.chain.state.StateView` of pending writes over committed state."""

    __slots__ = ("_base", "_pending", "_keys", "_frames")

    def __init__(self, base: CommittedState) -> None:
        self._base = base
        self._pending: dict[bytes, bytes | None] = {}  # None = deleted
        self._keys: list[bytes] = []  # the pending keys, sorted
        # One frame per open checkpoint: key -> its pending entry before the checkpoint.
        self._frames: list[dict[bytes, bytes | None | _Absent]] = []

    # -- StateView ------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        _require_bytes("key", key)
        if key in self._pending:
            return self._pending[key]
        return self._base.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        _require_bytes("key", key)
        _require_bytes("value", value)
        self._set(key, value)

    def delete(self, key: bytes) -> None:
        _require_bytes("key", key)
        self._set(key, None)

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        """Pairs with ``start <= key < end`` (pending over committed), ascending.

        The pending side is snapshotted when the call is made; the committed side does
        not change while a block executes.
        """
        _require_bytes("start", start)
        if end is not None:
            _require_bytes("end", end)
        low = bisect.bisect_left(self._keys, start)
        high = len(self._keys) if end is None else bisect.bisect_left(self._keys, end)
        pending = [(key, self._pending[key]) for key in self._keys[low:high]]
        return self._merge(pending, start, end)

    def _merge(self, pending: list[tuple[bytes, bytes | None]], start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        index = 0
        cursor: bytes = start
        while end is None or cursor < end:
            page = self._base.range(cursor, end, RANGE_PAGE)
            for key, value in page:
                while index < len(pending) and pending[index][0] < key:
                    own_key, own_value = pending[index]
                    index += 1
                    if own_value is not None:
                        yield own_key, own_value
                if index < len(pending) and pending[index][0] == key:
                    own_value = pending[index][1]
                    index += 1
                    if own_value is not None:
                        yield key, own_value
                else:
                    yield key, value
            if len(page) < RANGE_PAGE:
                break
            cursor = page[-1][0] + b"\x00"  # the smallest key after the last one seen
        for own_key, own_value in pending[index:]:
            if own_value is not None:
                yield own_key, own_value

    # -- checkpoints ------------------------------------------------------------------

    def checkpoint(self) -> int:
        """Open a checkpoint; returns the depth (1 for the outermost)."""
        self._frames.append({})
        return len(self._frames)

    def rollback(self) -> None:
        """Undo every write since the innermost open checkpoint, and close it."""
        frame = self._pop_frame()
        for key, previous in frame.items():
            if isinstance(previous, _Absent):
                del self._pending[key]
                del self._keys[bisect.bisect_left(self._keys, key)]
            else:
                self._pending[key] = previous

    def release(self) -> None:
        """Keep the writes since the innermost open checkpoint, and close it."""
        frame = self._pop_frame()
        if self._frames:
            parent = self._frames[-1]
            for key, previous in frame.items():
                parent.setdefault(key, previous)

    @property
    def depth(self) -> int:
        return len(self._frames)

    def _pop_frame(self) -> dict[bytes, bytes | None | _Absent]:
        if not self._frames:
            raise InternalError("the write overlay has no open checkpoint")
        return self._frames.pop()

    def _set(self, key: bytes, value: bytes | None) -> None:
        previous: bytes | None | _Absent = self._pending[key] if key in self._pending else _ABSENT
        if self._frames:
            self._frames[-1].setdefault(key, previous)
        if isinstance(previous, _Absent):
            bisect.insort(self._keys, key)
        self._pending[key] = value

    # -- export -----------------------------------------------------------------------

    def write_set(self) -> list[tuple[bytes, bytes | None]]:
        """Every pending write in key order (``None`` deletes), for ``Store.commit``."""
        if self._frames:
            raise InternalError("the write set was asked for with a checkpoint still open")
        return [(key, self._pending[key]) for key in self._keys]

    def __len__(self) -> int:
        return len(self._keys)


class ReadOnlyState:
    """A state view that refuses writes: what queries run against."""

    __slots__ = ("_inner",)

    def __init__(self, inner: WriteOverlay) -> None:
        self._inner = inner

    def get(self, key: bytes) -> bytes | None:
        return self._inner.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        raise InvalidInputError("queries are read-only: they cannot write state")

    def delete(self, key: bytes) -> None:
        raise InvalidInputError("queries are read-only: they cannot delete state")

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        return self._inner.items(start, end)


def _require_bytes(what: str, value: object) -> bytes:
    if type(value) is not bytes:
        raise InvalidInputError(f"state {what} must be bytes, got {type(value).__name__}")
    return value
