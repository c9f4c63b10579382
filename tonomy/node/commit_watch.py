"""Wake the requests that wait for a transaction to commit.

The block loop reports each committed block's transaction ids; waiters get a
future per id. The watch also remembers which ids this node admitted and has
not yet seen commit, so the API can answer "pending" instead of "unknown".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from tonomy.node.block_ids import RecentBlockIds

#: Admitted-but-uncommitted ids remembered; beyond it the oldest are forgotten
#: (they show as unknown until they commit, which is still correct to ask again).
MAX_PENDING = 100_000
#: Waiters per id and in total: a client cannot make the node hold unbounded futures.
MAX_WAITERS = 10_000


class CommitWatch:
    def __init__(self) -> None:
        self._pending: dict[bytes, None] = {}
        self._waiters: dict[bytes, list[asyncio.Future[int | None]]] = {}
        self._waiter_count = 0
        self._closed = False
        #: The ids of the last committed blocks, for ``GET /v1/blocks/transaction-ids``.
        self.recent = RecentBlockIds()

    def admitted(self, tx_id: bytes) -> None:
        pending = self._pending  # a plain dict keeps insertion order, at half OrderedDict's cost
        pending.pop(tx_id, None)  # admitted again: forgotten last
        pending[tx_id] = None
        while len(pending) > MAX_PENDING:
            del pending[next(iter(pending))]

    def is_pending(self, tx_id: bytes) -> bool:
        return tx_id in self._pending

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def committed(self, height: int, tx_ids: Iterable[bytes]) -> None:
        """Called by the block loop after ``height`` is durably committed."""
        tx_ids = tuple(tx_ids)
        self.recent.add(height, tx_ids)
        forget = self._pending.pop
        for tx_id in tx_ids:
            forget(tx_id, None)
        if not self._waiters:
            return  # the usual case under load: nobody waits on a single transaction
        for tx_id in tx_ids:
            for future in self._waiters.pop(tx_id, ()):
                self._waiter_count -= 1
                if not future.done():
                    future.set_result(height)

    def waiter(self, tx_id: bytes) -> asyncio.Future[int | None] | None:
        """A future that resolves to the commit height (None: the node is stopping),
        or None when too many wait already."""
        if self._waiter_count >= MAX_WAITERS:
            return None
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_result(None)
            return future
        self._waiters.setdefault(tx_id, []).append(future)
        self._waiter_count += 1
        return future

    def forget(self, tx_id: bytes, future: asyncio.Future[int | None]) -> None:
        """Drop a waiter that timed out or was cancelled."""
        futures = self._waiters.get(tx_id)
        if futures and future in futures:
            futures.remove(future)
            self._waiter_count -= 1
            if not futures:
                del self._waiters[tx_id]

    def release_all(self) -> None:
        """Wake every waiter with None and answer later ones at once: the node is stopping,
        so open wait requests answer their current status instead of holding shutdown."""
        self._closed = True
        for futures in self._waiters.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)
        self._waiters.clear()
        self._waiter_count = 0


__all__ = ["MAX_PENDING", "MAX_WAITERS", "CommitWatch"]
