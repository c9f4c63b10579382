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


@pytest.fixture(scope="module")
def signed() -> tuple[list[bytes], list[bytes], list[bytes]]:
    rng = random.Random(1024)
    seeds = [rng.randbytes(32) for _ in range(COUNT)]
    messages = [rng.randbytes(32) for _ in range(COUNT)]
    keys = [core.ed25519_public_key(seed) for seed in seeds]
    signatures = [core.ed25519_sign(seed, message) for seed, message in zip(seeds, messages)]
    return keys, messages, signatures


@pytest.mark.benchmark(group="ed25519_batch_1024")
def test_core_batch_verify(benchmark: Any, signed: tuple[list[bytes], list[bytes], list[bytes]]) -> None:
    benchmark.extra_info["side"] = "core"
    keys, messages, signatures = signed
    results = benchmark(core.ed25519_verify_batch, keys, messages, signatures)
    assert results == [True] * COUNT


@pytest.mark.benchmark(group="ed25519_batch_1024")
def test_pynacl_verify_loop(benchmark: Any, signed: tuple[list[bytes], list[bytes], list[bytes]]) -> None:
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
def known_senders() -> tuple[list[bytes], list[bytes], list[bytes]]:
    rng = random.Random(256)
    seeds = [rng.randbytes(32) for _ in range(SENDERS)]
    messages = [rng.randbytes(32) for _ in range(SENDERS)]
    keys = [core.ed25519_public_key(seed) for seed in seeds]
    signatures = [core.ed25519_sign(seed, message) for seed, message in zip(seeds, messages)]
    # An earlier batch under the same keys (other messages) puts them in the cache.
    earlier = [rng.randbytes(32) for _ in range(SENDERS)]
    assert all(core.ed25519_verify_batch(keys, earlier, [core.ed25519_sign(s, m) for s, m in zip(seeds, earlier)]))
    return keys, messages, signatures


@pytest.mark.benchmark(group="ed25519_batch_256_known_keys")
def test_batch_verify_with_key_cache(benchmark: Any, known_senders: tuple[list[bytes], list[bytes], list[bytes]]) -> None:
    benchmark.extra_info["side"] = "core"
    keys, messages, signatures = known_senders
    results = benchmark(core.ed25519_verify_batch, keys, messages, signatures)
    assert results == [True] * SENDERS


@pytest.mark.benchmark(group="ed25519_batch_256_known_keys")
def test_batch_verify_decoding_every_key(benchmark: Any, known_senders: tuple[list[bytes], list[bytes], list[bytes]]) -> None:
    benchmark.extra_info["side"] = "baseline"
    keys, messages, signatures = known_senders
    results = benchmark(lambda: core.ed25519_verify_batch(keys, messages, signatures, use_key_cache=False))
    assert results == [True] * SENDERS
