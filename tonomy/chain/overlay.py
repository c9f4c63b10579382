"""The write overlay: a block's pending writes over the committed state.

Execution never writes to the store directly. Every ``put``/``delete`` lands here;
reads see pending writes first, then the committed state; iteration merges both in
ascending key order. Checkpoints nest (one per transaction, one per cross-plugin
call): ``rollback`` undoes exactly what was written since the matching
``checkpoint``, ``release`` keeps it. At the end of the block, :meth:`write_set`
is what ``Store.commit`` receives.

The work is done by the core (``tonomy._core.StateOverlay``, an ordered map with
undo frames, reading LMDB without the GIL); this class adds the
:class:`~tonomy.chain.state.StateView` iteration on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tonomy import _core
from tonomy.errors import InvalidInputError

if TYPE_CHECKING:
    from tonomy.chain.context import Primitives

#: Merged pairs fetched from the core per page while iterating.
RANGE_PAGE = 512
_MAX_KEY_LEN = 256


class WriteOverlay:
    """A :class:`~tonomy.chain.state.StateView` of pending writes over a store's latest state."""

    __slots__ = ("_native", "_unchecked", "native", "confirmed", "watch")

    def __init__(self, store: _core.Store, *, remember_reads: bool = False, watch: bytes | None = None) -> None:
        """``remember_reads``: keep each committed value read (a key read again costs a
        lookup, not a store read); only for an overlay the store is not committed under
        while it lives, like one block's execution. ``watch``: a key prefix whose changes
        the core counts (``watched_changes``); needs ``remember_reads``."""
        if watch is not None and not remember_reads:
            raise InvalidInputError("watching keys needs an overlay that remembers its reads (a fixed committed state)")
        native = self._native = _core.StateOverlay(store, remember_reads=remember_reads, watch=watch)
        self.watch = watch
        #: Read sets found unchanged on this overlay, by the id of the (kept) object that
        #: holds them: ``id -> (holder, watched_changes then)``. Valid while no watched key
        #: changed since (see :mod:`tonomy.chain.authcache`); node-local, one block long.
        self.confirmed: dict[int, tuple[object, int]] = {}
        #: The core's overlay, for the engine's per-transaction calls (checkpoints, and
        #: reads of keys it built itself): one call each instead of two.
        self.native = native
        self._unchecked = (native.get, native.put, native.delete)

    # -- StateView ------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        if type(key) is not bytes:
            _require_bytes("key", key)
        return self._native.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        if type(key) is not bytes or type(value) is not bytes:
            _require_bytes("key", key)
            _require_bytes("value", value)
        self._native.put(key, value)

    def delete(self, key: bytes) -> None:
        if type(key) is not bytes:
            _require_bytes("key", key)
        self._native.delete(key)

    def unchecked(self) -> Primitives:
        """``get``, ``put``, ``delete`` for callers that already checked their arguments are
        bytes (the namespaced plugin state does): the core's own methods, one call each."""
        return self._unchecked

    def items(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        """Pairs with ``start <= key < end`` (pending over committed), ascending.

        Fetched page by page, so writes made while iterating may or may not be seen
        (as the StateView contract says); callers that write collect first.
        """
        _require_bytes("start", start)
        if end is not None:
            _require_bytes("end", end)
        return self._pages(start, end)

    def _pages(self, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        cursor: bytes | None = start
        while cursor is not None:
            page = self._native.range(cursor, end, RANGE_PAGE)
            yield from page
            cursor = _next_key(page[-1][0]) if len(page) == RANGE_PAGE else None

    # -- checkpoints ------------------------------------------------------------------

    def checkpoint(self) -> int:
        """Open a checkpoint; returns the depth (1 for the outermost)."""
        return self._native.checkpoint()

    def rollback(self) -> None:
        """Undo every write since the innermost open checkpoint, and close it."""
        self._native.rollback()

    def release(self) -> None:
        """Keep the writes since the innermost open checkpoint, and close it."""
        self._native.release()

    @property
    def depth(self) -> int:
        return self._native.depth

    # -- export -----------------------------------------------------------------------

    def write_set(self) -> list[tuple[bytes, bytes | None]]:
        """Every pending write in key order (``None`` deletes), for ``Store.commit``."""
        return self._native.write_set()

    def __len__(self) -> int:
        return len(self._native)


def _next_key(key: bytes) -> bytes | None:
    """The smallest key of at most 256 bytes after ``key`` (None: there is none)."""
    if len(key) < _MAX_KEY_LEN:
        return key + b"\x00"
    trimmed = key.rstrip(b"\xff")
    return trimmed[:-1] + bytes([trimmed[-1] + 1]) if trimmed else None


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
