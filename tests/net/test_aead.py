"""The frame AEAD: the fast path and PyNaCl's public binding are the same function."""

from __future__ import annotations

import os

import pytest
from nacl import bindings
from nacl.exceptions import CryptoError

from tonomy.net import aead


@pytest.fixture(params=["fast", "fallback"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "fallback":
        monkeypatch.setattr(aead, "_lib", None)
    else:
        assert aead._lib is not None, "the fast path is not available in this PyNaCl build"
    return str(request.param)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 1024, 65537])
def test_matches_the_public_binding_and_round_trips(path: str, size: int) -> None:
    key, nonce, ad, message = os.urandom(32), os.urandom(12), os.urandom(12), os.urandom(size)
    sealed = aead.seal(key, nonce, ad, message)
    assert sealed == bindings.crypto_aead_chacha20poly1305_ietf_encrypt(message, ad, nonce, key)
    assert aead.open_sealed(key, nonce, ad, sealed) == message


def test_rfc8439_vector(path: str) -> None:
    """RFC 8439 section 2.8.2: the AEAD test vector."""
    key = bytes(range(0x80, 0xA0))
    nonce = bytes.fromhex("070000004041424344454647")
    ad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    message = (
        b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
        b"sunscreen would be it."
    )
    sealed = aead.seal(key, nonce, ad, message)
    assert sealed[:16].hex() == "d31a8d34648e60db7b86afbc53ef7ec2"
    assert sealed[-16:].hex() == "1ae10b594f09e26a7e902ecbd0600691"


def test_any_change_is_refused(path: str) -> None:
    key, nonce, ad = os.urandom(32), os.urandom(12), b"header"
    sealed = aead.seal(key, nonce, ad, b"vote bytes")
    for index in (0, len(sealed) // 2, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[index] ^= 0x80
        with pytest.raises(CryptoError):
            aead.open_sealed(key, nonce, ad, bytes(bad))
    for other in ((os.urandom(32), nonce, ad), (key, os.urandom(12), ad), (key, nonce, b"headex")):
        with pytest.raises(CryptoError):
            aead.open_sealed(*other, sealed)
    for short in (b"", sealed[:15]):
        with pytest.raises(CryptoError):
            aead.open_sealed(key, nonce, ad, short)
    with pytest.raises(ValueError):
        aead.seal(b"short", nonce, ad, b"")
    with pytest.raises(ValueError):
        aead.open_sealed(key, b"short", ad, sealed)
