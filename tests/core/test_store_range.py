"""Store.range (ordered latest values) and Store.preview_root (root before commit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tonomy._core import Store
from tonomy.errors import ConflictError, InvalidInputError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db", durable=False) as opened:
        yield opened


def test_range_reads_latest_values_in_key_order(store: Store) -> None:
    store.commit(1, [(bytes([i]), bytes([i]) * 2) for i in range(40, 0, -1)])
    store.commit(2, [(bytes([5]), None), (bytes([7]), b"new")])
    got = store.range(bytes([3]), bytes([9]))
    assert got == [(bytes([3]), bytes([3]) * 2), (bytes([4]), bytes([4]) * 2), (bytes([6]), bytes([6]) * 2), (bytes([7]), b"new"), (bytes([8]), bytes([8]) * 2)]
    assert [k for k, _ in store.range(limit=3)] == [bytes([1]), bytes([2]), bytes([3])]
    assert len(store.range()) == 39
    assert store.range(bytes([9]), bytes([1])) == []


def test_range_refuses_bad_bounds(store: Store) -> None:
    with pytest.raises(InvalidInputError):
        store.range(b"x" * 300)
    with pytest.raises(InvalidInputError):
        store.range(limit=10**6)


def test_preview_root_matches_commit_and_writes_nothing(store: Store) -> None:
    writes = [(b"a", b"1"), (b"b", b"2")]
    preview = store.preview_root(1, writes)
    assert store.latest_version() is None and store.get(b"a") is None
    assert store.commit(1, writes) == preview
    assert store.preview_root(2, [(b"a", None)]) != preview
    assert store.root() == preview
    with pytest.raises(ConflictError):
        store.preview_root(1, writes)
