"""The block loop: produce a block on every slot of the schedule, then wake the waiters.

The loop picks the block time from the schedule (the only place a wall clock is
read) and hands it to ``Chain.produce_block`` on the chain thread. Only after the
chain has durably committed the block does it tell the commit watch, so a
client that hears "committed" can rely on it surviving a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tonomy.errors import PluginVersionMissingError
from tonomy.node.api import NodeServices
from tonomy.node.schedule import BlockSchedule
from tonomy.node.views import transaction_ids

log = logging.getLogger("tonomy.node.blocks")

BlockListener = Callable[[Any, int], None]
"""``listener(header, transaction_count)`` after each committed block."""


def _produce(chain: Any, time_ms: int) -> tuple[Any, list[bytes]]:
    header = chain.produce_block(time_ms)
    return header, transaction_ids(chain.get_block(header.height))


class BlockLoop:
    def __init__(self, services: NodeServices, schedule: BlockSchedule, listener: BlockListener | None = None) -> None:
        self._services = services
        self._schedule = schedule
        self._listener = listener
        self.blocks_produced = 0

    async def produce_due(self) -> None:
        """Produce the block whose slot has come, if one has: called before the node says it is
        ready, so a client never builds on a head whose time lags the clock (a transaction whose
        expiry counts from a stale genesis time would pass admission and expire in block 1)."""
        time_ms, delay = self._schedule.plan(self._services.head.time)
        if delay == 0:
            await self._produce(time_ms)

    async def run(self, stop: asyncio.Event) -> None:
        """Produce blocks until ``stop`` is set; a block in progress always finishes first."""
        services = self._services
        while not stop.is_set():
            time_ms, delay = self._schedule.plan(services.head.time)
            if delay > 0 and await _stopped_within(stop, delay):
                return
            try:
                await self._produce(time_ms)
            except PluginVersionMissingError as exc:  # state demands code this node lacks: stop producing
                log.critical("HALTED: %s", exc.message)
                return
            except Exception:
                # A failed block changes nothing (the commit is atomic); log and try the next slot.
                log.exception("producing the block at time %d failed", time_ms)
                if await _stopped_within(stop, self._schedule.block_time_ms / 1000):
                    return

    async def _produce(self, time_ms: int) -> None:
        services = self._services
        header, ids = await services.worker.call(_produce, time_ms)
        services.block_committed(header, len(ids))
        services.watch.committed(header.height, ids)
        self.blocks_produced += 1
        if self._listener is not None:
            self._listener(header, len(ids))


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


__all__ = ["BlockListener", "BlockLoop"]
