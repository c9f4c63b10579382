"""Encrypted frames over one TCP stream, after the handshake (docs/p2p.md, "Frames").

A frame is ``length u32 ‖ counter u64 ‖ ChaCha20-Poly1305-IETF ciphertext``. The counter
starts at 0 in each direction and must be exactly the next one: a replayed, reordered or
dropped frame is refused before decryption, and the counter is also the AEAD nonce and the
header is the associated data, so changing either fails authentication. Any failure ends
the connection; there is no resynchronisation.
"""

from __future__ import annotations

import asyncio
import struct

from nacl.exceptions import CryptoError

from tonomy.net import aead
from tonomy.net.errors import ConnectionClosedError, FrameAuthError, FrameReplayError, FrameTooLargeError, ProtocolViolationError
from tonomy.net.handshake import Session

HEADER = struct.Struct(">IQ")
TAG_BYTES = aead.TAG_BYTES
_MAX_COUNTER = (1 << 64) - 1


def _nonce(counter: int) -> bytes:
    return b"\x00\x00\x00\x00" + counter.to_bytes(8, "big")


class FrameSealer:
    """One direction's sending state: key and next counter."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._counter = 0

    def seal(self, plaintext: bytes) -> bytes:
        if self._counter >= _MAX_COUNTER:
            raise ConnectionClosedError("the frame counter is exhausted; reconnect for new keys")
        header = HEADER.pack(len(plaintext) + TAG_BYTES, self._counter)
        ciphertext = aead.seal(self._key, _nonce(self._counter), header, plaintext)
        self._counter += 1
        return header + ciphertext


class FrameOpener:
    """One direction's receiving state: key, next expected counter and the size bound."""

    def __init__(self, key: bytes, max_plaintext: int) -> None:
        self._key = key
        self._expected = 0
        self._max = max_plaintext

    def check_header(self, header: bytes) -> int:
        """The ciphertext length to read next; raises before any body byte is read."""
        length: int
        counter: int
        length, counter = HEADER.unpack(header)
        if length < TAG_BYTES:
            raise ProtocolViolationError(f"a frame of {length} bytes is shorter than its tag")
        if length - TAG_BYTES > self._max:
            raise FrameTooLargeError(f"a frame of {length - TAG_BYTES} bytes (limit {self._max})")
        if counter != self._expected:
            raise FrameReplayError(f"frame counter {counter}, expected {self._expected} (replay or reorder)")
        return length

    def open(self, header: bytes, ciphertext: bytes) -> bytes:
        counter = self._expected
        try:
            plaintext = aead.open_sealed(self._key, _nonce(counter), header, ciphertext)
        except CryptoError as exc:
            raise FrameAuthError("a frame failed authentication (tampered or forged)") from exc
        self._expected = counter + 1
        return plaintext


class SecureChannel:
    """A handshaken connection: ``send`` whole plaintexts, ``recv`` them back in order."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: Session, max_plaintext: int
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.session = session
        self._sealer = FrameSealer(session.send_key)
        self._opener = FrameOpener(session.recv_key, max_plaintext)

    @property
    def peer_key(self) -> bytes:
        return self.session.peer_key

    def seal(self, plaintext: bytes) -> bytes:
        """The frame bytes for ``plaintext`` (sealing order = sending order)."""
        return self._sealer.seal(plaintext)

    async def send(self, plaintext: bytes) -> None:
        self.writer.write(self.seal(plaintext))
        await self.writer.drain()

    async def recv(self) -> bytes:
        """The next plaintext; raises a ProtocolViolationError subclass or ConnectionClosedError."""
        try:
            header = await self.reader.readexactly(HEADER.size)
            length = self._opener.check_header(header)
            ciphertext = await self.reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise ConnectionClosedError("the peer closed the connection") from exc
        return self._opener.open(header, ciphertext)

    def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()
