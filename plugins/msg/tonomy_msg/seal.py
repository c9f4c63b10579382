"""Sealing a message to a recipient's X25519 key, signed by the sender's DID key.

::

    header  = "TMS1" ‖ u16 1 ‖ lp8(sender) ‖ lp8(recipient) ‖ message_id(16)
              ‖ u64 created_ms ‖ u64 expires_ms ‖ recipient_key(32) ‖ E(32)
    key     = BLAKE3-derive-key("tonomy/msg/seal/v1", X25519(e, R) ‖ E ‖ R)
    sealed  = header ‖ nonce(24) ‖ XChaCha20-Poly1305(key, nonce, AD = "tonomy/msg/seal" ‖ 0x00 ‖ header,
                                                     signer(32) ‖ signature(64) ‖ frame(body))
    signature = Ed25519(sender's active key, H("tonomy/msg/sender/v1", header ‖ BLAKE3(body)))

The whole header is associated data *and* signed: a node that changes the recipient,
the id, the times or the key, or moves a ciphertext under another header, breaks the
AEAD; a recipient that re-seals a sender's body to someone else cannot make the
signature cover the new header (re-targeting). The signature sits inside the
ciphertext, so a node cannot tell which key of the sender signed, only who posted.
The body is padded (Padmé, as vault fields) so that its size says little.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import blake3
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_scalarmult,
    crypto_scalarmult_base,
)
from nacl.exceptions import CryptoError

from tonomy.errors import TonomyError
from tonomy.vault.envelope import frame, unframe

from tonomy_identity.crypto import public_key, sign, signature_ok, tagged_hash

from tonomy_msg.errors import MsgMalformedError, MsgMisaddressedError, MsgTamperedError, MsgTooLargeError
from tonomy_msg.formats import (
    ID_BYTES,
    KEY_BYTES,
    NONCE_BYTES,
    SIG_BYTES,
    MessageHeader,
    SealedMessage,
    check_account,
    parse_sealed,
)

SEAL_CONTEXT = "tonomy/msg/seal/v1"
SENDER_TAG = "tonomy/msg/sender/v1"
AD_PREFIX = b"tonomy/msg/seal\x00"
#: The most plaintext one message may carry.
MAX_BODY_BYTES = 128 * 1024


@dataclass(frozen=True)
class OpenedMessage:
    header: MessageHeader
    body: bytes
    signer: bytes  # the sender's key that signed (checked against its DID by the caller)
    message_hash: bytes  # BLAKE3 of the sealed bytes: what a receipt names


def message_hash(sealed: bytes) -> bytes:
    return tagged_hash("tonomy/msg/message/v1", sealed)


def _dh(secret: bytes, public: bytes) -> bytes:
    try:
        shared = crypto_scalarmult(secret, public)
    except (CryptoError, RuntimeError, TypeError, ValueError):
        raise MsgTamperedError("an X25519 key is a small-order point or malformed") from None
    if shared == bytes(32):
        raise MsgTamperedError("an X25519 key is a small-order point")
    return shared


def _key(shared: bytes, ephemeral: bytes, recipient_key: bytes) -> bytes:
    return blake3.blake3(shared + ephemeral + recipient_key, derive_key_context=SEAL_CONTEXT).digest()


def _signed_digest(header_bytes: bytes, body: bytes) -> bytes:
    return tagged_hash(SENDER_TAG, header_bytes + blake3.blake3(body).digest())


def seal(
    *, sender: str, sender_seed: bytes, recipient: str, recipient_key: bytes, body: bytes,
    created_ms: int, ttl_ms: int, message_id: bytes | None = None,
) -> bytes:  # fmt: skip
    """Seal ``body`` to ``recipient_key`` (from the recipient's proven DID document)."""
    check_account(sender, "the sender")
    check_account(recipient, "the recipient")
    if type(body) is not bytes:
        raise MsgMalformedError("a message body is bytes")
    if len(body) > MAX_BODY_BYTES:
        raise MsgTooLargeError(f"a message body is at most {MAX_BODY_BYTES} bytes")
    if type(recipient_key) is not bytes or len(recipient_key) != KEY_BYTES:
        raise MsgMalformedError("a key-agreement key is 32 bytes")
    if ttl_ms <= 0:
        raise MsgMalformedError("a message lives a positive time")
    ephemeral_secret = os.urandom(32)
    ephemeral = crypto_scalarmult_base(ephemeral_secret)
    header = MessageHeader(sender, recipient, message_id or os.urandom(ID_BYTES), created_ms, created_ms + ttl_ms,
                           recipient_key, ephemeral)
    header_bytes = header.to_bytes()
    signer = public_key(sender_seed)
    signature = sign(sender_seed, _signed_digest(header_bytes, body))
    key = _key(_dh(ephemeral_secret, recipient_key), ephemeral, recipient_key)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(signer + signature + frame(body), AD_PREFIX + header_bytes,
                                                             nonce, key)
    return header_bytes + nonce + ciphertext


def open_sealed(data: bytes, *, recipient: str, recipient_secret: bytes) -> OpenedMessage:
    """Decrypt a message addressed to ``recipient``; checks the sender's signature
    against the signer key inside (the caller checks that key belongs to the sender)."""
    sealed: SealedMessage = parse_sealed(data)
    header = sealed.header
    own_key = crypto_scalarmult_base(recipient_secret)
    if header.recipient != recipient or header.recipient_key != own_key:
        raise MsgMisaddressedError(f"the message is addressed to {header.recipient}, not to this identity's key")
    key = _key(_dh(recipient_secret, header.ephemeral), header.ephemeral, own_key)
    try:
        inner = crypto_aead_xchacha20poly1305_ietf_decrypt(sealed.ciphertext, AD_PREFIX + sealed.header_bytes,
                                                           sealed.nonce, key)
    except CryptoError:
        raise MsgTamperedError("the message does not authenticate: altered, truncated or swapped") from None
    signer, signature = inner[:KEY_BYTES], inner[KEY_BYTES : KEY_BYTES + SIG_BYTES]
    try:
        body = unframe(inner[KEY_BYTES + SIG_BYTES :])
    except TonomyError:
        raise MsgTamperedError("the message's framing is broken") from None
    if not signature_ok(signer, _signed_digest(sealed.header_bytes, body), signature):
        # Only a re-sealed body (a recipient forwarding someone's signed message to us
        # under a new header) can get here: the signature is over the original header.
        raise MsgMisaddressedError("the sender's signature does not cover this header: the message was re-targeted")
    return OpenedMessage(header, body, signer, message_hash(data))
