"""The write overlay (core StateOverlay + Python paging) over a real LMDB store, against a plain model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import random

import pytest

from tonomy._core import Store
from tonomy.chain import overlay as overlay_module
from tonomy.chain.overlay import ReadOnlyState, WriteOverlay
from tonomy.chain.state import MemoryState, prefix_end
from tonomy.errors import InvalidInputError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db", durable=False) as opened:
        opened.commit(1, [(b"k%03d" % i, b"base%d" % i) for i in range(0, 100, 2)])
        yield opened


def model_of(store: Store) -> MemoryState:
    model = MemoryState()
    for key, value in store.range(limit=100_000):
        model.put(key, value)
    return model


def test_reads_see_pending_writes_over_committed(store: Store) -> None:
    view = WriteOverlay(store)
    assert view.get(b"k002") == b"base2"
    view.put(b"k002", b"mine")
    view.delete(b"k004")
    view.put(b"k003", b"new")
    assert view.get(b"k002") == b"mine" and view.get(b"k004") is None and view.get(b"k003") == b"new"
    assert list(view.items(b"k001", b"k006")) == [(b"k002", b"mine"), (b"k003", b"new")]
    assert store.get(b"k002") == b"base2"  # nothing reached the store


def test_iteration_merges_across_pages(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overlay_module, "RANGE_PAGE", 3)
    view = WriteOverlay(store)
    model = model_of(store)
    for i in range(1, 100, 7):
        view.put(b"k%03d" % i, b"p")
        model.put(b"k%03d" % i, b"p")
    for i in range(0, 100, 10):
        view.delete(b"k%03d" % i)
        model.delete(b"k%03d" % i)
    assert list(view.items(b"", None)) == model.snapshot()
    assert list(view.items(b"k010", b"k050")) == list(model.items(b"k010", b"k050"))
    assert list(view.items(b"k", prefix_end(b"k"))) == model.snapshot()


def test_nested_checkpoints_roll_back_exactly(store: Store) -> None:
    view = WriteOverlay(store)
    view.put(b"a", b"1")
    assert view.checkpoint() == 1
    view.put(b"a", b"2")
    view.put(b"b", b"1")
    assert view.checkpoint() == 2
    view.delete(b"a")
    view.put(b"c", b"1")
    view.rollback()
    assert (view.get(b"a"), view.get(b"b"), view.get(b"c")) == (b"2", b"1", None)
    view.checkpoint()
    view.put(b"d", b"1")
    view.release()  # kept, but still undone by the outer rollback
    view.rollback()
    assert (view.get(b"a"), view.get(b"b"), view.get(b"d")) == (b"1", None, None)
    assert view.write_set() == [(b"a", b"1")]
    with pytest.raises(InvalidInputError):
        view.rollback()


def test_random_operations_match_the_model(store: Store) -> None:
    rng = random.Random(7)
    view = WriteOverlay(store)
    models = [model_of(store)]  # one model per open checkpoint level (copy on checkpoint)
    for _ in range(2000):
        op = rng.random()
        key = b"k%03d" % rng.randrange(110)
        if op < 0.35:
            value = b"v%d" % rng.randrange(1000)
            view.put(key, value)
            models[-1].put(key, value)
        elif op < 0.5:
            view.delete(key)
            models[-1].delete(key)
        elif op < 0.58:
            view.checkpoint()
            models.append(models[-1].copy())
        elif op < 0.66 and len(models) > 1:
            view.rollback()
            models.pop()
        elif op < 0.74 and len(models) > 1:
            view.release()
            kept = models.pop()
            models[-1] = kept
        else:
            start = b"k%03d" % rng.randrange(110)
            assert list(view.items(start, None)) == list(models[-1].items(start, None))
            assert view.get(key) == models[-1].get(key)
    while len(models) > 1:
        view.release()
        kept = models.pop()
        models[-1] = kept
    # The exported write set turns the store into the model.
    store.commit(2, view.write_set())
    assert store.range(limit=100_000) == models[0].snapshot()


def test_write_set_needs_closed_checkpoints_and_refuses_non_bytes(store: Store) -> None:
    view = WriteOverlay(store)
    view.checkpoint()
    with pytest.raises(InvalidInputError):
        view.write_set()
    with pytest.raises(InvalidInputError):
        view.put("a", b"1")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        view.put(b"a", 1)  # type: ignore[arg-type]


def test_read_only_state_refuses_writes(store: Store) -> None:
    view = ReadOnlyState(WriteOverlay(store))
    assert view.get(b"k000") == b"base0"
    with pytest.raises(InvalidInputError):
        view.put(b"a", b"1")
    with pytest.raises(InvalidInputError):
        view.delete(b"a")


def test_iteration_pages_past_maximum_length_keys(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overlay_module, "RANGE_PAGE", 2)
    longest = [bytes([i]) + b"\xff" * 255 for i in range(1, 6)]
    view = WriteOverlay(store)
    for key in longest:
        view.put(key, b"v")
    assert [key for key, _ in view.items(b"\x01", b"\x07")] == longest


def test_core_overlay_refuses_hostile_input_and_changes_nothing(store: Store) -> None:
    from tonomy._core import StateOverlay

    native = StateOverlay(store)
    for bad in (lambda: native.put(b"", b"x"), lambda: native.put(b"k" * 257, b"x"), lambda: native.put(b"k", b"x" * ((1 << 20) + 1)), lambda: native.range(b"k" * 300), lambda: native.release()):
        with pytest.raises(InvalidInputError):
            bad()
    assert len(native) == 0 and native.depth == 0
    with pytest.raises(TypeError):
        native.put("k", b"x")  # type: ignore[arg-type]


def test_an_overlay_remembering_reads_answers_like_one_that_does_not(store: Store) -> None:
    plain = WriteOverlay(store)
    remembering = WriteOverlay(store, remember_reads=True, watch=b"k0")
    rng = random.Random(7)
    changes = 0
    for _ in range(3000):
        key = b"k%03d" % rng.randrange(0, 110)
        roll = rng.random()
        if roll < 0.45:
            assert remembering.get(key) == plain.get(key)
        elif roll < 0.65:
            value = b"v%d" % rng.randrange(1000)
            before = remembering.native.watched_changes
            plain.put(key, value)
            remembering.put(key, value)
            assert remembering.native.watched_changes == before + (1 if key.startswith(b"k0") else 0)
        elif roll < 0.75:
            plain.delete(key)
            remembering.delete(key)
        elif roll < 0.85:
            assert remembering.checkpoint() == plain.checkpoint()
        elif plain.depth:
            if roll < 0.93:
                plain.rollback()
                remembering.rollback()
            else:
                plain.release()
                remembering.release()
        assert remembering.native.watched_changes >= changes  # never goes back
        changes = remembering.native.watched_changes
    while plain.depth:
        plain.release()
        remembering.release()
    assert remembering.write_set() == plain.write_set()
    assert list(remembering.items(b"", None)) == list(plain.items(b"", None))
    assert changes > 0 and remembering.watch == remembering.native.watch == b"k0"


def test_an_overlay_remembering_reads_keeps_what_it_read_first(store: Store) -> None:
    # The contract: the committed state does not change under it. If it did, a remembered
    # read would keep the old value where a plain overlay reads the new one.
    remembering, plain = WriteOverlay(store, remember_reads=True), WriteOverlay(store)
    assert remembering.get(b"k002") == b"base2" and remembering.get(b"k003") is None
    store.commit(2, [(b"k002", b"changed"), (b"k003", b"born")])
    assert (remembering.get(b"k002"), remembering.get(b"k003")) == (b"base2", None)
    assert (plain.get(b"k002"), plain.get(b"k003")) == (b"changed", b"born")


def test_watch_options_are_checked(store: Store) -> None:
    with pytest.raises(InvalidInputError):
        WriteOverlay(store, watch=b"sys/")  # needs remember_reads
    with pytest.raises(TypeError):
        _core_overlay(store, watch="sys/")
    assert WriteOverlay(store).native.watch is None and WriteOverlay(store).native.watched_changes == 0


def _core_overlay(store: Store, **options: object) -> object:
    from tonomy._core import StateOverlay

    return StateOverlay(store, remember_reads=True, **options)  # type: ignore[arg-type]
