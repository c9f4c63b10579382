"""The record envelope: one encrypted field of one record, as stored in a blob.

::

    envelope = "TVE1" ‖ u16 format ‖ u8 algorithm ‖ u32 key_epoch ‖ u64 version ‖ nonce(24) ‖ ciphertext‖tag
    AD       = "tonomy/vault/field" ‖ 0x00 ‖ u16 format ‖ u8 algorithm ‖ lp8(owner) ‖ record_id(16)
               ‖ lp8(field) ‖ u64 version ‖ u32 key_epoch

The header repeats the version and key epoch only so that a reader can say *why* a
blob is wrong (an older version is ``vault.rollback``) before trying the key; the
associated data is built from what the reader expects (the chain's entry), so moving a
ciphertext to another owner, record, field, version or key epoch fails to authenticate.

What is encrypted is the value *framed and padded*, so that the blob size says little
about the value's size::

    framed = u32 length ‖ value ‖ zero bytes up to padme(max(4 + length, 64))

Padmé (Nikitin et al., 2019) rounds a length L to keep only its top
``floor(log2(floor(log2 L))) + 1`` bits: at most 12 % overhead, and a size class leaks
O(log log L) bits instead of the exact length.
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
MIN_FRAMED_BYTES = 64
_AD_PREFIX = b"tonomy/vault/field\x00"


def padme(length: int) -> int:
    """The Padmé size class of ``length`` (>= 2): low bits rounded up, top bits kept."""
    if length < 2:
        return length
    exponent = length.bit_length() - 1  # floor(log2 L)
    kept = exponent.bit_length()  # floor(log2 E) + 1
    mask = (1 << (exponent - kept)) - 1
    return (length + mask) & ~mask


def framed_size(length: int) -> int:
    return padme(max(4 + length, MIN_FRAMED_BYTES))


MAX_ENVELOPE_BYTES = HEADER_BYTES + framed_size(MAX_FIELD_BYTES) + aead.TAG_BYTES


def frame(value: bytes) -> bytes:
    size = framed_size(len(value))
    return u32(len(value)) + value + bytes(size - 4 - len(value))


def unframe(framed: bytes) -> bytes:
    """The value inside authenticated framing; a frame that breaks the rule is ``vault.malformed``."""
    if len(framed) < 4:
        raise VaultMalformedError("a framed value has no length")
    length = int.from_bytes(framed[:4], "big")
    if length > len(framed) - 4 or len(framed) != framed_size(length) or any(framed[4 + length :]):
        raise VaultMalformedError("a framed value's length or padding is wrong")
    return framed[4 : 4 + length]


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
    nonce, ciphertext = aead.encrypt(record_key, frame(plaintext), address.associated_data())
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
    framed = aead.decrypt(
        record_key,
        envelope.nonce,
        envelope.ciphertext,
        address.associated_data(envelope.format, envelope.algorithm),
        f"field {address.field!r} of record {address.record_id.hex()}",
    )
    return unframe(framed)
