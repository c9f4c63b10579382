"""One thread that owns the chain, so the event loop never blocks on it.

Every chain call (admission, block production, reads) runs on a single worker
thread in arrival order. One thread is the simple rule that keeps the chain free
of locking: it sees one caller, exactly as in a test or a replay, and the event
loop stays free to answer health checks, accept connections and time out waits
while a block commits. The slow parts inside a call (signature checks, LMDB
commits) release the GIL in the core, so the loop thread still runs meanwhile.
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
