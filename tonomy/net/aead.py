"""ChaCha20-Poly1305-IETF (RFC 8439) for the frame hot path.

The same libsodium functions PyNaCl's ``nacl.bindings`` wraps, called through PyNaCl's
own compiled cffi module: the public wrapper formats its error messages on every call,
which costs more than encrypting a 1 KiB frame. Falls back to ``nacl.bindings`` when
that module is not importable. ``tests/net/test_aead.py`` checks both paths agree.
"""

from __future__ import annotations

import importlib
from typing import Any

from nacl import bindings as _bindings
from nacl.exceptions import CryptoError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16

_ffi: Any = None
_lib: Any = None
try:
    _sodium = importlib.import_module("nacl._sodium")
    _ffi, _lib = _sodium.ffi, _sodium.lib
except (ImportError, AttributeError):  # pragma: no cover - depends on the PyNaCl build
    _ffi = _lib = None


def _check(key: bytes, nonce: bytes) -> None:
    if len(key) != KEY_BYTES or len(nonce) != NONCE_BYTES:
        raise ValueError("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce")


def seal(key: bytes, nonce: bytes, ad: bytes, plaintext: bytes) -> bytes:
    """``ciphertext ‖ tag`` of ``plaintext`` bound to ``ad``."""
    _check(key, nonce)
    if _lib is None:
        return bytes(_bindings.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key))
    out = _ffi.new("unsigned char[]", len(plaintext) + TAG_BYTES)
    _lib.crypto_aead_chacha20poly1305_ietf_encrypt(out, _ffi.NULL, plaintext, len(plaintext), ad, len(ad), _ffi.NULL, nonce, key)
    return bytes(_ffi.buffer(out))


def open_sealed(key: bytes, nonce: bytes, ad: bytes, sealed: bytes) -> bytes:
    """The plaintext; raises ``nacl.exceptions.CryptoError`` if anything was changed."""
    _check(key, nonce)
    if len(sealed) < TAG_BYTES:
        raise CryptoError("shorter than the authentication tag")
    if _lib is None:
        return bytes(_bindings.crypto_aead_chacha20poly1305_ietf_decrypt(sealed, ad, nonce, key))
    out = _ffi.new("unsigned char[]", max(1, len(sealed) - TAG_BYTES))
    result = _lib.crypto_aead_chacha20poly1305_ietf_decrypt(
        out, _ffi.NULL, _ffi.NULL, sealed, len(sealed), ad, len(ad), nonce, key
    )
    if result != 0:
        raise CryptoError("decryption failed")
    return bytes(_ffi.buffer(out, len(sealed) - TAG_BYTES))
