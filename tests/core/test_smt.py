"""State proofs and roots through the bindings, checked against a pure-Python reading of
the specification in docs/state.md (blake3 package, no core code)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import blake3
import pytest

import tonomy._core as core
from tonomy.errors import InvalidInputError, InvalidProofError


# --- the specification, independently -------------------------------------------------


def tagged(tag: str, *parts: bytes) -> bytes:
    return blake3.blake3(tag.encode() + b"\x00" + b"".join(parts)).digest()


EMPTY = tagged("tonomy/state/empty/v1")


def key_path(key: bytes) -> bytes:
    return tagged("tonomy/state/key/v1", key)


def value_hash(value: bytes) -> bytes:
    return tagged("tonomy/state/value/v1", value)


def leaf_hash(path: bytes, vhash: bytes) -> bytes:
    return tagged("tonomy/state/leaf/v1", path, vhash)


def node_hash(left: bytes, right: bytes) -> bytes:
    return tagged("tonomy/state/node/v1", left, right)


def bit(path: bytes, depth: int) -> int:
    return (path[depth // 8] >> (7 - depth % 8)) & 1


def reference_root(state: dict[bytes, bytes]) -> bytes:
    leaves = sorted((key_path(k), value_hash(v)) for k, v in state.items())

    def subtree(items: list[tuple[bytes, bytes]], depth: int) -> bytes:
        if not items:
            return EMPTY
        if len(items) == 1:
            return leaf_hash(*items[0])
        left = [item for item in items if bit(item[0], depth) == 0]
        right = [item for item in items if bit(item[0], depth) == 1]
        return node_hash(subtree(left, depth + 1), subtree(right, depth + 1))

    return subtree(leaves, 0)


def reference_verify(root: bytes, key: bytes, value: bytes | None, proof: bytes) -> bool:
    """The proof format as documented: header, bitmap, optional leaf, non-empty siblings."""
    if len(proof) < 4 or proof[0] != 1 or proof[1] not in (0, 1):
        return False
    depth = int.from_bytes(proof[2:4], "big")
    if depth > 256:
        return False
    at = 4 + (depth + 7) // 8
    bitmap = proof[4:at]
    leaf = None
    if proof[1] == 1:
        leaf = (proof[at : at + 32], proof[at + 32 : at + 64])
        at += 64
    siblings = []
    for i in range(depth):
        if bitmap[i // 8] & (0x80 >> (i % 8)):
            siblings.append(proof[at : at + 32])
            at += 32
        else:
            siblings.append(EMPTY)
    if at != len(proof):
        return False
    path = key_path(key)
    if leaf is None:
        if value is not None:
            return False
        h = EMPTY
    else:
        lpath, lvalue = leaf
        if value is not None and (lpath != path or lvalue != value_hash(value)):
            return False
        if value is None and (lpath == path or any(bit(lpath, d) != bit(path, d) for d in range(depth))):
            return False
        h = leaf_hash(lpath, lvalue)
    for depth_i in reversed(range(depth)):
        h = node_hash(siblings[depth_i], h) if bit(path, depth_i) else node_hash(h, siblings[depth_i])
    return h == root


# --- fixtures ---------------------------------------------------------------------------


def random_state_batches(seed: int, versions: int, size: int) -> Iterator[dict[bytes, bytes | None]]:
    rng = random.Random(seed)
    for _ in range(versions):
        batch: dict[bytes, bytes | None] = {}
        for _ in range(size):
            key = b"acct/%d" % rng.randrange(400)
            batch[key] = None if rng.random() < 0.2 else rng.randbytes(rng.randrange(0, 48))
        yield batch


@pytest.fixture
def store(tmp_path: Path) -> Iterator[core.Store]:
    s = core.Store(tmp_path / "db", durable=False, map_size=16 << 20)
    yield s
    s.close()


# --- tests ------------------------------------------------------------------------------


def test_empty_root_is_the_tagged_empty_hash() -> None:
    assert core.empty_state_root() == EMPTY == reference_root({})


def test_roots_match_the_specification(store: core.Store) -> None:
    state: dict[bytes, bytes] = {}
    for version, batch in enumerate(random_state_batches(1, 12, 60), start=1):
        root = store.commit(version, batch)
        for key, value in batch.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
        assert root == reference_root(state) == store.root(version)


def test_proofs_verify_in_the_core_and_in_the_reference(store: core.Store) -> None:
    state: dict[bytes, bytes] = {}
    for version, batch in enumerate(random_state_batches(2, 5, 80), start=1):
        store.commit(version, batch)
        state.update({k: v for k, v in batch.items() if v is not None})
        for key in [k for k, v in batch.items() if v is None]:
            state.pop(key, None)
    root = store.root()
    kinds = set()
    for n in range(400):
        key = b"acct/%d" % n
        value, proof = store.get_with_proof(key)
        assert value == state.get(key)
        core.verify_state_proof(root, key, value, proof)
        assert reference_verify(root, key, value, proof)
        kinds.add((value is None, proof[1]))
        # A proof never speaks for another value, another key or another root.
        with pytest.raises(InvalidProofError) as info:
            core.verify_state_proof(root, key, (value or b"") + b"!", proof)
        assert info.value.code == "proof.invalid"
        if value is not None:
            with pytest.raises(InvalidProofError):
                core.verify_state_proof(root, key, None, proof)
            with pytest.raises(InvalidProofError):
                core.verify_state_proof(root, key + b"x", value, proof)
        # (An exclusion proof may rightly cover another absent key on the same path.)
        with pytest.raises(InvalidProofError):
            core.verify_state_proof(store.root(1), key, value, proof)
    # Inclusion, exclusion by empty subtree and exclusion by another leaf all occurred.
    assert {(False, 1), (True, 0), (True, 1)} <= kinds


def test_historical_proofs_verify_against_their_own_root(store: core.Store) -> None:
    roots = {}
    for version in range(1, 6):
        roots[version] = store.commit(version, {b"k": b"v%d" % version, b"other%d" % version: b"x"})
    for version, root in roots.items():
        value, proof = store.get_with_proof(b"k", version)
        assert value == b"v%d" % version
        core.verify_state_proof(root, b"k", value, proof)
        assert store.get(b"k", version) == value


def test_order_within_a_batch_does_not_change_the_root(tmp_path: Path) -> None:
    rng = random.Random(9)
    pairs = [(b"key%d" % i, rng.randbytes(20) if i % 5 else None) for i in range(300)]
    roots = set()
    for attempt in range(4):
        shuffled = pairs[:]
        rng.shuffle(shuffled)
        with core.Store(tmp_path / f"db{attempt}", durable=False, map_size=16 << 20) as s:
            s.commit(1, {b"key7": b"old", b"key10": b"old"})
            roots.add(s.commit(2, shuffled))
    assert len(roots) == 1


def test_garbage_proofs_are_invalid_proofs_never_crashes(store: core.Store) -> None:
    root = store.commit(1, {b"acct/%d" % i: b"v%d" % i for i in range(200)})
    value, proof = store.get_with_proof(b"acct/5")
    assert value == b"v5"
    candidates = [b"", b"\x01", proof[:-1], proof + b"\x00", b"\x02" + proof[1:], b"\xff" * 9000]
    candidates += [proof[:cut] for cut in range(len(proof))]
    rng = random.Random(4)
    for _ in range(300):
        flipped = bytearray(proof)
        flipped[rng.randrange(len(proof))] ^= 1 << rng.randrange(8)
        candidates.append(bytes(flipped))
        candidates.append(b"\x01" + rng.randbytes(rng.randrange(0, 400)))
    for bad in candidates:
        with pytest.raises(InvalidProofError) as info:
            core.verify_state_proof(root, b"acct/5", value, bad)
        assert info.value.code == "proof.invalid"


def test_bad_arguments_have_stable_errors() -> None:
    root = core.empty_state_root()
    empty_proof = bytes([1, 0, 0, 0])
    core.verify_state_proof(root, b"k", None, empty_proof)
    for bad_root in (b"", b"\x00" * 31, b"\x00" * 33):
        with pytest.raises(InvalidInputError) as info:
            core.verify_state_proof(bad_root, b"k", None, empty_proof)
        assert info.value.code == "core.invalid_input"
    for bad_key in (b"", b"k" * (core.MAX_STATE_KEY_LEN + 1)):
        with pytest.raises(InvalidInputError):
            core.verify_state_proof(root, bad_key, None, empty_proof)
    with pytest.raises(TypeError):
        core.verify_state_proof("root", b"k", None, empty_proof)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core.verify_state_proof(root, "k", None, empty_proof)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core.verify_state_proof(root, b"k", 5, empty_proof)  # type: ignore[arg-type]
