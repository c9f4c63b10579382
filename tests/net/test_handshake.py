"""The handshake over real loopback sockets: who may connect, and what each check stops."""

from __future__ import annotations

import asyncio
import struct

import pytest

from tests.net.helpers import CHAIN_ID, FAST, closed_by_peer, config, node, random_chain_id, raw_client, run, wait_until
from tonomy.net import NodeIdentity, PeerAddress, PeerManager
from tonomy.net import handshake as hs
from tonomy.net.errors import (
    ChainMismatchError,
    HandshakeError,
    HandshakeTimeoutError,
    VersionMismatchError,
    WrongPeerError,
)


def test_handshake_success_both_sides_learn_each_other() -> None:
    async def scenario() -> None:
        a, b = NodeIdentity.generate(), NodeIdentity.generate()
        server, address = await node(identity=b)
        client = PeerManager(a, CHAIN_ID, FAST)
        client.add_peer(address)
        await wait_until(lambda: a.public_key in server.peers and b.public_key in client.peers, what="connection")
        inbound, outbound = server.peers[a.public_key], client.peers[b.public_key]
        assert not inbound.outbound and outbound.outbound
        assert inbound.channel.session.session_id == outbound.channel.session.session_id
        assert inbound.channel.session.send_key == outbound.channel.session.recv_key
        assert inbound.channel.session.recv_key == outbound.channel.session.send_key
        assert inbound.channel.session.send_key != inbound.channel.session.recv_key
        await client.close()
        await server.close()

    run(scenario())


def test_wrong_expected_peer_key_fails() -> None:
    async def scenario() -> None:
        server, address = await node()
        wrong = PeerAddress(address.host, address.port, NodeIdentity.generate().public_key)
        with pytest.raises(WrongPeerError):
            await raw_client(wrong)
        await wait_until(lambda: server._inbound == 0, what="the server to drop the half-open connection")
        assert server.peers == {}
        await server.close()

    run(scenario())


def test_connecting_to_itself_is_refused() -> None:
    async def scenario() -> None:
        me = NodeIdentity.generate()
        server, address = await node(identity=me)
        with pytest.raises(WrongPeerError, match="itself"):
            await raw_client(PeerAddress(address.host, address.port), identity=me)
        await server.close()

    run(scenario())


def test_other_chain_is_refused_on_both_sides() -> None:
    async def scenario() -> None:
        server, address = await node()
        with pytest.raises(ChainMismatchError):
            await raw_client(address, chain_id=random_chain_id())
        assert server.peers == {}
        await server.close()

    run(scenario())


def test_version_negotiation_picks_common_and_refuses_disjoint() -> None:
    assert hs.choose_version(1, 7) == hs.MAX_VERSION
    assert hs.choose_version(hs.MAX_VERSION + 1, hs.MAX_VERSION + 5) is None

    async def scenario() -> None:
        server, address = await node()
        reader, writer = await asyncio.open_connection(address.host, address.port)
        _, ephemeral = hs.new_ephemeral()
        hs.write_message(writer, hs.encode_hello(CHAIN_ID, ephemeral, hs.MAX_VERSION + 1, hs.MAX_VERSION + 3))
        reply = await hs.read_message(reader, 1024)
        assert reply == bytes([hs.REJECT, hs.REJECT_VERSION])
        assert await closed_by_peer(reader)
        writer.close()
        await server.close()

    run(scenario())


def test_version_reject_is_reported_to_the_initiator() -> None:
    async def scenario() -> None:
        async def old_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await hs.read_message(reader, 1024)
            hs.write_message(writer, bytes([hs.REJECT, hs.REJECT_VERSION]))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(old_peer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(VersionMismatchError):
            await raw_client(PeerAddress("127.0.0.1", port))
        server.close()

    run(scenario())


async def _mitm_relay(target: PeerAddress) -> asyncio.Server:
    """A man in the middle with its own ephemeral keys towards each side.

    It completes X25519 with both ends, opens the responder's auth box and re-seals it for
    the initiator (and the other way round): the strongest relay short of the identity keys.
    """

    async def relay(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        s_reader, s_writer = await asyncio.open_connection(target.host, target.port)
        try:
            hello = await hs.read_message(c_reader, 1024)
            lo, hi, chain_id, client_eph = hs.decode_hello(hello)
            m1_secret, m1_public = hs.new_ephemeral()
            hello_to_server = hs.encode_hello(chain_id, m1_public, lo, hi)
            hs.write_message(s_writer, hello_to_server)
            accept = await hs.read_message(s_reader, 1024)
            head, sealed = accept[: hs._ACCEPT_HEAD.size], accept[hs._ACCEPT_HEAD.size :]
            _, version, _, server_eph = hs._ACCEPT_HEAD.unpack(head)
            shared_s = hs.shared_secret(m1_secret, server_eph)
            th2_s = hs.transcript(hello_to_server, head)
            r2i_s, _ = hs.handshake_keys(shared_s, th2_s)
            inner = hs.sodium.crypto_aead_chacha20poly1305_ietf_decrypt(sealed, th2_s, bytes(12), r2i_s)
            m2_secret, m2_public = hs.new_ephemeral()
            head_to_client = hs._ACCEPT_HEAD.pack(hs.ACCEPT, version, chain_id, m2_public)
            shared_c = hs.shared_secret(m2_secret, client_eph)
            th2_c = hs.transcript(hello, head_to_client)
            r2i_c, _ = hs.handshake_keys(shared_c, th2_c)
            resealed = hs.sodium.crypto_aead_chacha20poly1305_ietf_encrypt(inner, th2_c, bytes(12), r2i_c)
            hs.write_message(c_writer, head_to_client + resealed)
            await c_writer.drain()
            await asyncio.sleep(1)
        except (HandshakeError, ConnectionError):
            pass
        finally:
            s_writer.close()
            c_writer.close()

    return await asyncio.start_server(relay, "127.0.0.1", 0)


def test_mitm_relay_swapping_ephemeral_keys_fails() -> None:
    async def scenario() -> None:
        server, address = await node()
        relay = await _mitm_relay(address)
        port = relay.sockets[0].getsockname()[1]
        # Even without an expected key, the responder's signature cannot cover the swapped keys.
        with pytest.raises(HandshakeError, match="signature"):
            await raw_client(PeerAddress("127.0.0.1", port))
        assert server.peers == {}
        relay.close()
        await server.close()

    run(scenario())


def test_low_order_ephemeral_key_is_refused() -> None:
    secret, _ = hs.new_ephemeral()
    with pytest.raises(HandshakeError):
        hs.shared_secret(secret, bytes(32))
    with pytest.raises(HandshakeError):
        hs.shared_secret(secret, (1).to_bytes(32, "little"))

    async def scenario() -> None:
        server, address = await node()
        reader, writer = await asyncio.open_connection(address.host, address.port)
        hs.write_message(writer, hs.encode_hello(CHAIN_ID, bytes(32)))
        assert await closed_by_peer(reader)
        assert server.peers == {}
        writer.close()
        await server.close()

    run(scenario())


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        struct.pack(">H", 60000) + b"x" * 100,  # a handshake length over the limit
        struct.pack(">H", 0),
        struct.pack(">H", 76) + b"\x01" + b"NOTTONMY" + bytes(67),  # right size, wrong magic
        bytes(range(256)) * 8,
    ],
)
def test_garbage_before_the_handshake_closes_the_connection(garbage: bytes) -> None:
    async def scenario() -> None:
        server, address = await node()
        reader, writer = await asyncio.open_connection(address.host, address.port)
        writer.write(garbage)
        assert await closed_by_peer(reader)
        await wait_until(lambda: server._inbound == 0, what="the slot to be released")
        assert server.peers == {}
        writer.close()
        await server.close()

    run(scenario())


def test_slowloris_never_finishing_the_handshake_times_out() -> None:
    async def scenario() -> None:
        server, address = await node(config(handshake_timeout=1.0, max_inbound_peers=2))
        loris = []
        for _ in range(2):
            reader, writer = await asyncio.open_connection(address.host, address.port)
            writer.write(struct.pack(">H", 76) + b"\x01TNMY")  # a partial hello, then silence
            loris.append((reader, writer))
        await wait_until(lambda: server._inbound == 2, what="both slots taken")
        # While both slots are held, a third connection is refused at once.
        reader3, writer3 = await asyncio.open_connection(address.host, address.port)
        assert await closed_by_peer(reader3, timeout=0.2)
        for reader, _ in loris:
            assert await closed_by_peer(reader, timeout=3.0)  # closed by the node's 1 s timeout
        await wait_until(lambda: server._inbound == 0, what="slots released")
        # And the node accepts honest peers again.
        channel = await raw_client(address)
        await channel.send(b"\x01")  # a ping
        for _, writer in loris:
            writer.close()
        writer3.close()
        channel.close()
        await server.close()

    run(scenario())


def test_initiator_times_out_on_a_silent_responder() -> None:
    async def scenario() -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(HandshakeTimeoutError):
            await raw_client(PeerAddress("127.0.0.1", port), cfg=config(handshake_timeout=0.2))
        server.close()

    run(scenario())


async def _tampering_relay(target: PeerAddress, message_index: int, offset: int) -> asyncio.Server:
    """Relays the handshake but flips one bit at ``offset`` of handshake message ``message_index``."""

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, indices: list[int]) -> None:
        try:
            for index in indices:
                body = bytearray(await hs.read_message(src, 4096))
                if index == message_index:
                    body[offset % len(body)] ^= 0x01
                hs.write_message(dst, bytes(body))
                await dst.drain()
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (HandshakeError, ConnectionError):
            pass
        finally:
            dst.close()

    async def relay(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        s_reader, s_writer = await asyncio.open_connection(target.host, target.port)
        await asyncio.gather(pipe(c_reader, s_writer, [0, 2]), pipe(s_reader, c_writer, [1]))

    return await asyncio.start_server(relay, "127.0.0.1", 0)


@pytest.mark.parametrize(
    ("message_index", "offset", "field"),
    [
        (0, 10, "hello version range (downgrade attempt)"),
        (0, 20, "hello chain id"),
        (0, 60, "hello ephemeral key"),
        (1, 2, "accept version"),
        (1, 40, "accept ephemeral key"),
        (1, 90, "responder's sealed identity"),
        (1, -1, "responder's box tag"),
        (2, 5, "initiator's sealed identity"),
        (2, -1, "initiator's box tag"),
    ],
)
def test_any_flipped_handshake_bit_fails_the_handshake(message_index: int, offset: int, field: str) -> None:
    async def scenario() -> None:
        server, address = await node()
        relay = await _tampering_relay(address, message_index, offset)
        port = relay.sockets[0].getsockname()[1]
        try:
            channel = await raw_client(PeerAddress("127.0.0.1", port, address.key))
        except HandshakeError:
            pass  # refused by the initiator
        else:  # the initiator finished; the responder must refuse the AUTH
            assert await closed_by_peer(channel.reader), field
            channel.close()
        await asyncio.sleep(0.05)
        assert server.peers == {}, field
        relay.close()
        await server.close()

    run(scenario())


def test_the_tampering_relay_passes_an_untouched_handshake() -> None:
    """The control for the test above: the relay itself does not break connections."""

    async def scenario() -> None:
        server, address = await node()
        relay = await _tampering_relay(address, message_index=-1, offset=0)
        port = relay.sockets[0].getsockname()[1]
        client = NodeIdentity.generate()
        channel = await raw_client(PeerAddress("127.0.0.1", port, address.key), client)
        await wait_until(lambda: client.public_key in server.peers, what="the relayed session")
        await channel.send(b"\x01")  # a ping through the relay
        assert (await channel.recv())[0] == 0x02  # and its pong back
        channel.close()
        relay.close()
        await server.close()

    run(scenario())
