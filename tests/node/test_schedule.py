"""The block schedule: slot-aligned, strictly increasing block times; missed slots are skipped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tonomy.node.schedule import BlockSchedule


def test_takes_the_current_slot_when_caught_up() -> None:
    schedule = BlockSchedule(500)
    assert schedule.next_block_time(head_time_ms=1_000, now_ms=1_700) == 1_500
    assert schedule.next_block_time(head_time_ms=1_000, now_ms=1_200) == 1_500  # wait for the next slot


def test_skips_missed_slots_instead_of_bursting() -> None:
    schedule = BlockSchedule(500)
    assert schedule.next_block_time(head_time_ms=1_000, now_ms=10_250) == 10_000


def test_clock_behind_the_head_still_moves_forward() -> None:
    schedule = BlockSchedule(500)
    assert schedule.next_block_time(head_time_ms=50_000, now_ms=1_000) == 50_500
    assert schedule.next_block_time(head_time_ms=50_001, now_ms=1_000) == 50_500


def test_plan_uses_the_injected_clock() -> None:
    now = [10_100]
    schedule = BlockSchedule(100, clock=lambda: now[0])
    assert schedule.plan(head_time_ms=10_100) == (10_200, 0.1)
    now[0] = 10_250
    assert schedule.plan(head_time_ms=10_100) == (10_200, 0.0)


@pytest.mark.parametrize("bad", [0, 9, 60_001, -5])
def test_block_time_bounds(bad: int) -> None:
    with pytest.raises(ValueError):
        BlockSchedule(bad)


@given(
    step=st.integers(10, 60_000),
    head=st.integers(0, 2**48),
    now=st.integers(0, 2**48),
)
def test_next_time_is_after_the_head_on_a_slot(step: int, head: int, now: int) -> None:
    found = BlockSchedule(step).next_block_time(head, now)
    assert found > head
    assert found % step == 0
    assert found <= max(head + step, now)  # never further than one slot ahead of need
