"""The chain thread's order: bulk admissions yield to ordinary calls (consensus, reads)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from tonomy.node.chain_worker import ChainWorker


class Recorder:
    """Stands in for the chain: the worker only hands it to the functions it runs."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def close(self) -> None:
        self.order.append("close")


def test_bulk_calls_wait_for_ordinary_ones_and_go_one_at_a_time() -> None:
    async def main() -> list[str]:
        worker = ChainWorker()
        recorder = Recorder()
        await worker.open(lambda: recorder)  # type: ignore[arg-type, return-value]
        release = threading.Event()

        def slow(chain: Any, name: str) -> str:
            release.wait(10)
            chain.order.append(name)
            return name

        def quick(chain: Any, name: str) -> str:
            chain.order.append(name)
            return name

        first = asyncio.ensure_future(worker.call(slow, "ordinary-1"))
        await asyncio.sleep(0.05)
        bulk = [asyncio.ensure_future(worker.call_bulk(quick, f"bulk-{i}")) for i in range(3)]
        await asyncio.sleep(0.05)
        later = asyncio.ensure_future(worker.call(quick, "ordinary-2"))
        await asyncio.sleep(0.05)
        release.set()
        results = await asyncio.gather(first, *bulk, later)
        assert results == ["ordinary-1", "bulk-0", "bulk-1", "bulk-2", "ordinary-2"]
        await worker.close()
        return recorder.order

    started = time.monotonic()
    order = asyncio.run(main())
    assert order[:2] == ["ordinary-1", "ordinary-2"]  # queued after the bulk calls, it still went first
    assert order[2:] == ["bulk-0", "bulk-1", "bulk-2", "close"]
    assert time.monotonic() - started < 10
