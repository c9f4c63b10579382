"""MemoryState keeps the StateView contract: byte order, half-open ranges, bytes only."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tonomy.chain.state import MemoryState, StateView, prefix_end, scan_prefix
from tonomy.errors import InvalidInputError


def test_memory_state_is_a_state_view() -> None:
    assert isinstance(MemoryState(), StateView)


def test_put_get_delete() -> None:
    state = MemoryState()
    assert state.get(b"k") is None
    state.put(b"k", b"v1")
    state.put(b"k", b"v2")
    assert state.get(b"k") == b"v2"
    assert len(state) == 1
    state.delete(b"k")
    state.delete(b"k")  # deleting a missing key is fine
    assert state.get(b"k") is None
    assert len(state) == 0


def test_items_are_ascending_and_half_open() -> None:
    state = MemoryState()
    for k in (b"b", b"a\xff", b"a", b"c", b"ab", b"\x00"):
        state.put(k, k.upper())
    assert [k for k, _ in state.items(b"a", b"c")] == [b"a", b"ab", b"a\xff", b"b"]
    assert [k for k, _ in state.items(b"", None)] == [b"\x00", b"a", b"ab", b"a\xff", b"b", b"c"]
    assert list(state.items(b"c", b"c")) == []


def test_prefix_end() -> None:
    assert prefix_end(b"sys/") == b"sys0"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None
    assert prefix_end(b"") is None


def test_scan_prefix_selects_exactly_the_prefix() -> None:
    state = MemoryState()
    for k in (b"ab", b"ab/", b"ab/x", b"ab/\xff", b"ab0", b"abc/x", b"a"):
        state.put(k, b"")
    assert [k for k, _ in scan_prefix(state, b"ab/")] == [b"ab/", b"ab/x", b"ab/\xff"]


def test_writes_during_iteration_do_not_disturb_it() -> None:
    state = MemoryState()
    for k in (b"a", b"b", b"c"):
        state.put(k, b"")
    seen = []
    for k, _ in state.items(b"", None):
        seen.append(k)
        state.delete(b"b")
        state.put(b"bb", b"")
    assert seen == [b"a", b"b", b"c"]


@pytest.mark.parametrize("bad", ["text", bytearray(b"x"), 1, None, memoryview(b"x")], ids=repr)
def test_non_bytes_are_refused(bad: Any) -> None:
    state = MemoryState()
    with pytest.raises(InvalidInputError):
        state.put(bad, b"v")
    with pytest.raises(InvalidInputError):
        state.put(b"k", bad)
    if bad is not None:
        with pytest.raises(InvalidInputError):
            state.get(bad)
        with pytest.raises(InvalidInputError):
            list(state.items(bad, None))
    assert len(state) == 0


@given(st.lists(st.tuples(st.binary(max_size=4), st.binary(max_size=2), st.booleans()), max_size=40), st.binary(max_size=3), st.none() | st.binary(max_size=3))
def test_matches_a_plain_dict_sorted(ops: list[tuple[bytes, bytes, bool]], start: bytes, end: bytes | None) -> None:
    state = MemoryState()
    reference: dict[bytes, bytes] = {}
    for k, v, is_delete in ops:
        if is_delete:
            state.delete(k)
            reference.pop(k, None)
        else:
            state.put(k, v)
            reference[k] = v
    expected = sorted((k, v) for k, v in reference.items() if k >= start and (end is None or k < end))
    assert list(state.items(start, end)) == expected
    copy = state.copy()
    copy.put(b"new", b"")
    assert state.get(b"new") is None or b"new" in reference
