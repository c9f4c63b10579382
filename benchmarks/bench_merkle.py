"""Merkle root of 100,000 leaves: the core against the same RFC 6962 computation in
Python on the blake3 package (bottom-up, which builds the same tree). Both sides must
produce the same root; as smoke tests they assert it."""

from __future__ import annotations

import random
from typing import Any

import blake3
import pytest

import tonomy._core as core

COUNT = 100_000
LEAF_PREFIX = b"tonomy/merkle/leaf/v1\x00"
NODE_PREFIX = b"tonomy/merkle/node/v1\x00"


def python_merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 shape with the protocol's domain-separated BLAKE3 (non-empty lists)."""
    level = [blake3.blake3(LEAF_PREFIX + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        parents = [blake3.blake3(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            parents.append(level[-1])  # a lone last node moves up unchanged
        level = parents
    return level[0]


@pytest.fixture(scope="module")
def leaves() -> list[bytes]:
    rng = random.Random(100_000)
    return [rng.randbytes(32) for _ in range(COUNT)]


@pytest.fixture(scope="module")
def expected_root(leaves: list[bytes]) -> bytes:
    return python_merkle_root(leaves)


@pytest.mark.benchmark(group="merkle_root_100k")
def test_core_merkle_root(benchmark: Any, leaves: list[bytes], expected_root: bytes) -> None:
    benchmark.extra_info["side"] = "core"
    assert benchmark(core.merkle_root, leaves) == expected_root


@pytest.mark.benchmark(group="merkle_root_100k")
def test_python_blake3_merkle_root(benchmark: Any, leaves: list[bytes], expected_root: bytes) -> None:
    benchmark.extra_info["side"] = "baseline"
    assert benchmark(python_merkle_root, leaves) == expected_root
