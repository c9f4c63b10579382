"""The peer manager under abuse: flooding, slow readers, too many peers; and redialling."""

from __future__ import annotations

import asyncio
import random
import socket

import pytest

from tests.net.helpers import CHAIN_ID, FAST, closed_by_peer, config, node, raw_client, run, wait_until
from tonomy.net import MessageKind, NodeIdentity, PeerAddress, PeerManager
from tonomy.net.backoff import Backoff
from tonomy.net.bans import BanList
from tonomy.net.envelope import encode_envelope
from tonomy.net.errors import BackpressureError, HandshakeError
from tonomy.net.ratelimit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_burst_then_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock)
    assert all(bucket.take() for _ in range(5))
    assert not bucket.take()
    clock.now += 0.35  # 3.5 tokens back
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 100
    assert all(bucket.take() for _ in range(5)) and not bucket.take()  # capped at the burst
    with pytest.raises(ValueError):
        TokenBucket(0, 1)


def test_ban_list_expires_and_stays_bounded() -> None:
    clock = FakeClock()
    bans = BanList(clock, max_entries=3)
    bans.ban(b"k", 10)
    assert bans.is_banned(b"k") and bans.remaining(b"k") == 10
    clock.now += 9.9
    assert bans.is_banned(b"k")
    clock.now += 0.2
    assert not bans.is_banned(b"k") and bans.remaining(b"k") == 0
    for i in range(10):
        bans.ban(f"10.0.0.{i}", 60)
    assert len(bans) == 3 and bans.is_banned("10.0.0.9") and not bans.is_banned("10.0.0.0")


def test_backoff_doubles_to_the_cap_with_bounded_jitter_and_resets() -> None:
    backoff = Backoff(0.5, 4.0, 0.25, random.Random(7))
    delays = [backoff.next_delay() for _ in range(6)]
    for delay, base in zip(delays, [0.5, 1, 2, 4, 4, 4]):
        assert base * 0.75 <= delay <= base * 1.25
    assert len(set(delays)) == 6  # jittered, not lockstep
    backoff.reset()
    assert 0.375 <= backoff.next_delay() <= 0.625
    again = Backoff(0.5, 4.0, 0.25, random.Random(7))
    assert [again.next_delay() for _ in range(6)] == delays  # seeded: reproducible


def test_peer_address_parsing() -> None:
    key = bytes(range(32))
    assert PeerAddress.parse("10.1.2.3:9000") == PeerAddress("10.1.2.3", 9000)
    assert PeerAddress.parse(f"{key.hex()}@node.example:1") == PeerAddress("node.example", 1, key)
    assert PeerAddress.parse("[::1]:9000") == PeerAddress("::1", 9000)
    assert PeerAddress.parse(str(PeerAddress("h", 2, key))) == PeerAddress("h", 2, key)
    for bad in ["nohost", ":9000", "h:0", "h:70000", "h:x", "zz@h:1", "abcd@h:1"]:
        with pytest.raises(ValueError):
            PeerAddress.parse(bad)


def test_flooding_peer_is_banned_for_the_period_and_others_are_unaffected() -> None:
    async def scenario() -> None:
        cfg = config(peer_messages_per_second=50, peer_messages_burst=50, ban_seconds=2.0)
        server, address = await node(cfg)
        votes: list[bytes] = []

        async def on_vote(peer: object, kind: MessageKind, payload: bytes) -> None:
            votes.append(payload)

        server.set_handler([MessageKind.VOTE], on_vote)
        honest = PeerManager(NodeIdentity.generate(), CHAIN_ID, cfg)
        honest.add_peer(address)
        await wait_until(lambda: len(server.peers) == 1, what="honest peer")

        flooder = NodeIdentity.generate()
        channel = await raw_client(address, flooder, local_host="127.0.0.3")
        for i in range(500):
            channel.writer.write(channel.seal(encode_envelope(MessageKind.VOTE, b"flood%d" % i)))
        with_error = await closed_by_peer(channel.reader)
        assert with_error
        await wait_until(lambda: flooder.public_key not in server.peers, what="flooder dropped")
        banned_at = asyncio.get_running_loop().time()
        assert server.bans.is_banned(flooder.public_key)
        assert 50 <= sum(v.startswith(b"flood") for v in votes) < 100  # the burst got through, not the flood

        # Banned by address: refused before the handshake, whatever identity it shows.
        with pytest.raises(HandshakeError):
            await raw_client(address, NodeIdentity.generate(), local_host="127.0.0.3")
        # Banned by identity: refused after the handshake even from a fresh address.
        sneaky = await raw_client(address, flooder, local_host="127.0.0.4")
        assert await closed_by_peer(sneaky.reader)
        assert flooder.public_key not in server.peers

        honest.broadcast(MessageKind.VOTE, b"honest")
        await wait_until(lambda: b"honest" in votes, what="honest vote")

        assert server.bans.is_banned(flooder.public_key)  # still, after all of the above
        await wait_until(lambda: not server.bans.is_banned(flooder.public_key), timeout=3.0, what="the ban to end")
        assert asyncio.get_running_loop().time() - banned_at >= 1.9  # it lasted the whole period
        back = await raw_client(address, flooder, local_host="127.0.0.3")
        await wait_until(lambda: flooder.public_key in server.peers, what="the flooder's return after the ban")
        back.close()
        channel.close()
        sneaky.close()
        await honest.close()
        await server.close()

    run(scenario())


def test_byte_rate_flood_is_banned() -> None:
    async def scenario() -> None:
        cfg = config(peer_bytes_per_second=64 * 1024, peer_bytes_burst=128 * 1024)
        server, address = await node(cfg)
        attacker = NodeIdentity.generate()
        channel = await raw_client(address, attacker, local_host="127.0.0.5")
        blob = encode_envelope(MessageKind.VOTE, bytes(60_000))
        for _ in range(10):
            channel.writer.write(channel.seal(blob))
        assert await closed_by_peer(channel.reader)
        await wait_until(lambda: server.bans.is_banned(attacker.public_key), what="byte-rate ban")
        channel.close()
        await server.close()

    run(scenario())


def test_slow_reader_is_dropped_by_back_pressure() -> None:
    async def scenario() -> None:
        server, address = await node()
        # A client that completes the handshake and then never reads, with a tiny receive buffer.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (address.host, address.port))
        reader, writer = await asyncio.open_connection(sock=sock)
        from tonomy.net.handshake import initiate

        slow = NodeIdentity.generate()
        await initiate(reader, writer, slow, CHAIN_ID, FAST, address.key)
        await wait_until(lambda: slow.public_key in server.peers, what="slow peer")
        peer = server.peers[slow.public_key]
        sent = 0
        payload = bytes(32 * 1024)
        for _ in range(2000):
            if not peer.send(MessageKind.BLOCK, payload):
                break
            sent += 1
            assert peer.queued_bytes <= FAST.max_queued_outbound_bytes
            await asyncio.sleep(0)
        else:
            raise AssertionError("the slow reader was never dropped")
        assert isinstance(peer.error, BackpressureError)
        await wait_until(lambda: slow.public_key not in server.peers, what="slow peer removed")
        assert not server.bans.is_banned(slow.public_key)  # slow is not malicious: no ban
        assert sent * len(payload) < 64 * 1024 * 1024
        writer.close()
        await server.close()

    run(scenario())


def test_max_inbound_peers_is_enforced() -> None:
    async def scenario() -> None:
        server, address = await node(config(max_inbound_peers=2))
        clients = [PeerManager(NodeIdentity.generate(), CHAIN_ID, FAST) for _ in range(3)]
        for client in clients[:2]:
            client.add_peer(address)
        await wait_until(lambda: len(server.peers) == 2, what="two peers")
        with pytest.raises(HandshakeError):
            await raw_client(address)
        assert len(server.peers) == 2
        for client in clients:
            await client.close()
        await wait_until(lambda: len(server.peers) == 0, what="peers gone")
        channel = await raw_client(address)  # slots free again
        channel.close()
        await server.close()

    run(scenario())


def test_dialler_reconnects_after_the_peer_restarts() -> None:
    async def scenario() -> None:
        ident = NodeIdentity.generate()
        server, address = await node(identity=ident)
        client = PeerManager(NodeIdentity.generate(), CHAIN_ID, FAST, rng=random.Random(1))
        client.add_peer(address)
        await wait_until(lambda: ident.public_key in client.peers, what="first connection")
        await server.close()
        await wait_until(lambda: ident.public_key not in client.peers, what="disconnect noticed")
        await asyncio.sleep(0.3)  # a few failed redials
        restarted = PeerManager(ident, CHAIN_ID, FAST)
        await restarted.listen(address.host, address.port)
        await wait_until(lambda: ident.public_key in client.peers, what="reconnection")
        await client.close()
        await restarted.close()

    run(scenario())


def test_two_nodes_dialling_each_other_keep_exactly_one_connection() -> None:
    async def scenario() -> None:
        a, a_address = await node()
        b, b_address = await node()
        a.add_peer(b_address)
        b.add_peer(a_address)
        await wait_until(lambda: len(a.peers) == 1 and len(b.peers) == 1, what="connected")
        await asyncio.sleep(0.5)  # let both dials and the duplicate resolution settle
        assert len(a.peers) == 1 and len(b.peers) == 1
        pa, pb = a.peers[b.identity.public_key], b.peers[a.identity.public_key]
        assert pa.outbound != pb.outbound
        assert pa.channel.session.session_id == pb.channel.session.session_id
        a.broadcast(MessageKind.VOTE, b"x")  # and it works
        await a.close()
        await b.close()

    run(scenario())


def test_a_peer_silent_after_the_handshake_is_dropped_and_keepalive_keeps_honest_ones() -> None:
    async def scenario() -> None:
        cfg = config(keepalive_interval=0.1)
        server, address = await node(cfg)
        honest = PeerManager(NodeIdentity.generate(), CHAIN_ID, cfg)
        honest.add_peer(address)
        silent = NodeIdentity.generate()
        channel = await raw_client(address, silent, local_host="127.0.0.9", cfg=cfg)
        await wait_until(lambda: len(server.peers) == 2, what="both peers")
        # The raw client answers nothing: after 3 intervals of silence it is dropped (no ban).
        assert await closed_by_peer(channel.reader, timeout=2.0)
        assert silent.public_key not in server.peers
        assert not server.bans.is_banned(silent.public_key)
        # The honest manager pings when idle, so it stays well past the silence limit.
        assert honest.identity.public_key in server.peers
        channel.close()
        await honest.close()
        await server.close()

    run(scenario())


def test_a_buggy_handler_or_callback_does_not_drop_the_peer() -> None:
    async def scenario() -> None:
        server, address = await node()
        got: list[bytes] = []

        async def handler(peer: object, kind: MessageKind, payload: bytes) -> None:
            if payload == b"boom":
                raise RuntimeError("a bug in a handler")
            got.append(payload)

        def bad_callback(peer: object) -> None:
            raise RuntimeError("a bug in a callback")

        server.set_handler([MessageKind.VOTE], handler)
        server.on_connect(bad_callback)
        server.on_disconnect(bad_callback)
        client = PeerManager(NodeIdentity.generate(), CHAIN_ID, FAST)
        client.add_peer(address)
        await wait_until(lambda: len(client.peers) == 1, what="connection")
        client.broadcast(MessageKind.VOTE, b"boom")
        client.broadcast(MessageKind.VOTE, b"after")
        await wait_until(lambda: got == [b"after"], what="the message after the bug")
        assert len(server.peers) == 1 and len(server.bans) == 0
        with pytest.raises(ValueError):
            server.set_handler([MessageKind.PING], handler)
        await client.close()
        await server.close()

    run(scenario())


def test_config_refuses_inconsistent_limits() -> None:
    from tonomy.net import NetConfig

    with pytest.raises(ValueError):
        NetConfig(max_frame_bytes=1 << 20, max_queued_outbound_bytes=1 << 10)
    with pytest.raises(ValueError):
        NetConfig(max_frame_bytes=1 << 20, peer_bytes_burst=1 << 10)
    with pytest.raises(ValueError):
        NetConfig(handshake_timeout=0)
    with pytest.raises(ValueError):
        NetConfig(reconnect_jitter=1.0)
    with pytest.raises(ValueError):
        NetConfig(reconnect_initial=5, reconnect_max=1)
    with pytest.raises(ValueError):
        PeerManager(NodeIdentity.generate(), b"short", FAST)


def test_one_address_cannot_take_every_inbound_slot() -> None:
    async def scenario() -> None:
        server, address = await node(config(max_inbound_per_address=2, max_inbound_peers=10))
        held = [await raw_client(address, local_host="127.0.0.11") for _ in range(2)]
        with pytest.raises(HandshakeError):
            await raw_client(address, local_host="127.0.0.11")
        other = await raw_client(address, local_host="127.0.0.12")  # another host still gets in
        await wait_until(lambda: len(server.peers) == 3, what="three peers")
        held[0].close()
        await wait_until(lambda: len(server.peers) == 2, what="one gone")
        again = await raw_client(address, local_host="127.0.0.11")  # its slot is free again
        await wait_until(lambda: len(server.peers) == 3, what="slot reused")
        for channel in [*held, other, again]:
            channel.close()
        await server.close()

    run(scenario())
