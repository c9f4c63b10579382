"""XChaCha20-Poly1305 sealing with the context bound as associated data.

Every secret the keystore holds is sealed for one *context*: the keystore format
version, the identity id and the purpose (``root-seed``, ``device-key``). The
context is not stored next to the ciphertext to be trusted: the reader rebuilds
it from what it expects, so a ciphertext moved to another identity, another
purpose or another format version fails authentication instead of being used.
Nonces are 24 random bytes (XChaCha's extended nonce makes random nonces safe).
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from typing import Any

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_ABYTES,
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
)
from nacl.exceptions import CryptoError

from tonomy.errors import InternalError, KeystoreCorruptError, KeystoreTamperedError

KEY_BYTES: int = crypto_aead_xchacha20poly1305_ietf_KEYBYTES  # 32
NONCE_BYTES: int = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
TAG_BYTES: int = crypto_aead_xchacha20poly1305_ietf_ABYTES  # 16
_AD_PREFIX = b"tonomy/wallet/keystore\x00"
#: Largest plaintext the keystore ever seals (a seed or key is 32 bytes).
MAX_SEALED_PLAINTEXT = 1024


@dataclass(frozen=True)
class SealContext:
    """What a sealed value is for; becomes the associated data."""

    version: int
    identity_id: str
    purpose: str

    def associated_data(self) -> bytes:
        ident = self.identity_id.encode("utf-8")
        purpose = self.purpose.encode("utf-8")
        if not (0 <= self.version < 2**16 and len(ident) < 256 and len(purpose) < 256):
            raise InternalError("seal context out of range")
        return (
            _AD_PREFIX
            + self.version.to_bytes(2, "big")
            + bytes([len(ident)])
            + ident
            + bytes([len(purpose)])
            + purpose
        )


@dataclass(frozen=True)
class Sealed:
    nonce: bytes
    ciphertext: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
            "ciphertext": base64.b64encode(self.ciphertext).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, raw: object, what: str) -> Sealed:
        """Parse a sealed value from untrusted JSON (``wallet.keystore_corrupt`` on any shape error)."""
        if not isinstance(raw, dict) or set(raw) != {"nonce", "ciphertext"}:
            raise KeystoreCorruptError(f"{what} must be an object with nonce and ciphertext")
        nonce = _b64(raw["nonce"], f"{what}.nonce")
        ciphertext = _b64(raw["ciphertext"], f"{what}.ciphertext")
        if len(nonce) != NONCE_BYTES:
            raise KeystoreCorruptError(f"{what}.nonce must be {NONCE_BYTES} bytes")
        if not TAG_BYTES <= len(ciphertext) <= TAG_BYTES + MAX_SEALED_PLAINTEXT:
            raise KeystoreCorruptError(f"{what}.ciphertext has an impossible length")
        return cls(nonce, ciphertext)


def _b64(value: object, what: str) -> bytes:
    if type(value) is not str or len(value) > 4 * MAX_SEALED_PLAINTEXT:
        raise KeystoreCorruptError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeystoreCorruptError(f"{what} is not valid base64") from None


def seal(key: bytes, plaintext: bytes, context: SealContext) -> Sealed:
    if len(key) != KEY_BYTES:
        raise InternalError("sealing key must be 32 bytes")
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(
        bytes(plaintext), context.associated_data(), nonce, bytes(key)
    )
    return Sealed(nonce, ciphertext)


def open_sealed(key: bytes, sealed: Sealed, context: SealContext) -> bytes:
    """The plaintext, or ``wallet.keystore_tampered`` if key, context or bytes do not match."""
    if len(key) != KEY_BYTES:
        raise InternalError("sealing key must be 32 bytes")
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed.ciphertext, context.associated_data(), sealed.nonce, bytes(key)
        )
    except CryptoError:
        raise KeystoreTamperedError(
            f"{context.purpose} of identity {context.identity_id} does not authenticate "
            "(wrong key, or the file was altered or swapped)"
        ) from None
