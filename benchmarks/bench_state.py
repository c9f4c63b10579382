"""Durable state commit: the core Store (sparse Merkle tree + LMDB) against raw LMDB.

Group ``state_commit_10k``: 10,000 seeded random 32-byte keys with 64-byte values,
committed in one durable transaction into a fresh data directory. The core side
computes the state root, writes the tree nodes, the stale index, the latest-value
table and the metadata; the baseline only puts the pairs with py-lmdb (sync on).
Each side records ``updates_per_sec`` from its fastest round.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lmdb
import pytest

import tonomy._core as core

UPDATES = 10_000
ROUNDS = 7


def make_pairs() -> list[tuple[bytes, bytes]]:
    rng = random.Random(10_000)
    return [(rng.randbytes(32), rng.randbytes(64)) for _ in range(UPDATES)]


PAIRS = make_pairs()


def timed(run: Callable[..., Any], timings: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        start = time.perf_counter()
        result = run(*args)
        timings.append(time.perf_counter() - start)
        return result

    return wrapper


@pytest.mark.benchmark(group="state_commit_10k")
def test_state_commit_10k_core(benchmark: Any, tmp_path: Path) -> None:
    benchmark.extra_info["side"] = "core"
    counter = itertools.count()
    stores: list[core.Store] = []
    timings: list[float] = []

    def fresh_store() -> tuple[tuple[core.Store], dict[str, Any]]:
        store = core.Store(tmp_path / f"core{next(counter)}")  # durable by default
        stores.append(store)
        return (store,), {}

    def commit(store: core.Store) -> bytes:
        return store.commit(1, PAIRS)

    root = benchmark.pedantic(timed(commit, timings), setup=fresh_store, rounds=ROUNDS)
    benchmark.extra_info["updates_per_sec"] = round(UPDATES / min(timings))

    last = stores[-1]
    assert last.latest_version() == 1 and last.root() == root
    for key, value in PAIRS[:: UPDATES // 20]:
        got, proof = last.get_with_proof(key)
        assert got == value
        core.verify_state_proof(root, key, value, proof)
    for store in stores:
        store.close()


@pytest.mark.benchmark(group="state_commit_10k")
def test_state_commit_10k_baseline(benchmark: Any, tmp_path: Path) -> None:
    benchmark.extra_info["side"] = "baseline"
    counter = itertools.count()
    envs: list[lmdb.Environment] = []
    timings: list[float] = []

    def fresh_env() -> tuple[tuple[lmdb.Environment], dict[str, Any]]:
        env = lmdb.open(str(tmp_path / f"raw{next(counter)}"), map_size=1 << 30, sync=True, metasync=True)
        envs.append(env)
        return (env,), {}

    def put_all(env: lmdb.Environment) -> int:
        with env.begin(write=True) as txn:
            for key, value in PAIRS:
                txn.put(key, value)
        return int(env.stat()["entries"])

    entries = benchmark.pedantic(timed(put_all, timings), setup=fresh_env, rounds=ROUNDS)
    benchmark.extra_info["updates_per_sec"] = round(UPDATES / min(timings))

    assert entries == UPDATES
    with envs[-1].begin() as txn:
        for key, value in PAIRS[:: UPDATES // 20]:
            assert txn.get(key) == value
    for env in envs:
        env.close()
