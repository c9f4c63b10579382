"""Ed25519: the core's batch verification against a PyNaCl (libsodium) verify loop.

Both sides check the same 1,024 valid signatures on 32-byte messages (transaction
digests are 32 bytes). As smoke tests (``--benchmark-disable``) they assert every
signature verifies.
"""

from __future__ import annotations

import random
from typing import Any

import nacl.signing
import pytest

import tonomy._core as core

COUNT = 1024
Signed = tuple[list[bytes], list[bytes], list[bytes]]


def sign_each(rng: random.Random, seeds: list[bytes]) -> Signed:
    """Keys, fresh random 32-byte messages and their signatures, one per seed."""
    messages = [rng.randbytes(32) for _ in seeds]
    keys = [core.ed25519_public_key(seed) for seed in seeds]
    return keys, messages, [core.ed25519_sign(seed, message) for seed, message in zip(seeds, messages)]


@pytest.fixture(scope="module")
def signed() -> Signed:
    rng = random.Random(1024)
    return sign_each(rng, [rng.randbytes(32) for _ in range(COUNT)])


@pytest.mark.benchmark(group="ed25519_batch_1024")
def test_core_batch_verify(benchmark: Any, signed: Signed) -> None:
    benchmark.extra_info["side"] = "core"
    keys, messages, signatures = signed
    results = benchmark(core.ed25519_verify_batch, keys, messages, signatures)
    assert results == [True] * COUNT


@pytest.mark.benchmark(group="ed25519_batch_1024")
def test_pynacl_verify_loop(benchmark: Any, signed: Signed) -> None:
    benchmark.extra_info["side"] = "baseline"
    keys, messages, signatures = signed
    verify_keys = [nacl.signing.VerifyKey(key) for key in keys]

    def verify_all() -> int:
        verified = 0
        for verify_key, message, signature in zip(verify_keys, messages, signatures):
            verify_key.verify(message, signature)  # raises BadSignatureError if invalid
            verified += 1
        return verified

    assert benchmark(verify_all) == COUNT


# Known senders: 256 active accounts whose keys this process has seen before, one fresh
# signature each (a gossiped batch of transfers). The core decodes each key from its
# process-wide key cache; the baseline decodes every key afresh, as before the cache.
SENDERS = 256


@pytest.fixture(scope="module")
def known_senders() -> Signed:
    rng = random.Random(256)
    seeds = [rng.randbytes(32) for _ in range(SENDERS)]
    # An earlier batch under the same keys (other messages) puts them in the cache.
    assert all(core.ed25519_verify_batch(*sign_each(rng, seeds)))
    return sign_each(rng, seeds)


@pytest.mark.benchmark(group="ed25519_batch_256_known_keys")
def test_batch_verify_with_key_cache(benchmark: Any, known_senders: Signed) -> None:
    benchmark.extra_info["side"] = "core"
    keys, messages, signatures = known_senders
    results = benchmark(core.ed25519_verify_batch, keys, messages, signatures)
    assert results == [True] * SENDERS


@pytest.mark.benchmark(group="ed25519_batch_256_known_keys")
def test_batch_verify_decoding_every_key(benchmark: Any, known_senders: Signed) -> None:
    benchmark.extra_info["side"] = "baseline"
    keys, messages, signatures = known_senders
    results = benchmark(lambda: core.ed25519_verify_batch(keys, messages, signatures, use_key_cache=False))
    assert results == [True] * SENDERS
