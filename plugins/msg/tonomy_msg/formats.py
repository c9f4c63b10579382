"""Byte formats of messaging: the sealed message's clear header, receipts, mailbox items.

All integers are big-endian; ``lp8(x)`` is one length byte then ``x``. Every parser takes
untrusted bytes and refuses wrong types, wrong sizes, truncation, trailing bytes and
oversize input with ``msg.malformed`` (``msg.too_large`` past the size limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tonomy_msg.errors import MsgMalformedError, MsgTooLargeError

FORMAT = 1
MESSAGE_MAGIC = b"TMS1"
RECEIPT_MAGIC = b"TMR1"
ID_BYTES = 16
KEY_BYTES = 32
SIG_BYTES = 64
NONCE_BYTES = 24
TAG_BYTES = 16
#: The most bytes one sealed message may have on the wire (nodes may set a lower limit).
MAX_SEALED_BYTES = 256 * 1024
ACCOUNT = re.compile(r"[a-z](?:[a-z0-9]|[.-](?=[a-z0-9])){1,30}[a-z0-9]")


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def lp8(data: bytes) -> bytes:
    if len(data) > 255:
        raise MsgMalformedError("a length-prefixed field is at most 255 bytes")
    return bytes([len(data)]) + data


def check_account(name: object, what: str = "account") -> str:
    if type(name) is not str or not ACCOUNT.fullmatch(name):
        raise MsgMalformedError(f"{what} is not an account name")
    return name


class Reader:
    """A bounded reader of untrusted bytes."""

    def __init__(self, data: object, what: str, limit: int) -> None:
        if type(data) is not bytes:
            raise MsgMalformedError(f"a {what} is bytes")
        if len(data) > limit:
            raise MsgTooLargeError(f"a {what} is at most {limit} bytes, got {len(data)}")
        self.data, self.what, self.pos = data, what, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise MsgMalformedError(f"the {self.what} is truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def int(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def name(self, what: str) -> str:
        raw = self.take(self.int(1))
        try:
            return check_account(raw.decode("ascii"), what)
        except UnicodeDecodeError:
            raise MsgMalformedError(f"{what} is not ASCII") from None

    def rest(self) -> bytes:
        out = self.data[self.pos :]
        self.pos = len(self.data)
        return out

    def end(self) -> None:
        if self.pos != len(self.data):
            raise MsgMalformedError(f"{len(self.data) - self.pos} trailing bytes after the {self.what}")


@dataclass(frozen=True)
class MessageHeader:
    """What a node may read of a sealed message: routing and expiry, never content."""

    sender: str
    recipient: str
    message_id: bytes
    created_ms: int
    expires_ms: int
    recipient_key: bytes  # the recipient's X25519 key-agreement key the message is sealed to
    ephemeral: bytes

    def to_bytes(self) -> bytes:
        return (
            MESSAGE_MAGIC + u16(FORMAT) + lp8(self.sender.encode()) + lp8(self.recipient.encode()) + self.message_id
            + u64(self.created_ms) + u64(self.expires_ms) + self.recipient_key + self.ephemeral
        )  # fmt: skip


@dataclass(frozen=True)
class SealedMessage:
    header: MessageHeader
    header_bytes: bytes
    nonce: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        return self.header_bytes + self.nonce + self.ciphertext


#: signer(32) ‖ signature(64) ‖ u32 length ‖ at least 64 padded bytes, plus the tag.
MIN_CIPHERTEXT = KEY_BYTES + SIG_BYTES + 4 + TAG_BYTES


def parse_sealed(data: object, limit: int = MAX_SEALED_BYTES) -> SealedMessage:
    reader = Reader(data, "sealed message", limit)
    if reader.take(4) != MESSAGE_MAGIC:
        raise MsgMalformedError("not a sealed message (magic)")
    version = reader.int(2)
    if version != FORMAT:
        raise MsgMalformedError(f"sealed message format {version} is not supported (only {FORMAT})")
    sender = reader.name("the sender")
    recipient = reader.name("the recipient")
    message_id = reader.take(ID_BYTES)
    created, expires = reader.int(8), reader.int(8)
    recipient_key, ephemeral = reader.take(KEY_BYTES), reader.take(KEY_BYTES)
    header_bytes = bytes(reader.data[: reader.pos])
    nonce = reader.take(NONCE_BYTES)
    ciphertext = reader.rest()
    if len(ciphertext) < MIN_CIPHERTEXT:
        raise MsgMalformedError("the sealed message's ciphertext is truncated")
    if expires <= created:
        raise MsgMalformedError("a message expires after it is created")
    header = MessageHeader(sender, recipient, message_id, created, expires, recipient_key, ephemeral)
    return SealedMessage(header, header_bytes, nonce, ciphertext)


@dataclass(frozen=True)
class Receipt:
    """The recipient's signed statement that it read one message."""

    recipient: str
    sender: str
    message_id: bytes
    message_hash: bytes
    read_ms: int
    signer: bytes
    signature: bytes

    def body(self) -> bytes:
        return (
            RECEIPT_MAGIC + u16(FORMAT) + lp8(self.recipient.encode()) + lp8(self.sender.encode()) + self.message_id
            + self.message_hash + u64(self.read_ms) + self.signer
        )  # fmt: skip

    def to_bytes(self) -> bytes:
        return self.body() + self.signature


RECEIPT_MAX = 4 + 2 + 2 * 33 + ID_BYTES + 32 + 8 + KEY_BYTES + SIG_BYTES


def parse_receipt(data: object) -> Receipt:
    reader = Reader(data, "receipt", RECEIPT_MAX)
    if reader.take(4) != RECEIPT_MAGIC:
        raise MsgMalformedError("not a receipt (magic)")
    if reader.int(2) != FORMAT:
        raise MsgMalformedError("unsupported receipt format")
    recipient = reader.name("the receipt's recipient")
    sender = reader.name("the receipt's sender")
    receipt = Receipt(recipient, sender, reader.take(ID_BYTES), reader.take(32), reader.int(8),
                      reader.take(KEY_BYTES), reader.take(SIG_BYTES))
    reader.end()
    return receipt
