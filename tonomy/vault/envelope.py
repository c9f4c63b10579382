"""The record envelope: one encrypted field of one record, as stored in a blob.

::

    envelope = "TVE1" ‖ u16 format ‖ u8 algorithm ‖ u32 key_epoch ‖ u64 version ‖ nonce(24) ‖ ciphertext‖tag
    AD       = "tonomy/vault/field" ‖ 0x00 ‖ u16 format ‖ u8 algorithm ‖ lp8(owner) ‖ record_id(16)
               ‖ lp8(field) ‖ u64 version ‖ u32 key_epoch

The header repeats the version and key epoch only so that a reader can say *why* a
blob is wrong (an older version is ``vault.rollback``) before trying the key; the
associated data is built from what the reader expects (the chain's entry), so moving a
ciphertext to another owner, record, field, version or key epoch fails to authenticate.
"""

from __future__ import annotations

from dataclasses import dataclass

from tonomy.errors import VaultMalformedError, VaultRollbackError, VaultTamperedError
from tonomy.vault import aead
from tonomy.vault.formats import (
    ALG_XCHACHA20_POLY1305,
    FORMAT_CURRENT,
    MAX_FIELD_BYTES,
    Reader,
    check_algorithm,
    check_field,
    check_owner,
    check_record_id,
    check_version,
    lp8,
    u8,
    u16,
    u32,
    u64,
)

MAGIC = b"TVE1"
HEADER_BYTES = len(MAGIC) + 2 + 1 + 4 + 8 + aead.NONCE_BYTES
MAX_ENVELOPE_BYTES = HEADER_BYTES + MAX_FIELD_BYTES + aead.TAG_BYTES
_AD_PREFIX = b"tonomy/vault/field\x00"


@dataclass(frozen=True)
class FieldAddress:
    """Where a field lives: what its ciphertext is bound to."""

    owner: str
    record_id: bytes
    field: str
    version: int
    key_epoch: int

    def associated_data(self, fmt: int = FORMAT_CURRENT, algorithm: int = ALG_XCHACHA20_POLY1305) -> bytes:
        return (
            _AD_PREFIX
            + u16(fmt)
            + u8(algorithm)
            + lp8(check_owner(self.owner))
            + check_record_id(self.record_id)
            + lp8(check_field(self.field))
            + u64(self.version)
            + u32(self.key_epoch)
        )


@dataclass(frozen=True)
class Envelope:
    format: int
    algorithm: int
    key_epoch: int
    version: int
    nonce: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        return (
            MAGIC
            + u16(self.format)
            + u8(self.algorithm)
            + u32(self.key_epoch)
            + u64(self.version)
            + self.nonce
            + self.ciphertext
        )


def parse_envelope(data: object) -> Envelope:
    """Parse untrusted bytes (``vault.malformed``, ``vault.downgrade``, ``vault.unsupported_version``)."""
    reader = Reader(data, "record envelope", MAX_ENVELOPE_BYTES)
    if reader.take(len(MAGIC)) != MAGIC:
        raise VaultMalformedError("record envelope does not start with the vault magic")
    fmt = reader.int(2)
    check_version(fmt, "record envelope")
    algorithm = reader.int(1)
    check_algorithm(algorithm, "record envelope")
    key_epoch = reader.int(4)
    version = reader.int(8)
    nonce = reader.take(aead.NONCE_BYTES)
    ciphertext = reader.rest()
    if len(ciphertext) < aead.TAG_BYTES:
        raise VaultMalformedError("record envelope is truncated (no authentication tag)")
    return Envelope(fmt, algorithm, key_epoch, version, nonce, ciphertext)


def seal_field(record_key: bytes, address: FieldAddress, plaintext: bytes) -> bytes:
    if len(plaintext) > MAX_FIELD_BYTES:
        raise VaultMalformedError(f"a field holds at most {MAX_FIELD_BYTES} bytes")
    nonce, ciphertext = aead.encrypt(record_key, plaintext, address.associated_data())
    return Envelope(FORMAT_CURRENT, ALG_XCHACHA20_POLY1305, address.key_epoch, address.version, nonce, ciphertext).to_bytes()


def open_field(record_key: bytes, address: FieldAddress, data: object) -> bytes:
    """The plaintext of an envelope expected at ``address``.

    ``vault.rollback`` if the envelope says it is an older version than expected,
    ``vault.tampered`` for any other mismatch or alteration.
    """
    envelope = parse_envelope(data)
    if envelope.version < address.version:
        raise VaultRollbackError(
            f"the server returned version {envelope.version} of a field whose current version is {address.version}"
        )
    if envelope.version != address.version or envelope.key_epoch != address.key_epoch:
        raise VaultTamperedError("the envelope's version or key epoch is not the one the chain records")
    return aead.decrypt(
        record_key,
        envelope.nonce,
        envelope.ciphertext,
        address.associated_data(envelope.format, envelope.algorithm),
        f"field {address.field!r} of record {address.record_id.hex()}",
    )
