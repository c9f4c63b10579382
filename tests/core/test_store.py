"""The LMDB store through the bindings: real files in temporary directories."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tonomy._core as core
from tonomy.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StorageError,
    StorageFullError,
)

MIB = 1 << 20


@pytest.fixture
def store(tmp_path: Path) -> Iterator[core.Store]:
    s = core.Store(tmp_path / "db", durable=False, map_size=16 * MIB)
    yield s
    s.close()


def snapshot(s: core.Store) -> tuple[Any, ...]:
    """Everything a failed call must leave unchanged."""
    return (
        s.latest_version(),
        s.root(),
        s.get(b"a"),
        s.get(b"b"),
        s.aux_range("meta"),
        s.aux_range("blocks"),
    )


def test_commit_get_root_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "db"
    with core.Store(path) as s:
        assert s.latest_version() is None
        assert s.root() == core.empty_state_root()
        assert s.get(b"a") is None
        r1 = s.commit(1, {b"a": b"1", b"b": b"2"}, [("blocks", b"\x01", b"block-1")])
        r2 = s.commit(2, [(b"a", None), (b"c", b"3")], [("meta", b"head", b"\x02")])
        assert r1 != r2
        assert s.root(1) == r1 and s.root(2) == r2 and s.root() == r2
    assert s.closed
    with core.Store(str(path)) as s:
        assert s.latest_version() == 2
        assert s.root() == r2
        assert s.get(b"a") is None and s.get(b"a", 1) == b"1"
        assert s.get(b"c") == b"3" and s.get(b"c", 1) is None
        assert s.aux_get("blocks", b"\x01") == b"block-1"
        assert s.aux_get("meta", b"head") == b"\x02"
        assert set(core.AUX_TABLES) == {"blocks", "receipts", "tx_index", "events", "meta"}


def test_empty_values_are_values_not_deletes(store: core.Store) -> None:
    store.commit(1, {b"a": b""})
    assert store.get(b"a") == b""
    value, proof = store.get_with_proof(b"a")
    assert value == b""
    core.verify_state_proof(store.root(), b"a", b"", proof)


def test_unknown_and_pruned_versions_are_not_found(store: core.Store) -> None:
    for version in (1, 2, 3):
        store.commit(version, {b"k": b"%d" % version})
    for call in (lambda: store.root(4), lambda: store.get(b"k", 9), lambda: store.get_with_proof(b"k", 0)):
        with pytest.raises(NotFoundError) as info:
            call()
        assert info.value.code == "store.not_found"
    assert store.prune(3) > 0
    with pytest.raises(NotFoundError):
        store.get(b"k", 2)
    assert store.get(b"k", 3) == b"3"
    with pytest.raises(InvalidInputError):
        store.prune(4)


def test_keep_versions_prunes_as_it_commits(tmp_path: Path) -> None:
    with core.Store(tmp_path / "db", durable=False, keep_versions=2) as s:
        for version in range(1, 6):
            s.commit(version, {b"k": b"%d" % version})
        with pytest.raises(NotFoundError):
            s.root(3)
        assert s.get(b"k", 4) == b"4" and s.get(b"k", 5) == b"5"


def test_aux_range_is_ordered_and_limited(store: core.Store) -> None:
    rng = random.Random(3)
    numbers = list(range(50))
    rng.shuffle(numbers)
    store.commit(1, {}, [("events", n.to_bytes(4, "big"), b"e%d" % n) for n in numbers])
    rows = store.aux_range("events", (10).to_bytes(4, "big"), (20).to_bytes(4, "big"))
    assert [int.from_bytes(k, "big") for k, _ in rows] == list(range(10, 20))
    assert rows[0][1] == b"e10"
    assert len(store.aux_range("events", limit=7)) == 7
    assert store.aux_range("events", limit=0) == []
    assert store.aux_range("receipts") == []
    with pytest.raises(InvalidInputError):
        store.aux_range("nope")
    with pytest.raises(InvalidInputError):
        store.aux_range("events", limit=10**6)


BAD_COMMITS: list[tuple[str, Callable[[core.Store], object], type[Exception], str | None]] = [
    ("same version", lambda s: s.commit(5, {b"b": b"2"}), ConflictError, "store.conflict"),
    ("older version", lambda s: s.commit(4, {b"b": b"2"}), ConflictError, "store.conflict"),
    ("negative version", lambda s: s.commit(-1, {b"b": b"2"}), InvalidInputError, "core.invalid_input"),
    ("huge version", lambda s: s.commit(2**64, {b"b": b"2"}), InvalidInputError, "core.invalid_input"),
    ("str version", lambda s: s.commit("6", {b"b": b"2"}), TypeError, None),  # type: ignore[arg-type]
    ("float version", lambda s: s.commit(6.0, {b"b": b"2"}), TypeError, None),  # type: ignore[arg-type]
    ("bool version", lambda s: s.commit(True, {b"b": b"2"}), TypeError, None),
    ("empty key", lambda s: s.commit(6, {b"": b"2"}), InvalidInputError, "core.invalid_input"),
    ("long key", lambda s: s.commit(6, {b"k" * 257: b"2"}), InvalidInputError, "core.invalid_input"),
    ("huge value", lambda s: s.commit(6, {b"b": bytes(core.MAX_STATE_VALUE_LEN + 1)}), InvalidInputError, "core.invalid_input"),
    ("duplicate key", lambda s: s.commit(6, [(b"b", b"1"), (b"b", None)]), InvalidInputError, "core.invalid_input"),
    ("str key", lambda s: s.commit(6, {"b": b"2"}), TypeError, None),  # type: ignore[arg-type]
    ("int value", lambda s: s.commit(6, {b"b": 2}), TypeError, None),  # type: ignore[arg-type]
    ("list key", lambda s: s.commit(6, [([98], b"2")]), TypeError, None),  # type: ignore[list-item]
    ("not pairs", lambda s: s.commit(6, [b"ab"]), TypeError, None),  # type: ignore[list-item]
    ("writes as bytes", lambda s: s.commit(6, b"ab"), TypeError, None),  # type: ignore[arg-type]
    ("writes as int", lambda s: s.commit(6, 5), TypeError, None),  # type: ignore[arg-type]
    ("unknown table", lambda s: s.commit(6, {b"b": b"2"}, [("nope", b"k", b"v")]), InvalidInputError, "core.invalid_input"),
    ("empty aux key", lambda s: s.commit(6, {b"b": b"2"}, [("meta", b"", b"v")]), InvalidInputError, "core.invalid_input"),
    ("long aux key", lambda s: s.commit(6, {}, [("meta", b"k" * 512, b"v")]), InvalidInputError, "core.invalid_input"),
    ("bytes table", lambda s: s.commit(6, {}, [(b"meta", b"k", b"v")]), TypeError, None),  # type: ignore[list-item]
    ("aux pair", lambda s: s.commit(6, {}, [("meta", b"k")]), TypeError, None),  # type: ignore[list-item]
    ("aux as dict", lambda s: s.commit(6, {}, {"meta": b"k"}), TypeError, None),  # type: ignore[dict-item]
    ("aux after bad state", lambda s: s.commit(6, {b"": b"x"}, [("meta", b"k2", b"v")]), InvalidInputError, "core.invalid_input"),
]


@pytest.mark.parametrize("name,call,error,code", BAD_COMMITS, ids=[c[0] for c in BAD_COMMITS])
def test_hostile_commits_fail_with_stable_codes_and_change_nothing(
    store: core.Store, name: str, call: Callable[[core.Store], object], error: type[Exception], code: str | None
) -> None:
    store.commit(5, {b"a": b"1"}, [("meta", b"k", b"v")])
    before = snapshot(store)
    with pytest.raises(error) as info:
        call(store)
    if code is not None:
        assert getattr(info.value, "code") == code
    assert snapshot(store) == before
    store.commit(6, {b"b": b"ok"})  # the store is still fine


@pytest.mark.parametrize(
    "call,error",
    [
        (lambda s: s.get("a"), TypeError),
        (lambda s: s.get(b""), InvalidInputError),
        (lambda s: s.get(b"a" * 300), InvalidInputError),
        (lambda s: s.get(b"a", -1), InvalidInputError),
        (lambda s: s.get(b"a", "1"), TypeError),
        (lambda s: s.get_with_proof(b""), InvalidInputError),
        (lambda s: s.root(-5), InvalidInputError),
        (lambda s: s.aux_get("blocks", b""), InvalidInputError),
        (lambda s: s.aux_get("nope", b"k"), InvalidInputError),
        (lambda s: s.aux_get(b"blocks", b"k"), TypeError),
        (lambda s: s.prune("1"), TypeError),
    ],
)
def test_hostile_reads_fail_with_stable_codes(store: core.Store, call: Callable[[core.Store], object], error: type[Exception]) -> None:
    store.commit(1, {b"a": b"1"})
    with pytest.raises(error) as info:
        call(store)
    if issubclass(error, InvalidInputError):
        assert getattr(info.value, "code") == "core.invalid_input"


def test_bad_options_are_rejected(tmp_path: Path) -> None:
    bad: list[dict[str, Any]] = [
        {"map_size": 4096},
        {"max_readers": 0},
        {"keep_versions": 0},
        {"map_size": MIB, "max_map_size": 512 * 1024},
    ]
    for kwargs in bad:
        with pytest.raises(InvalidInputError):
            core.Store(tmp_path / "db", **kwargs)


def test_closed_store_raises_and_reopens(tmp_path: Path) -> None:
    s = core.Store(tmp_path / "db", durable=False)
    s.commit(1, {b"a": b"1"})
    with pytest.raises(StorageError) as info:
        core.Store(tmp_path / "db")  # one open per directory per process
    assert info.value.code == "store.error"
    s.close()
    s.close()
    with pytest.raises(StorageError) as info:
        s.get(b"a")
    assert info.value.code == "store.error"
    with core.Store(tmp_path / "db") as again:
        assert again.get(b"a") == b"1"


def test_a_full_map_that_cannot_grow_fails_cleanly(tmp_path: Path) -> None:
    small = 256 * 1024
    with core.Store(tmp_path / "db", map_size=small, max_map_size=small) as s:
        s.commit(1, {b"a": b"1"}, [("meta", b"k", b"v")])
        before = snapshot(s)
        big = {i.to_bytes(4, "big"): bytes(1000) for i in range(2000)}
        with pytest.raises(StorageFullError) as info:
            s.commit(2, big, [("blocks", b"2", b"block")])
        assert info.value.code == "store.full"
        assert "max_map_size" in str(info.value)
        assert snapshot(s) == before
        assert s.get((5).to_bytes(4, "big")) is None
        s.commit(2, {b"b": b"fits"})
        assert s.get(b"b") == b"fits"
    # Nothing was corrupted: it reopens with the last good commit.
    with core.Store(tmp_path / "db", map_size=small, max_map_size=small) as s:
        assert s.latest_version() == 2 and s.get(b"b") == b"fits"


def test_a_full_map_grows_and_commits(tmp_path: Path) -> None:
    with core.Store(tmp_path / "db", durable=False, map_size=256 * 1024, max_map_size=64 * MIB) as s:
        big = {i.to_bytes(4, "big"): bytes(1000) for i in range(2000)}
        s.commit(1, big)
        assert s.map_size() > 256 * 1024
        value, proof = s.get_with_proof((1999).to_bytes(4, "big"))
        assert value == bytes(1000)
        core.verify_state_proof(s.root(), (1999).to_bytes(4, "big"), value, proof)


def test_readers_run_concurrently_with_a_writer(tmp_path: Path) -> None:
    # A small map, so the writer also grows it while readers hold transactions.
    s = core.Store(tmp_path / "db", durable=False, map_size=256 * 1024)
    rng = random.Random(8)
    batches = [{b"key%d" % rng.randrange(3000): rng.randbytes(40) for _ in range(100)} for _ in range(60)]
    writer_roots: dict[int, bytes] = {}
    seen: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            local: list[tuple[int, bytes]] = []
            while not done.is_set() or not local:
                latest = s.latest_version()
                if latest is None:
                    continue
                root = s.root(latest)
                value, proof = s.get_with_proof(b"key42", latest)
                core.verify_state_proof(root, b"key42", value, proof)
                local.append((latest, root))
            seen.extend(local)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for version, batch in enumerate(batches, start=1):
        writer_roots[version] = s.commit(version, batch)
    done.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert seen
    for version, root in seen:
        assert writer_roots[version] == root
    assert s.map_size() > 256 * 1024
    s.close()


# --- crash safety -----------------------------------------------------------------------

# The schedule the child commits and the parent replays: one definition, run in both.
SCHEDULE = """
import random

def batch_for(version):
    rng = random.Random(version)
    writes = {}
    for _ in range(120):
        key = b"acct/%05d" % rng.randrange(4000)
        writes[key] = None if rng.random() < 0.15 else rng.randbytes(rng.randrange(1, 64))
    aux = [("blocks", version.to_bytes(8, "big"), b"block-%d" % version)]
    return writes, aux
"""

CHILD = SCHEDULE + """
import sys
import tonomy._core as core

store = core.Store(sys.argv[1], map_size=1 << 20)  # durable, and small so it grows too
version = (store.latest_version() or 0) + 1
print("ready", version, flush=True)
while True:
    writes, aux = batch_for(version)
    store.commit(version, writes, aux)
    version += 1
"""


def load_schedule() -> Callable[[int], tuple[dict[bytes, bytes | None], list[tuple[str, bytes, bytes]]]]:
    namespace: dict[str, Any] = {}
    exec(SCHEDULE, namespace)  # noqa: S102 - our own constant, shared with the child
    return namespace["batch_for"]  # type: ignore[no-any-return]


@pytest.mark.slow
def test_sigkill_during_commits_never_loses_or_corrupts_a_commit(tmp_path: Path) -> None:
    batch_for = load_schedule()
    data = tmp_path / "crashing"
    replay = core.Store(tmp_path / "replay", durable=False)
    replayed = 0
    rng = random.Random(20240611)
    last_latest = 0
    started = time.monotonic()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    for _round in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        assert child.stdout is not None
        line = child.stdout.readline().decode()
        assert line.startswith("ready"), (line, child.stderr.read() if child.stderr else b"")
        assert int(line.split()[1]) == last_latest + 1
        time.sleep(rng.uniform(0.02, 0.35))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL

        with core.Store(data, map_size=1 << 20) as s:
            latest = s.latest_version() or 0
            assert latest >= last_latest, "a committed version disappeared"
            while replayed < latest:
                replayed += 1
                writes, aux = batch_for(replayed)
                replay.commit(replayed, writes, aux)
            # The latest root and every earlier one equal the schedule's.
            for version in range(1, latest + 1):
                assert s.root(version) == replay.root(version), f"version {version} differs"
            assert s.aux_get("blocks", latest.to_bytes(8, "big")) == b"block-%d" % latest
            assert s.aux_get("blocks", (latest + 1).to_bytes(8, "big")) is None
            for key in (b"acct/%05d" % n for n in range(0, 4000, 397) if latest):
                assert s.get(key) == replay.get(key, latest)
                for version in (1, max(1, latest // 2), latest):
                    value, proof = s.get_with_proof(key, version)
                    core.verify_state_proof(replay.root(version), key, value, proof)
        last_latest = latest
    assert last_latest >= 8, "the child committed too little for the test to mean anything"
    replay.close()
    assert time.monotonic() - started < 60
