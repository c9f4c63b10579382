"""Ed25519 through the bindings: the public edge-case vectors on both paths, PyNaCl
interop, hostile arguments, and the GIL being released during batch verification.

The vectors are read from the shared test data: ``TONOMY_TESTDATA`` (the ``testdata``
folder or its ``ed25519`` folder), else ``shared/testdata/ed25519`` beside the repository
or one of its ancestors. Missing vectors fail the tests; they are never skipped.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tonomy._core as core
from tonomy.errors import InvalidInputError, InvalidPublicKeyError, InvalidSignatureError

MARKER = "speccheck_cases.json"


def _testdata_dir() -> Path:
    configured = os.environ.get("TONOMY_TESTDATA")
    if configured:
        for candidate in (Path(configured) / "ed25519", Path(configured)):
            if (candidate / MARKER).is_file():
                return candidate
        pytest.fail(f"TONOMY_TESTDATA={configured} holds no ed25519/{MARKER}")
    for ancestor in Path(__file__).resolve().parents:
        candidate = ancestor / "shared" / "testdata" / "ed25519"
        if (candidate / MARKER).is_file():
            return candidate
    pytest.fail(
        "Ed25519 test vectors not found: set TONOMY_TESTDATA to the shared testdata folder, "
        "or place shared/testdata/ed25519 beside the repository"
    )


def _load(name: str) -> Any:
    return json.loads((_testdata_dir() / name).read_text())


@dataclass(frozen=True)
class Vector:
    name: str
    public_key: bytes
    message: bytes
    signature: bytes
    valid: bool


# Our rule set (docs/signatures.md): cofactored equation, small-order A/R, non-canonical
# A/R and S >= l rejected. Speccheck: only the mixed-order cases 3, 4, 5 are valid.
SPECCHECK_VALID = [False, False, False, True, True, True, False, False, False, False, False, False]
CCTV_REJECTING_FLAGS = {"low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R"}


def speccheck() -> list[Vector]:
    cases = _load("speccheck_cases.json")
    assert len(cases) == len(SPECCHECK_VALID)
    return [
        Vector(f"speccheck {i}", bytes.fromhex(c["pub_key"]), bytes.fromhex(c["message"]),
               bytes.fromhex(c["signature"]), SPECCHECK_VALID[i])
        for i, c in enumerate(cases)
    ]


def wycheproof() -> list[Vector]:
    data = _load("wycheproof_ed25519_test.json")
    out = []
    for group in data["testGroups"]:
        key = bytes.fromhex(group["publicKey"]["pk"])
        for test in group["tests"]:
            assert test["result"] in ("valid", "invalid")
            out.append(Vector(f"wycheproof {test['tcId']} {test['flags']}", key, bytes.fromhex(test["msg"]),
                              bytes.fromhex(test["sig"]), test["result"] == "valid"))
    assert len(out) == data["numberOfTests"]
    return out


def cctv() -> list[Vector]:
    vectors = _load("cctv_ed25519vectors.json")
    assert len(vectors) == 914
    return [
        Vector(f"cctv {v['number']} {v['flags']}", bytes.fromhex(v["key"]), v["msg"].encode(),
               bytes.fromhex(v["sig"]), not (set(v["flags"] or []) & CCTV_REJECTING_FLAGS))
        for v in vectors
    ]


def _single(v: Vector, use_key_cache: bool = True) -> bool:
    try:
        core.ed25519_verify(v.public_key, v.message, v.signature, use_key_cache=use_key_cache)
    except (InvalidPublicKeyError, InvalidSignatureError):
        return False
    return True


def _batch(vectors: list[Vector], use_key_cache: bool = True) -> list[bool]:
    return core.ed25519_verify_batch(
        [v.public_key for v in vectors], [v.message for v in vectors], [v.signature for v in vectors],
        use_key_cache=use_key_cache,
    )


def _honest(i: int) -> Vector:
    seed = (i % 251).to_bytes(1, "little") * 32
    message = f"honest {i}".encode()
    return Vector(f"honest {i}", core.ed25519_public_key(seed), message, core.ed25519_sign(seed, message), True)


@pytest.mark.parametrize("use_key_cache", [False, True], ids=["fresh_keys", "cached_keys"])
@pytest.mark.parametrize("source", [speccheck, wycheproof, cctv], ids=["speccheck", "wycheproof", "cctv"])
def test_vectors_single_and_batch_follow_the_rule_set(source: Any, use_key_cache: bool) -> None:
    vectors: list[Vector] = source()
    assert any(v.valid for v in vectors) and any(not v.valid for v in vectors)
    expected = [v.valid for v in vectors]
    for _ in range(2):  # with the cache: cold, then every key already seen
        single = [_single(v, use_key_cache) for v in vectors]
        wrong = [v.name for v, got in zip(vectors, single) if got != v.valid]
        assert not wrong, f"single path disagrees with the rule set on {wrong}"
        assert _batch(vectors, use_key_cache) == expected
        assert [_batch([v], use_key_cache) for v in vectors] == [[v.valid] for v in vectors]
        # Edge cases hidden among honest signatures, so batches fail and are narrowed down.
        mixed = [w for i, v in enumerate(vectors) for w in (_honest(i), v, _honest(i + 1))]
        assert _batch(mixed, use_key_cache) == [w.valid for w in mixed]


def _undecodable_neighbour(key: bytes) -> bytes:
    """``key`` with its first byte changed until it is no valid key (same last 31 bytes)."""
    for first in range(256):
        candidate = bytes([first]) + key[1:]
        try:
            core.ed25519_verify(candidate, b"", bytes(64), use_key_cache=False)
        except InvalidPublicKeyError:
            return candidate
        except InvalidSignatureError:
            continue
    raise AssertionError("every first-byte variant decodes")


def test_cached_keys_answer_only_for_their_own_bytes() -> None:
    """A bad key sharing 31 bytes with a good one is cached first; the good key's
    signatures must still verify and the bad key's fail with its own error, whichever
    path and order (a cache keyed by part of the key would answer wrongly here)."""
    seed = b"\x5c" * 32
    good = core.ed25519_public_key(seed)
    bad = _undecodable_neighbour(good)
    messages = [f"m{i}".encode() for i in range(90)]
    sigs = [core.ed25519_sign(seed, m) for m in messages]
    keys = [bad if i % 3 == 1 else good for i in range(len(messages))]
    assert core.ed25519_verify_batch([bad], [b"x"], [sigs[0]]) == [False]
    expected = [key == good for key in keys]
    for use_key_cache in (True, False, True):
        assert core.ed25519_verify_batch(keys, messages, sigs, use_key_cache=use_key_cache) == expected
    for key, message, sig in zip(keys, messages, sigs):
        if key == good:
            core.ed25519_verify(key, message, sig)
        else:
            with pytest.raises(InvalidPublicKeyError):
                core.ed25519_verify(key, message, sig)


def test_batch_thread_cap_is_a_process_setting_that_changes_no_verdict() -> None:
    default = core.ed25519_batch_threads()
    assert default >= 1
    vectors = [_honest(i) for i in range(200)]
    vectors[77] = Vector("broken", vectors[77].public_key, b"other", vectors[77].signature, False)
    try:
        for cap in (1, 2, 3):
            core.ed25519_set_batch_threads(cap)
            assert core.ed25519_batch_threads() == cap
            assert _batch(vectors) == [v.valid for v in vectors]
        core.ed25519_set_batch_threads(0)
        assert core.ed25519_batch_threads() == default
    finally:
        core.ed25519_set_batch_threads(0)
    with pytest.raises(OverflowError):
        core.ed25519_set_batch_threads(-1)


@pytest.mark.parametrize(("setting", "expected"), [("1", 1), ("3", 3), ("0", None), ("many", None), ("", None)])
def test_batch_thread_default_comes_from_the_environment(setting: str, expected: int | None) -> None:
    """A positive integer in TONOMY_SIGNATURE_THREADS is a process's default cap; anything
    else leaves one thread per core."""

    def threads_with(setting: str | None) -> int:
        env = {k: v for k, v in os.environ.items() if k != "TONOMY_SIGNATURE_THREADS"}
        if setting is not None:
            env["TONOMY_SIGNATURE_THREADS"] = setting
        code = "import tonomy._core as c; print(c.ed25519_batch_threads())"
        return int(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)

    assert threads_with(setting) == (expected if expected is not None else threads_with(None))


def test_speccheck_rejections_carry_the_right_error_class() -> None:
    vectors = speccheck()
    for case, error in [(0, InvalidPublicKeyError), (1, InvalidPublicKeyError), (2, InvalidSignatureError),
                        (6, InvalidSignatureError), (7, InvalidSignatureError), (8, InvalidSignatureError),
                        (9, InvalidSignatureError), (10, InvalidPublicKeyError), (11, InvalidPublicKeyError)]:
        v = vectors[case]
        with pytest.raises(error) as info:
            core.ed25519_verify(v.public_key, v.message, v.signature)
        assert info.value.code == error.code


def test_pynacl_interop_both_ways() -> None:
    rng = random.Random(8032)
    for _ in range(64):
        seed = rng.randbytes(32)
        message = rng.randbytes(rng.randrange(0, 300))
        nacl_key = nacl.signing.SigningKey(seed)
        assert core.ed25519_public_key(seed) == bytes(nacl_key.verify_key)
        ours = core.ed25519_sign(seed, message)
        theirs = nacl_key.sign(message).signature
        assert ours == theirs  # RFC 8032 signing is deterministic
        nacl_key.verify_key.verify(message, ours)
        core.ed25519_verify(bytes(nacl_key.verify_key), message, theirs)
        with pytest.raises(nacl.exceptions.BadSignatureError):
            nacl_key.verify_key.verify(message + b"!", ours)
        with pytest.raises(InvalidSignatureError):
            core.ed25519_verify(bytes(nacl_key.verify_key), message + b"!", theirs)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    data=st.lists(
        st.tuples(st.binary(min_size=32, max_size=32), st.binary(max_size=64),
                  st.sampled_from(["none", "msg", "sig", "key", "s_plus_l", "truncate"]), st.integers(0, 511)),
        max_size=70,
    )
)
def test_batch_equals_single_on_random_corruptions(data: list[tuple[bytes, bytes, str, int]]) -> None:
    order = (2**252 + 27742317777372353535851937790883648493)
    keys, msgs, sigs = [], [], []
    for seed, message, corruption, bit in data:
        key, sig = core.ed25519_public_key(seed), bytearray(core.ed25519_sign(seed, message))
        if corruption == "msg":
            message += b"\x00"
        elif corruption == "sig":
            sig[bit // 8] ^= 1 << (bit % 8)
        elif corruption == "key":
            key = bytes(b ^ (1 if i == bit % 32 else 0) for i, b in enumerate(key))
        elif corruption == "s_plus_l":
            sig[32:] = (int.from_bytes(sig[32:], "little") + order).to_bytes(32, "little")
        elif corruption == "truncate":
            sig = sig[: bit % 64]
        keys.append(key)
        msgs.append(message)
        sigs.append(bytes(sig))
    single = [_single(Vector("", k, m, s, True), use_key_cache=False) for k, m, s in zip(keys, msgs, sigs)]
    assert core.ed25519_verify_batch(keys, msgs, sigs) == single
    assert [_single(Vector("", k, m, s, True)) for k, m, s in zip(keys, msgs, sigs)] == single
    assert all(single[i] for i, d in enumerate(data) if d[2] == "none")
    assert not any(single[i] for i, d in enumerate(data) if d[2] in ("msg", "s_plus_l", "truncate"))


@pytest.mark.parametrize("seed", [b"", b"\x00" * 31, b"\x00" * 33])
def test_wrong_seed_sizes_are_invalid_input(seed: bytes) -> None:
    with pytest.raises(InvalidInputError):
        core.ed25519_public_key(seed)
    with pytest.raises(InvalidInputError):
        core.ed25519_sign(seed, b"m")


def test_hostile_verify_arguments_give_coded_errors() -> None:
    seed = bytes(32)
    key, sig = core.ed25519_public_key(seed), core.ed25519_sign(seed, b"m")
    for bad_key in (b"", key[:31], key + b"\x00", b"\xff" * 32):
        with pytest.raises(InvalidPublicKeyError) as info:
            core.ed25519_verify(bad_key, b"m", sig)
        assert info.value.code == "crypto.invalid_public_key"
    for bad_sig in (b"", sig[:63], sig + b"\x00", b"\x00" * 64):
        with pytest.raises(InvalidSignatureError) as info2:
            core.ed25519_verify(key, b"m", bad_sig)
        assert info2.value.code == "crypto.invalid_signature"
    with pytest.raises(TypeError):
        core.ed25519_verify("key", b"m", sig)  # type: ignore[arg-type]


def test_batch_argument_checks() -> None:
    seed = bytes(32)
    key, sig = core.ed25519_public_key(seed), core.ed25519_sign(seed, b"m")
    assert core.ed25519_verify_batch([], [], []) == []
    assert core.ed25519_verify_batch((key, key[:5]), (b"m", b"m"), (sig, sig)) == [True, False]
    assert core.ed25519_verify_batch(iter([key]), [b"m"], [sig]) == [True]  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        core.ed25519_verify_batch([key, key], [b"m"], [sig, sig])
    with pytest.raises(InvalidInputError):
        core.ed25519_verify_batch([key], [b"m"], [])
    with pytest.raises(TypeError):
        core.ed25519_verify_batch(key, [b"m"], [sig])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        core.ed25519_verify_batch([key], ["m"], [sig])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        core.ed25519_verify_batch([key], [bytearray(b"m")], [sig])  # type: ignore[list-item]


def test_batch_verify_releases_the_gil() -> None:
    distinct = 64
    seeds = [i.to_bytes(32, "little") for i in range(distinct)]
    keys = [core.ed25519_public_key(s) for s in seeds]
    sigs = [core.ed25519_sign(s, b"gil") for s in seeds]

    ticks: list[int] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter_ns())
            time.sleep(0.0005)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.01)
        count = 16384
        while True:  # grow the batch until the call is long enough to observe
            batch_keys = [keys[i % distinct] for i in range(count)]
            batch_sigs = [sigs[i % distinct] for i in range(count)]
            start = time.perf_counter_ns()
            results = core.ed25519_verify_batch(batch_keys, [b"gil"] * count, batch_sigs)
            end = time.perf_counter_ns()
            if end - start > 50_000_000 or count >= 1 << 20:
                break
            count *= 4
    finally:
        stop.set()
        thread.join()
    assert results == [True] * count
    duration = end - start
    # With the GIL held the ticker could only run within one switch interval of either end.
    middle = [t for t in ticks if start + duration // 4 < t < end - duration // 4]
    assert len(middle) >= 5, f"only {len(middle)} ticks during the middle half of a {duration / 1e6:.0f} ms call"
