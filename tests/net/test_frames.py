"""Encrypted frames after the handshake: tampering, replay, reordering, oversize, garbage.

Each attack must close the connection and ban the sender's identity (and address);
the attacker connects from its own loopback address so the honest peer is unaffected.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.net.helpers import FAST, closed_by_peer, node, raw_client, run, wait_until
from tonomy.net import MessageKind, NodeIdentity, PeerManager
from tonomy.net.channel import HEADER, FrameOpener, FrameSealer
from tonomy.net.envelope import decode_envelope, encode_envelope
from tonomy.net.errors import FrameAuthError, FrameReplayError, FrameTooLargeError, ProtocolViolationError

ATTACKER_HOST = "127.0.0.2"


def _ping() -> bytes:
    return encode_envelope(MessageKind.PING, b"")


def test_sealer_and_opener_round_trip_and_refuse_tampering_in_memory() -> None:
    key = os.urandom(32)
    sealer, opener = FrameSealer(key), FrameOpener(key, 1024)
    frames = [sealer.seal(bytes([i]) * 10) for i in range(3)]
    for i, frame in enumerate(frames):
        length = opener.check_header(frame[: HEADER.size])
        assert opener.open(frame[: HEADER.size], frame[HEADER.size : HEADER.size + length]) == bytes([i]) * 10
    with pytest.raises(FrameReplayError):
        opener.check_header(frames[0][: HEADER.size])
    fresh = FrameOpener(key, 1024)
    bad = bytearray(frames[0])
    bad[-1] ^= 1
    fresh.check_header(bytes(bad[: HEADER.size]))
    with pytest.raises(FrameAuthError):
        fresh.open(bytes(bad[: HEADER.size]), bytes(bad[HEADER.size :]))
    with pytest.raises(FrameTooLargeError):
        FrameOpener(key, 4).check_header(frames[0][: HEADER.size])
    with pytest.raises(ProtocolViolationError):
        fresh.check_header(HEADER.pack(3, 0))  # shorter than a tag
    with pytest.raises(FrameAuthError):
        FrameOpener(os.urandom(32), 1024).open(frames[0][: HEADER.size], frames[0][HEADER.size :])


def test_envelope_refuses_empty_and_unknown_kinds() -> None:
    assert decode_envelope(encode_envelope(MessageKind.VOTE, b"v")) == (MessageKind.VOTE, b"v")
    with pytest.raises(ProtocolViolationError):
        decode_envelope(b"")
    with pytest.raises(ProtocolViolationError, match="unknown message kind"):
        decode_envelope(b"\xee")


def _tampered(frame: bytes) -> bytes:
    bad = bytearray(frame)
    bad[HEADER.size + 2] ^= 0x40
    return bytes(bad)


def _counter_changed(frame: bytes) -> bytes:
    length, counter = HEADER.unpack(frame[: HEADER.size])
    return HEADER.pack(length, counter + 5) + frame[HEADER.size :]


ATTACKS = {
    "tampered ciphertext": lambda seal: [_tampered(seal(_ping()))],
    "tampered header": lambda seal: [_counter_changed(seal(_ping()))],
    "replayed frame": lambda seal: (lambda f: [f, f])(seal(_ping())),
    "reordered frames": lambda seal: (lambda a, b: [b, a])(seal(_ping()), seal(_ping())),
    "oversize frame": lambda seal: [HEADER.pack(FAST.max_frame_bytes + 17, 0) + bytes(64)],
    "garbage after the handshake": lambda seal: [os.urandom(300)],
    "unknown message kind": lambda seal: [seal(b"\xee payload")],
    "empty message": lambda seal: [seal(b"")],
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_bad_frames_close_and_ban_while_honest_peers_carry_on(attack: str) -> None:
    async def scenario() -> None:
        server, address = await node()
        received: list[bytes] = []

        async def on_vote(peer: object, kind: MessageKind, payload: bytes) -> None:
            received.append(payload)

        server.set_handler([MessageKind.VOTE], on_vote)
        honest = PeerManager(NodeIdentity.generate(), server.chain_id, FAST)
        honest.add_peer(address)
        await wait_until(lambda: len(server.peers) == 1, what="the honest peer")

        attacker = NodeIdentity.generate()
        channel = await raw_client(address, attacker, local_host=ATTACKER_HOST)
        await wait_until(lambda: attacker.public_key in server.peers, what="the attacker's session")
        # One good message first: the session itself works.
        await channel.send(encode_envelope(MessageKind.VOTE, b"from-attacker-ok"))
        await wait_until(lambda: b"from-attacker-ok" in received, what="the attacker's valid vote")
        for frame in ATTACKS[attack](channel.seal):
            channel.writer.write(frame)
        await channel.writer.drain()
        assert await closed_by_peer(channel.reader)
        await wait_until(lambda: attacker.public_key not in server.peers, what="the attacker to be dropped")
        assert server.bans.is_banned(attacker.public_key)
        assert server.bans.is_banned(ATTACKER_HOST)
        assert not server.bans.is_banned("127.0.0.1")

        honest.broadcast(MessageKind.VOTE, b"still-here")
        await wait_until(lambda: b"still-here" in received, what="the honest peer's vote")
        assert len(server.peers) == 1
        channel.close()
        await honest.close()
        await server.close()

    run(scenario())


def test_oversize_message_is_refused_by_the_sender_too() -> None:
    async def scenario() -> None:
        server, address = await node()
        client = PeerManager(NodeIdentity.generate(), server.chain_id, FAST)
        client.add_peer(address)
        await wait_until(lambda: len(client.peers) == 1, what="connection")
        peer = next(iter(client.peers.values()))
        with pytest.raises(ValueError, match="frame limit"):
            peer.send(MessageKind.BLOCK, bytes(FAST.max_frame_bytes))
        assert peer.send(MessageKind.BLOCK, bytes(FAST.max_frame_bytes - 1))
        await asyncio.sleep(0.05)
        assert len(server.peers) == 1  # a maximum-size frame is fine
        await client.close()
        await server.close()

    run(scenario())
