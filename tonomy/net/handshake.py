"""The authenticated key exchange that opens every connection (docs/p2p.md, "Handshake").

Three messages, SIGMA-shaped: ephemeral X25519 keys in the clear, then each side proves
its long-term Ed25519 identity by signing the transcript hash, inside AEAD boxes keyed by
the ephemeral secret (a passive observer learns neither identity). Session keys come from
the shared secret and the whole transcript, one per direction. Pure key schedule and
message codecs up top; the two async drivers (``initiate`` / ``respond``) at the bottom.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from nacl import bindings as sodium
from nacl.exceptions import CryptoError
from nacl.exceptions import RuntimeError as SodiumRuntimeError

from tonomy import _core
from tonomy.net.config import NetConfig
from tonomy.net.errors import (
    ChainMismatchError,
    HandshakeError,
    HandshakeTimeoutError,
    VersionMismatchError,
    WrongPeerError,
)
from tonomy.net.identity import NodeIdentity, verify_identity_signature

MAGIC = b"TNMYP2P\x00"
#: Protocol versions this code speaks (the highest common one is chosen).
MIN_VERSION = 1
MAX_VERSION = 2  # 2: COVERED_TRANSACTIONS (docs/p2p.md)

HELLO, ACCEPT, AUTH, REJECT = 0x01, 0x02, 0x03, 0x7F
REJECT_VERSION, REJECT_CHAIN = 1, 2

TAG_TRANSCRIPT = "tonomy/p2p/transcript/v1"
TAG_HS_R2I = "tonomy/p2p/handshake-r2i/v1"
TAG_HS_I2R = "tonomy/p2p/handshake-i2r/v1"
TAG_AUTH_RESPONDER = "tonomy/p2p/auth-responder/v1"
TAG_AUTH_INITIATOR = "tonomy/p2p/auth-initiator/v1"
TAG_SESSION_I2R = "tonomy/p2p/session-i2r/v1"
TAG_SESSION_R2I = "tonomy/p2p/session-r2i/v1"

_HELLO = struct.Struct(">B8sHH32s32s")  # kind, magic, min, max, chain id, ephemeral
_ACCEPT_HEAD = struct.Struct(">BH32s32s")  # kind, version, chain id, ephemeral
_ZERO_NONCE = bytes(12)
_SEALED_AUTH_LEN = 32 + 64 + 16  # identity key, signature, Poly1305 tag
_LEN = struct.Struct(">H")


@dataclass(frozen=True)
class Session:
    """What a finished handshake yields: the proven peer and the two directional keys."""

    peer_key: bytes
    version: int
    send_key: bytes
    recv_key: bytes
    #: The final transcript hash: unique per connection, both sides agree on it.
    session_id: bytes
    initiator: bool


# -- key schedule (pure) ----------------------------------------------------------------


def new_ephemeral() -> tuple[bytes, bytes]:
    """``(secret, public)`` X25519 pair from the OS random source."""
    secret = os.urandom(32)
    return secret, sodium.crypto_scalarmult_base(secret)


def shared_secret(secret: bytes, peer_public: bytes) -> bytes:
    """X25519; a low-order peer key (all-zero result) is refused, as it fixes the secret."""
    try:
        shared = sodium.crypto_scalarmult(secret, peer_public)
    except (CryptoError, SodiumRuntimeError, TypeError, ValueError) as exc:
        raise HandshakeError("the peer's ephemeral key is not usable") from exc
    if shared == bytes(32):
        raise HandshakeError("the peer's ephemeral key has low order")
    return shared


def transcript(*messages: bytes) -> bytes:
    """Hash of the handshake so far; each message length-prefixed so splits are unambiguous."""
    return _core.hash_tagged(TAG_TRANSCRIPT, b"".join(struct.pack(">I", len(m)) + m for m in messages))


def handshake_keys(shared: bytes, th2: bytes) -> tuple[bytes, bytes]:
    """``(responder→initiator, initiator→responder)`` keys for the two AUTH boxes."""
    return _core.hash_tagged(TAG_HS_R2I, shared + th2), _core.hash_tagged(TAG_HS_I2R, shared + th2)


def session_keys(shared: bytes, th_final: bytes) -> tuple[bytes, bytes]:
    """``(initiator→responder, responder→initiator)`` frame keys."""
    return _core.hash_tagged(TAG_SESSION_I2R, shared + th_final), _core.hash_tagged(TAG_SESSION_R2I, shared + th_final)


def auth_message(tag: str, th: bytes, identity_key: bytes) -> bytes:
    """What a side signs: its role (the tag), the transcript hash and its own identity key."""
    return _core.hash_tagged(tag, th + identity_key)


def seal_auth(key: bytes, th: bytes, identity: NodeIdentity, tag: str) -> bytes:
    signature = identity.sign(auth_message(tag, th, identity.public_key))
    return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(identity.public_key + signature, th, _ZERO_NONCE, key)


def open_auth(key: bytes, th: bytes, sealed: bytes, tag: str) -> bytes:
    """The peer's proven identity key; HandshakeError if the box or the signature is bad."""
    if len(sealed) != _SEALED_AUTH_LEN:
        raise HandshakeError("the authentication box has the wrong size")
    try:
        opened = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(sealed, th, _ZERO_NONCE, key)
    except CryptoError as exc:
        raise HandshakeError("the authentication box does not open (keys differ: tampering or MITM)") from exc
    peer_key, signature = opened[:32], opened[32:]
    if not verify_identity_signature(peer_key, auth_message(tag, th, peer_key), signature):
        raise HandshakeError("the peer's transcript signature is invalid (tampering or MITM)")
    return peer_key


# -- message codecs ------------------------------------------------------------------------


def encode_hello(chain_id: bytes, ephemeral: bytes, min_version: int = MIN_VERSION, max_version: int = MAX_VERSION) -> bytes:
    return _HELLO.pack(HELLO, MAGIC, min_version, max_version, chain_id, ephemeral)


def decode_hello(body: bytes) -> tuple[int, int, bytes, bytes]:
    if len(body) != _HELLO.size:
        raise HandshakeError("the hello has the wrong size")
    kind, magic, lo, hi, chain_id, ephemeral = _HELLO.unpack(body)
    if kind != HELLO or magic != MAGIC:
        raise HandshakeError("not a Tonomy p2p hello")
    if lo > hi:
        raise HandshakeError("the hello's version range is empty")
    return lo, hi, chain_id, ephemeral


def choose_version(lo: int, hi: int) -> int | None:
    best = min(hi, MAX_VERSION)
    return best if best >= max(lo, MIN_VERSION) else None


async def read_message(reader: asyncio.StreamReader, limit: int) -> bytes:
    try:
        head = await reader.readexactly(_LEN.size)
        (length,) = _LEN.unpack(head)
        if length == 0 or length > limit:
            raise HandshakeError(f"a handshake message of {length} bytes (limit {limit})")
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise HandshakeError("the peer closed the connection during the handshake") from exc


def write_message(writer: asyncio.StreamWriter, body: bytes) -> None:
    writer.write(_LEN.pack(len(body)) + body)


def _check_peer(peer_key: bytes, identity: NodeIdentity, expected: bytes | None) -> None:
    if peer_key == identity.public_key:
        raise WrongPeerError("the peer is this node itself")
    if expected is not None and peer_key != expected:
        raise WrongPeerError(f"expected peer {expected.hex()[:12]}…, got {peer_key.hex()[:12]}…")


# -- drivers ---------------------------------------------------------------------------------


async def initiate(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    identity: NodeIdentity,
    chain_id: bytes,
    config: NetConfig,
    expected_peer: bytes | None = None,
) -> Session:
    """Run the dialling side; raises a HandshakeError subclass on any failure."""
    return await _bounded(_initiate(reader, writer, identity, chain_id, config, expected_peer), config)


async def _initiate(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    identity: NodeIdentity,
    chain_id: bytes,
    config: NetConfig,
    expected_peer: bytes | None,
) -> Session:
    secret, ephemeral = new_ephemeral()
    hello = encode_hello(chain_id, ephemeral)
    write_message(writer, hello)
    await writer.drain()

    reply = await read_message(reader, config.max_handshake_bytes)
    if reply[0] == REJECT:
        reason = reply[1] if len(reply) == 2 else 0
        if reason == REJECT_VERSION:
            raise VersionMismatchError("the peer speaks none of our protocol versions")
        if reason == REJECT_CHAIN:
            raise ChainMismatchError("the peer is on another chain")
        raise HandshakeError("the peer refused the handshake")
    if reply[0] != ACCEPT or len(reply) != _ACCEPT_HEAD.size + _SEALED_AUTH_LEN:
        raise HandshakeError("the peer's accept is malformed")
    _, version, peer_chain, peer_ephemeral = _ACCEPT_HEAD.unpack_from(reply)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionMismatchError(f"the peer chose version {version}, which we did not offer")
    if peer_chain != chain_id:
        raise ChainMismatchError("the peer is on another chain")
    shared = shared_secret(secret, peer_ephemeral)
    th2 = transcript(hello, reply[: _ACCEPT_HEAD.size])
    hs_r2i, hs_i2r = handshake_keys(shared, th2)
    peer_key = open_auth(hs_r2i, th2, reply[_ACCEPT_HEAD.size :], TAG_AUTH_RESPONDER)
    _check_peer(peer_key, identity, expected_peer)

    th3 = transcript(hello, reply)
    auth = bytes([AUTH]) + seal_auth(hs_i2r, th3, identity, TAG_AUTH_INITIATOR)
    write_message(writer, auth)
    await writer.drain()
    th_final = transcript(hello, reply, auth)
    i2r, r2i = session_keys(shared, th_final)
    return Session(peer_key, version, send_key=i2r, recv_key=r2i, session_id=th_final, initiator=True)


async def respond(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    identity: NodeIdentity,
    chain_id: bytes,
    config: NetConfig,
    expected_peer: bytes | None = None,
) -> Session:
    """Run the accepting side; raises a HandshakeError subclass on any failure."""
    return await _bounded(_respond(reader, writer, identity, chain_id, config, expected_peer), config)


async def _bounded(side: Coroutine[Any, Any, Session], config: NetConfig) -> Session:
    """One side of the handshake within the timeout, every failure as a HandshakeError."""
    try:
        async with asyncio.timeout(config.handshake_timeout):
            return await side
    except TimeoutError as exc:
        raise HandshakeTimeoutError(f"no complete handshake within {config.handshake_timeout}s") from exc
    except HandshakeError:
        raise
    except (ConnectionError, OSError) as exc:
        raise HandshakeError(f"the connection failed during the handshake: {exc}") from exc


async def _respond(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    identity: NodeIdentity,
    chain_id: bytes,
    config: NetConfig,
    expected_peer: bytes | None,
) -> Session:
    hello = await read_message(reader, config.max_handshake_bytes)
    lo, hi, peer_chain, peer_ephemeral = decode_hello(hello)
    version = choose_version(lo, hi)
    if version is None:
        write_message(writer, bytes([REJECT, REJECT_VERSION]))
        await writer.drain()
        raise VersionMismatchError(f"the peer offers versions {lo}..{hi}, we speak {MIN_VERSION}..{MAX_VERSION}")
    if peer_chain != chain_id:
        write_message(writer, bytes([REJECT, REJECT_CHAIN]))
        await writer.drain()
        raise ChainMismatchError("the peer is on another chain")
    secret, ephemeral = new_ephemeral()
    shared = shared_secret(secret, peer_ephemeral)
    head = _ACCEPT_HEAD.pack(ACCEPT, version, chain_id, ephemeral)
    th2 = transcript(hello, head)
    hs_r2i, hs_i2r = handshake_keys(shared, th2)
    reply = head + seal_auth(hs_r2i, th2, identity, TAG_AUTH_RESPONDER)
    write_message(writer, reply)
    await writer.drain()

    auth = await read_message(reader, config.max_handshake_bytes)
    if auth[0] != AUTH:
        raise HandshakeError("expected the initiator's authentication")
    th3 = transcript(hello, reply)
    peer_key = open_auth(hs_i2r, th3, auth[1:], TAG_AUTH_INITIATOR)
    _check_peer(peer_key, identity, expected_peer)
    th_final = transcript(hello, reply, auth)
    i2r, r2i = session_keys(shared, th_final)
    return Session(peer_key, version, send_key=r2i, recv_key=i2r, session_id=th_final, initiator=False)
