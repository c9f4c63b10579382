"""When the node produces the next block, and which time the block carries.

Blocks sit on a grid of slots ``block_time_ms`` apart (Unix milliseconds). The
next block takes the current slot, but never a slot at or before the head's time,
so block times strictly increase even across restarts and clock steps backwards.
A node that falls behind skips the missed slots instead of producing a burst.

This is the one place the node turns the wall clock into a block time; the chain
receives that time as a plain number and never reads a clock itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_BLOCK_TIME_MS = 500
MIN_BLOCK_TIME_MS = 10
MAX_BLOCK_TIME_MS = 60_000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class BlockSchedule:
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS
    clock: Callable[[], int] = wall_clock_ms

    def __post_init__(self) -> None:
        if type(self.block_time_ms) is not int or not MIN_BLOCK_TIME_MS <= self.block_time_ms <= MAX_BLOCK_TIME_MS:
            raise ValueError(f"block time must be an int from {MIN_BLOCK_TIME_MS} to {MAX_BLOCK_TIME_MS} ms")

    def next_block_time(self, head_time_ms: int, now_ms: int) -> int:
        """The time of the block after a head at ``head_time_ms``, seen at ``now_ms``."""
        step = self.block_time_ms
        first_free_slot = (head_time_ms // step + 1) * step
        current_slot = (now_ms // step) * step
        return max(first_free_slot, current_slot)

    def plan(self, head_time_ms: int) -> tuple[int, float]:
        """``(block time, seconds to wait before producing it)`` as of now."""
        now = self.clock()
        block_time = self.next_block_time(head_time_ms, now)
        return block_time, max(0, block_time - now) / 1000


__all__ = ["DEFAULT_BLOCK_TIME_MS", "MAX_BLOCK_TIME_MS", "MIN_BLOCK_TIME_MS", "BlockSchedule", "wall_clock_ms"]
