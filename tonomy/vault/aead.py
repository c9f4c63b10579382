"""XChaCha20-Poly1305 (IETF) with associated data: the one cipher of the vault.

Nonces are 24 random bytes, safe at random thanks to XChaCha's extended nonce. The
associated data is always rebuilt by the reader from what it *expects* (owner, record,
field, version, epochs), never read from the ciphertext's neighbours, so a ciphertext
moved anywhere else fails to authenticate (``vault.tampered``).
"""

from __future__ import annotations

import os

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_ABYTES,
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
)
from nacl.exceptions import CryptoError

from tonomy.errors import VaultTamperedError
from tonomy.vault.formats import check_key

NONCE_BYTES: int = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
TAG_BYTES: int = crypto_aead_xchacha20poly1305_ietf_ABYTES  # 16


def encrypt(key: bytes, plaintext: bytes, associated_data: bytes) -> tuple[bytes, bytes]:
    """``(nonce, ciphertext‖tag)`` under a fresh random nonce."""
    check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    return nonce, crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(plaintext), associated_data, nonce, key)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, associated_data: bytes, what: str) -> bytes:
    """The plaintext, or ``vault.tampered`` naming ``what`` (never the plaintext or key)."""
    check_key(key)
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, associated_data, nonce, key)
    except CryptoError:
        raise VaultTamperedError(
            f"{what} does not authenticate: wrong key, or moved from another record, field, version or recipient"
        ) from None
