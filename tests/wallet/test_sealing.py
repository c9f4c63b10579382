"""XChaCha20-Poly1305 with (version, identity, purpose) bound as associated data."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from tonomy.errors import KeystoreCorruptError, KeystoreTamperedError
from tonomy.wallet.sealing import Sealed, SealContext, open_sealed, seal

KEY = os.urandom(32)
CONTEXT = SealContext(1, "15497b5a42b44792d9d955e64b5ff5a1", "root-seed")


def test_round_trip_and_fresh_nonces() -> None:
    a = seal(KEY, b"seed" * 8, CONTEXT)
    b = seal(KEY, b"seed" * 8, CONTEXT)
    assert a.nonce != b.nonce and a.ciphertext != b.ciphertext
    assert open_sealed(KEY, a, CONTEXT) == b"seed" * 8
    assert len(a.ciphertext) == 32 + 16
    assert Sealed.from_dict(a.to_dict(), "x") == a


@pytest.mark.parametrize(
    "other",
    [
        replace(CONTEXT, version=2),
        replace(CONTEXT, identity_id="25497b5a42b44792d9d955e64b5ff5a1"),
        replace(CONTEXT, purpose="device-key"),
        replace(CONTEXT, purpose="root-see"),
    ],
)
def test_same_key_other_context_fails(other: SealContext) -> None:
    sealed = seal(KEY, b"secret", CONTEXT)
    with pytest.raises(KeystoreTamperedError) as err:
        open_sealed(KEY, sealed, other)
    assert err.value.code == "wallet.keystore_tampered"


def test_context_fields_cannot_slide_into_each_other() -> None:
    # "ab" + "c" and "a" + "bc" must give different associated data.
    assert SealContext(1, "ab", "c").associated_data() != SealContext(1, "a", "bc").associated_data()
    sealed = seal(KEY, b"secret", SealContext(1, "ab", "c"))
    with pytest.raises(KeystoreTamperedError):
        open_sealed(KEY, sealed, SealContext(1, "a", "bc"))


def test_wrong_key_or_flipped_bit_fails() -> None:
    sealed = seal(KEY, b"secret", CONTEXT)
    with pytest.raises(KeystoreTamperedError):
        open_sealed(os.urandom(32), sealed, CONTEXT)
    for i in range(len(sealed.ciphertext)):
        flipped = bytearray(sealed.ciphertext)
        flipped[i] ^= 1
        with pytest.raises(KeystoreTamperedError):
            open_sealed(KEY, Sealed(sealed.nonce, bytes(flipped)), CONTEXT)
    with pytest.raises(KeystoreTamperedError):
        open_sealed(KEY, Sealed(bytes(24), sealed.ciphertext), CONTEXT)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {},
        {"nonce": "AAAA"},
        {"nonce": "AAAA", "ciphertext": "AAAA", "extra": 1},
        {"nonce": "A" * 31, "ciphertext": "A" * 64},
        {"nonce": "A" * 32, "ciphertext": "AAAA"},  # shorter than the tag
        {"nonce": "A" * 32, "ciphertext": "not base64!"},
        {"nonce": 5, "ciphertext": "A" * 64},
        {"nonce": "A" * 32, "ciphertext": "A" * 100_000},
    ],
)
def test_malformed_sealed_values(raw: object) -> None:
    with pytest.raises(KeystoreCorruptError):
        Sealed.from_dict(raw, "x")


def test_well_formed_forgery_parses_but_does_not_open() -> None:
    forged = Sealed.from_dict({"nonce": "A" * 32, "ciphertext": "A" * 64}, "x")
    with pytest.raises(KeystoreTamperedError):
        open_sealed(KEY, forged, CONTEXT)
