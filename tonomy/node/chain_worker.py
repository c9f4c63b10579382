"""One thread that owns the chain, so the event loop never blocks on it.

Every chain call (admission, block production, reads) runs on a single worker
thread in arrival order. One thread is the simple rule that keeps the chain free
of locking: it sees one caller, exactly as in a test or a replay, and the event
loop stays free to answer health checks, accept connections and time out waits
while a block commits. The slow parts inside a call (signature checks, LMDB
commits) release the GIL in the core, so the loop thread still runs meanwhile.

Bulk work (admitting batches of transactions from the API and from gossip) goes
through :meth:`ChainWorker.call_bulk`: one bulk call at a time, and only when no
other call is waiting. Consensus work (build, validate, commit) and reads then
wait behind at most one batch, never behind a queue of them: under load, the
queue of admissions would otherwise delay every height by its whole length.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from tonomy.node.chain_port import ChainPort
from tonomy.node.errors import NodeUnavailableError

T = TypeVar("T")


class ChainWorker:
    """Async access to a chain through one dedicated thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonomy-chain")
        self._chain: ChainPort | None = None
        self._closed = False
        self._waiting = 0  # ordinary calls queued or running
        self._quiet = asyncio.Event()  # set while _waiting is 0
        self._quiet.set()
        self._bulk = asyncio.Lock()

    async def open(self, opener: Callable[[], ChainPort]) -> ChainPort:
        """Open the chain on the worker thread (LMDB handles stay on that thread)."""
        self._chain = await self._run(opener)
        return self._chain

    @property
    def chain(self) -> ChainPort:
        if self._chain is None or self._closed:
            raise NodeUnavailableError("the chain is not open (the node is starting or stopping)")
        return self._chain

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(chain, *args)`` on the worker thread."""
        chain = self.chain
        self._waiting += 1
        self._quiet.clear()
        try:
            return await self._run(functools.partial(fn, chain, *args))
        finally:
            self._waiting -= 1
            if self._waiting == 0:
                self._quiet.set()

    async def call_bulk(self, fn: Callable[..., T], *args: Any) -> T:
        """Like :meth:`call`, but yields to ordinary calls: it enters the thread only when none waits."""
        chain = self.chain
        async with self._bulk:
            while self._waiting:
                await self._quiet.wait()
            return await self._run(functools.partial(fn, chain, *args))

    async def _run(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise NodeUnavailableError("the node is stopping")
        loop = asyncio.get_running_loop()
        try:
            pending = loop.run_in_executor(self._executor, fn)
        except RuntimeError:  # only scheduling raises here: the executor has shut down
            raise NodeUnavailableError("the node is stopping") from None
        return await pending

    async def close(self) -> None:
        """Let queued calls finish, close the chain on its thread, stop the thread."""
        if self._closed:
            return
        chain = self._chain
        if chain is not None:
            await self._run(chain.close)
        self._closed = True
        self._executor.shutdown(wait=True)


__all__ = ["ChainWorker"]
