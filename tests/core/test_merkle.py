"""Merkle roots and proofs through the bindings, against a Python RFC 6962 reference
built on the blake3 package, plus hostile proofs and arguments."""

from __future__ import annotations

import random

import blake3
import pytest

import tonomy._core as core
from tonomy.errors import InvalidInputError, InvalidProofError


def _tagged(tag: bytes, data: bytes) -> bytes:
    return blake3.blake3(tag + b"\x00" + data).digest()


def ref_leaf(data: bytes) -> bytes:
    return _tagged(b"tonomy/merkle/leaf/v1", data)


def ref_node(left: bytes, right: bytes) -> bytes:
    return _tagged(b"tonomy/merkle/node/v1", left + right)


def _split(n: int) -> int:
    """Largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def ref_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return _tagged(b"tonomy/merkle/empty/v1", b"")
    if len(leaves) == 1:
        return ref_leaf(leaves[0])
    k = _split(len(leaves))
    return ref_node(ref_root(leaves[:k]), ref_root(leaves[k:]))


def ref_path(index: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return ref_path(index, leaves[:k]) + [ref_root(leaves[k:])]
    return ref_path(index - k, leaves[k:]) + [ref_root(leaves[:k])]


def ref_root_iterative(leaves: list[bytes]) -> bytes:
    """The same tree bottom-up (used for large lists, where recursion would be slow)."""
    level = [ref_leaf(x) for x in leaves]
    while len(level) > 1:
        paired = [ref_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + (level[-1:] if len(level) % 2 else [])
    return level[0] if level else ref_root([])


def _leaves(rng: random.Random, n: int) -> list[bytes]:
    return [rng.randbytes(rng.randrange(0, 48)) for _ in range(n)]


def test_roots_and_proofs_match_the_reference() -> None:
    rng = random.Random(6962)
    for n in list(range(0, 70)) + [127, 128, 129, 300]:
        leaves = _leaves(rng, n)
        root = core.merkle_root(leaves)
        assert root == ref_root(leaves), n
        for index in range(n) if n < 70 else rng.sample(range(n), 10):
            proof = core.merkle_proof(leaves, index)
            assert proof == ref_path(index, leaves), (n, index)
            core.merkle_verify(root, leaves[index], index, n, proof)


def test_large_list_uses_the_same_tree() -> None:
    rng = random.Random(1)
    leaves = [rng.randbytes(32) for _ in range(20_000)]  # above the threaded threshold
    root = core.merkle_root(leaves)
    assert root == ref_root_iterative(leaves)
    index = 12_345
    proof = core.merkle_proof(leaves, index)
    core.merkle_verify(root, leaves[index], index, len(leaves), proof)
    assert core.merkle_root(tuple(leaves)) == root
    assert core.merkle_root(iter(leaves)) == root  # type: ignore[arg-type]


def test_a_leaf_cannot_pose_as_a_node() -> None:
    a, b = b"a", b"b"
    two = core.merkle_root([a, b])
    assert two == ref_node(ref_leaf(a), ref_leaf(b))
    assert core.merkle_root([ref_leaf(a) + ref_leaf(b)]) != two


def _rejects(root: bytes, leaf: bytes, index: int, count: int, proof: list[bytes]) -> None:
    with pytest.raises(InvalidProofError) as info:
        core.merkle_verify(root, leaf, index, count, proof)
    assert info.value.code == "proof.invalid"


def test_hostile_proofs_are_rejected_with_a_code() -> None:
    rng = random.Random(9)
    leaves = _leaves(rng, 11)
    root = core.merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = core.merkle_proof(leaves, index)
        _rejects(root, leaf + b"x", index, 11, proof)
        _rejects(bytes(32), leaf, index, 11, proof)
        _rejects(root, leaf, 11, 11, proof)
        _rejects(root, leaf, 2**64 - 1, 11, proof)
        _rejects(root, leaf, -1, 11, proof)
        _rejects(root, leaf, index, 0, proof)
        _rejects(root, leaf, index, 2**64, proof)
        _rejects(root, leaf, index, 11, proof[:-1])
        _rejects(root, leaf, index, 11, proof + [bytes(32)])
        _rejects(root, leaf, index, 11, proof[:-1] + [proof[-1][:31]])
        _rejects(root, leaf, index, 11, proof[:-1] + [proof[-1] + b"\x00"])
        _rejects(root, leaf, index, 11, [bytes(32)] * 100)
        for position in range(len(proof)):
            tampered = list(proof)
            tampered[position] = bytes([tampered[position][0] ^ 1]) + tampered[position][1:]
            _rejects(root, leaf, index, 11, tampered)
        for other in range(11):
            if other != index:
                _rejects(root, leaf, other, 11, proof)
    _rejects(core.merkle_root([]), b"", 0, 0, [])


def test_hostile_arguments() -> None:
    leaves = [b"a", b"b", b"c"]
    root = core.merkle_root(leaves)
    proof = core.merkle_proof(leaves, 0)
    with pytest.raises(InvalidInputError):
        core.merkle_verify(root[:31], b"a", 0, 3, proof)
    with pytest.raises(InvalidInputError):
        core.merkle_proof(leaves, 3)
    with pytest.raises(InvalidInputError):
        core.merkle_proof([], 0)
    with pytest.raises(InvalidInputError):
        core.merkle_proof(leaves, -1)
    with pytest.raises(TypeError):
        core.merkle_root(b"abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core.merkle_root(["a"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        core.merkle_verify(root, b"a", 0, 3, [1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        core.merkle_verify(root, b"a", "0", 3, proof)  # type: ignore[arg-type]
    core.merkle_verify(root, b"a", 0, 3, proof)
