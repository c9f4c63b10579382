"""Wrapped keys: a 32-byte key sealed under another key, or to an identity's X25519 key.

::

    wrapped = "TVK1" ‖ u16 format ‖ u8 kind ‖ body
      kind 1 (symmetric):  nonce(24) ‖ ciphertext(32+16)
      kind 2 (X25519):     ephemeral public(32) ‖ nonce(24) ‖ ciphertext(32+16)

    AD = "tonomy/vault/wrap" ‖ 0x00 ‖ u16 format ‖ u8 kind ‖ lp8(purpose) ‖ lp8(owner) ‖ lp8(context)
         [kind 2: ‖ lp8(sender) ‖ sender public(32) ‖ lp8(recipient) ‖ recipient public(32)]

Kind 2 authenticates the sender as well as hiding the key: the wrapping key is

    BLAKE3-derive-key("tonomy/vault/x25519-wrap/v1",
                      X25519(e, R) ‖ X25519(s, R) ‖ E ‖ S ‖ R)

(``e``/``E`` a fresh ephemeral pair, ``s``/``S`` the sender's identity pair, ``R`` the
recipient's). Only the holder of ``r`` can compute it, and only the holder of ``s`` (or
of ``r``) can have produced it, so a server that substitutes the sender's or the
recipient's key gets a wrap the other side cannot open. Both public keys are in the
associated data and the reader takes them from the identity records it trusts, never
from the server. All-zero shared secrets (small-order points) are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import blake3
from nacl.bindings import crypto_scalarmult, crypto_scalarmult_base
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from tonomy.errors import VaultMalformedError, VaultTamperedError
from tonomy.vault import aead
from tonomy.vault.formats import (
    FORMAT_CURRENT,
    KEY_BYTES,
    Reader,
    check_key,
    check_owner,
    check_version,
    lp8,
    u8,
    u16,
)

MAGIC = b"TVK1"
KIND_SYMMETRIC = 1
KIND_X25519 = 2
_WRAPPED_CT = KEY_BYTES + aead.TAG_BYTES
SYMMETRIC_BYTES = len(MAGIC) + 3 + aead.NONCE_BYTES + _WRAPPED_CT
X25519_BYTES = len(MAGIC) + 3 + 32 + aead.NONCE_BYTES + _WRAPPED_CT
MAX_WRAPPED_BYTES = X25519_BYTES
_AD_PREFIX = b"tonomy/vault/wrap\x00"
_KDF_CONTEXT = "tonomy/vault/x25519-wrap/v1"

#: What a wrapped key is for; part of the associated data.
PURPOSE_RECORD_KEY = b"record-key"
PURPOSE_VAULT_KEY = b"vault-key"
PURPOSE_SHARE = b"recovery-share"
PURPOSE_RELEASED_SHARE = b"released-share"


@dataclass(frozen=True)
class WrapContext:
    """Everything a wrapped key is bound to, rebuilt by the reader."""

    purpose: bytes
    owner: str
    context: bytes

    def associated_data(self, kind: int) -> bytes:
        return _AD_PREFIX + u16(FORMAT_CURRENT) + u8(kind) + lp8(self.purpose) + lp8(check_owner(self.owner)) + lp8(self.context)


@dataclass(frozen=True)
class Party:
    """An identity taking part in an X25519 wrap: account name and public key."""

    account: str
    public_key: bytes

    def ad(self) -> bytes:
        return lp8(check_owner(self.account)) + check_key(self.public_key, "an X25519 public key")


@dataclass(frozen=True)
class WrappedKey:
    kind: int
    nonce: bytes
    ciphertext: bytes
    ephemeral: bytes = b""

    def to_bytes(self) -> bytes:
        return MAGIC + u16(FORMAT_CURRENT) + u8(self.kind) + self.ephemeral + self.nonce + self.ciphertext


def parse_wrapped(data: object) -> WrappedKey:
    """Parse an untrusted wrapped key (``vault.malformed`` / ``vault.downgrade`` / ``vault.unsupported_version``)."""
    reader = Reader(data, "wrapped key", MAX_WRAPPED_BYTES)
    if reader.take(len(MAGIC)) != MAGIC:
        raise VaultMalformedError("wrapped key does not start with the vault magic")
    check_version(reader.int(2), "wrapped key")
    kind = reader.int(1)
    if kind == KIND_SYMMETRIC:
        ephemeral = b""
    elif kind == KIND_X25519:
        ephemeral = reader.take(32)
    else:
        raise VaultMalformedError(f"wrapped key kind {kind} is unknown")
    nonce = reader.take(aead.NONCE_BYTES)
    ciphertext = reader.take(_WRAPPED_CT)
    reader.end()
    return WrappedKey(kind, nonce, ciphertext, ephemeral)


def wrap_symmetric(kek: bytes, key: bytes, ctx: WrapContext) -> bytes:
    check_key(key)
    nonce, ciphertext = aead.encrypt(kek, key, ctx.associated_data(KIND_SYMMETRIC))
    return WrappedKey(KIND_SYMMETRIC, nonce, ciphertext).to_bytes()


def unwrap_symmetric(kek: bytes, data: object, ctx: WrapContext) -> bytes:
    wrapped = parse_wrapped(data)
    if wrapped.kind != KIND_SYMMETRIC:
        raise VaultTamperedError(f"a {ctx.purpose.decode()} must be wrapped symmetrically, got kind {wrapped.kind}")
    return aead.decrypt(kek, wrapped.nonce, wrapped.ciphertext, ctx.associated_data(KIND_SYMMETRIC), ctx.purpose.decode())


def x25519_public(secret: bytes) -> bytes:
    return crypto_scalarmult_base(check_key(secret, "an X25519 secret"))


def _dh(secret: bytes, public: bytes) -> bytes:
    try:
        shared = crypto_scalarmult(secret, public)
    except (CryptoError, RuntimeError):  # libsodium refuses small-order points
        raise VaultTamperedError("an X25519 public key is a small-order point") from None
    if shared == bytes(32):
        raise VaultTamperedError("an X25519 public key is a small-order point")
    return shared


def _wrap_key(dh_ephemeral: bytes, dh_static: bytes, ephemeral: bytes, sender: Party, recipient: Party) -> bytes:
    material = dh_ephemeral + dh_static + ephemeral + sender.public_key + recipient.public_key
    return blake3.blake3(material, derive_key_context=_KDF_CONTEXT).digest()


def wrap_to(sender_secret: bytes, sender: Party, recipient: Party, key: bytes, ctx: WrapContext) -> bytes:
    """Wrap ``key`` to ``recipient``'s X25519 key, authenticated as coming from ``sender``."""
    check_key(key)
    if x25519_public(sender_secret) != sender.public_key:
        raise VaultMalformedError("the sender's secret does not match the sender's public key")
    ephemeral_secret = PrivateKey.generate()
    ephemeral = bytes(ephemeral_secret.public_key)
    wrapping_key = _wrap_key(
        _dh(bytes(ephemeral_secret), recipient.public_key),
        _dh(sender_secret, recipient.public_key),
        ephemeral,
        sender,
        recipient,
    )
    ad = ctx.associated_data(KIND_X25519) + sender.ad() + recipient.ad()
    nonce, ciphertext = aead.encrypt(wrapping_key, key, ad)
    return WrappedKey(KIND_X25519, nonce, ciphertext, ephemeral).to_bytes()


def unwrap_from(recipient_secret: bytes, sender: Party, recipient: Party, data: object, ctx: WrapContext) -> bytes:
    """Open a kind-2 wrap; ``sender`` and ``recipient`` come from trusted identity records."""
    wrapped = parse_wrapped(data)
    if wrapped.kind != KIND_X25519:
        raise VaultTamperedError(f"a {ctx.purpose.decode()} for another identity must be an X25519 wrap")
    if x25519_public(recipient_secret) != recipient.public_key:
        raise VaultTamperedError("this wrap is addressed to a key this identity does not hold")
    wrapping_key = _wrap_key(
        _dh(recipient_secret, wrapped.ephemeral),
        _dh(recipient_secret, sender.public_key),
        wrapped.ephemeral,
        sender,
        recipient,
    )
    ad = ctx.associated_data(KIND_X25519) + sender.ad() + recipient.ad()
    return aead.decrypt(wrapping_key, wrapped.nonce, wrapped.ciphertext, ad, ctx.purpose.decode())
