"""Argon2id parameters: the floor refuses downgrades, the ceiling refuses bombs."""

from __future__ import annotations

import time

import pytest

from tonomy.errors import InvalidKdfError, WeakKdfError
from tonomy.wallet import FLOOR, PASSPHRASE_DEFAULT, PIN_DEFAULT, KdfParams, derive_root_seed, generate_passphrase
from tonomy.wallet.kdf import CEILING_MEMORY, CEILING_OPS, FLOOR_MEMORY, FLOOR_OPS, MIB, derive_key

NETWORK_ID = bytes(range(32))


def test_floor_is_argon2id_3_passes_64_mib() -> None:
    assert (FLOOR.algorithm, FLOOR.ops, FLOOR.memory) == ("argon2id13", 3, 64 * MIB)
    assert FLOOR.check() is FLOOR
    for params in (PASSPHRASE_DEFAULT, PIN_DEFAULT):
        assert params.check() is params
        assert params.ops >= FLOOR_OPS and params.memory >= FLOOR_MEMORY


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(ops=2, memory=64 * MIB),
        KdfParams(ops=3, memory=64 * MIB - 1024),
        KdfParams(ops=1, memory=8 * 1024),
        KdfParams(ops=3, memory=64 * MIB, algorithm="argon2i13"),
        KdfParams(ops=3, memory=64 * MIB, algorithm="scrypt"),
        KdfParams(ops=3, memory=64 * MIB, algorithm=""),
    ],
)
def test_below_the_floor_or_another_algorithm_is_weak(params: KdfParams) -> None:
    with pytest.raises(WeakKdfError) as err:
        params.check()
    assert err.value.code == "wallet.weak_kdf"
    start = time.perf_counter()
    with pytest.raises(WeakKdfError):
        derive_root_seed(generate_passphrase(), "alice", NETWORK_ID, params)
    with pytest.raises(WeakKdfError):
        derive_key(b"123456", bytes(16), params)
    assert time.perf_counter() - start < 0.05, "refused before any Argon2id work"


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(ops=CEILING_OPS + 1, memory=64 * MIB),
        KdfParams(ops=3, memory=CEILING_MEMORY + 1024),
        KdfParams(ops=3, memory=64 * MIB + 1),  # not whole KiB
        KdfParams(ops=3.0, memory=64 * MIB),  # type: ignore[arg-type]
        KdfParams(ops=3, memory="67108864"),  # type: ignore[arg-type]
    ],
)
def test_malformed_or_above_the_ceiling_is_invalid(params: KdfParams) -> None:
    with pytest.raises(InvalidKdfError) as err:
        params.check()
    assert err.value.code == "wallet.invalid_kdf"


@pytest.mark.parametrize(
    "raw, error",
    [
        ({"algorithm": "argon2id13", "ops": 3, "memory": 64 * MIB}, None),
        ({"algorithm": "argon2id13", "ops": 2, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": 3, "memory": 32 * MIB}, WeakKdfError),
        ({"algorithm": "argon2i13", "ops": 3, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": None, "ops": 3, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": True, "memory": 64 * MIB}, InvalidKdfError),
        ({"algorithm": "argon2id13", "ops": 3, "memory": 1 << 60}, InvalidKdfError),
        ({"algorithm": "argon2id13", "ops": 3}, InvalidKdfError),
        ({"algorithm": "argon2id13", "ops": 3, "memory": 64 * MIB, "salt": "00"}, InvalidKdfError),
        ([], InvalidKdfError),
        (None, InvalidKdfError),
    ],
)
def test_parameters_from_untrusted_json(raw: object, error: type[Exception] | None) -> None:
    if error is None:
        assert KdfParams.from_dict(raw) == FLOOR
        assert KdfParams.from_dict(FLOOR.to_dict()) == FLOOR
    else:
        with pytest.raises(error):
            KdfParams.from_dict(raw)


def test_salt_must_be_16_bytes() -> None:
    for salt in (b"", bytes(15), bytes(17)):
        with pytest.raises(InvalidKdfError):
            derive_key(b"x", salt, FLOOR)


def test_cost_parameters_change_the_key() -> None:
    a = derive_key(b"secret", bytes(16), FLOOR)
    assert a == derive_key(b"secret", bytes(16), FLOOR)
    assert a != derive_key(b"secret", bytes(16), KdfParams(ops=4, memory=64 * MIB))
    assert a != derive_key(b"secret", bytes(16), KdfParams(ops=3, memory=65 * MIB))
    assert a != derive_key(b"secret", bytes([1]) + bytes(15), FLOOR)
    assert len(a) == 32
