"""SeenPayloads: the exact, bounded dedup of batched transactions."""

from __future__ import annotations

import pytest

from tests.net.helpers import ManualClock as Clock
from tonomy.net.seen import SeenPayloads


def test_fresh_returns_first_sightings_in_order_and_dedups_within_a_call() -> None:
    seen = SeenPayloads(100, 1 << 20, ttl=10, clock=Clock())
    assert seen.fresh([b"a", b"b", b"a", b"c"]) == [b"a", b"b", b"c"]
    assert seen.fresh([b"c", b"d", b"b"]) == [b"d"]
    assert b"a" in seen and b"z" not in seen and len(seen) == 4


def test_equal_bytes_are_the_same_payload_and_different_bytes_are_not() -> None:
    seen = SeenPayloads(100, 1 << 20, ttl=10, clock=Clock())
    first = bytes(range(200))
    copy = bytearray(first)
    assert seen.fresh([first]) == [first]
    assert seen.fresh([bytes(copy)]) == []  # another object, same bytes: a duplicate
    copy[-1] ^= 1
    assert seen.fresh([bytes(copy)]) == [bytes(copy)]  # one bit off: not a duplicate


def test_entries_expire_after_their_time_to_live() -> None:
    clock = Clock()
    seen = SeenPayloads(100, 1 << 20, ttl=10, clock=clock)
    seen.fresh([b"a"])
    clock.now = 5
    seen.fresh([b"b"])
    clock.now = 10.5
    assert b"a" not in seen and b"b" in seen
    assert seen.fresh([b"a", b"b"]) == [b"a"]
    assert seen.payload_bytes == 2


def test_bounded_by_count_and_by_bytes_oldest_first() -> None:
    seen = SeenPayloads(3, 1 << 20, ttl=10, clock=Clock())
    seen.fresh([b"a", b"b", b"c", b"d"])
    assert len(seen) == 3 and b"a" not in seen and seen.payload_bytes == 3
    by_bytes = SeenPayloads(100, 250, ttl=10, clock=Clock())
    by_bytes.fresh([b"x" * 100, b"y" * 100])
    by_bytes.fresh([b"z" * 100])  # 300 bytes > 250: the oldest goes
    assert b"x" * 100 not in by_bytes and b"y" * 100 in by_bytes and by_bytes.payload_bytes == 200
    huge = b"h" * 1000  # over the whole budget: remembered by nobody, never an error
    assert by_bytes.fresh([huge]) == [huge] and by_bytes.payload_bytes <= 250


@pytest.mark.parametrize("args", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_needs_positive_limits(args: tuple[int, int, float]) -> None:
    with pytest.raises(ValueError):
        SeenPayloads(*args)
