"""Gossip over real connections: once per node, never back to the source, bounded."""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.net.helpers import CHAIN_ID, FAST, closed_by_peer, config, node, raw_client, run, wait_until
from tonomy.net import MessageKind, NodeIdentity, PeerAddress, PeerManager
from tonomy.net.envelope import encode_envelope
from tonomy.net.gossip import Gossip, gossip_id
from tonomy.net import handshake
from tonomy.net.seen import SeenCache
from tonomy.net.covered import encode_covered
from tonomy.net.txbatch import encode_transaction_batch


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_seen_cache_dedups_expires_and_is_bounded() -> None:
    clock = Clock()
    seen = SeenCache(3, ttl=10, clock=clock)
    assert seen.add(b"a") and not seen.add(b"a")
    clock.now = 5
    assert seen.add(b"b") and seen.add(b"c") and seen.add(b"d")
    assert len(seen) == 3 and b"a" not in seen  # evicted by size
    clock.now = 15.5
    assert b"b" not in seen and len(seen) == 0  # expired
    assert seen.add(b"b")
    with pytest.raises(ValueError):
        SeenCache(0, 1)


def test_gossip_id_separates_kinds() -> None:
    assert gossip_id(MessageKind.VOTE, b"x") != gossip_id(MessageKind.TRANSACTION, b"x")
    assert gossip_id(MessageKind.VOTE, b"x") == gossip_id(MessageKind.VOTE, b"x")


async def _line(count: int, addresses: list[PeerAddress] | None = None) -> tuple[list[PeerManager], list[Gossip], list[list[tuple[MessageKind, bytes, bytes | None]]]]:
    managers, gossips, inboxes = [], [], []
    addresses = [] if addresses is None else addresses
    for _ in range(count):
        manager, address = await node()
        gossip = Gossip(manager)
        inbox: list[tuple[MessageKind, bytes, bytes | None]] = []

        def record(kind: MessageKind, payload: bytes, source: bytes | None, inbox: list = inbox) -> bool:
            inbox.append((kind, payload, source))
            return True

        for kind in (MessageKind.TRANSACTION, MessageKind.VOTE, MessageKind.PROPOSAL):
            gossip.subscribe(kind, record)
        managers.append(manager)
        gossips.append(gossip)
        inboxes.append(inbox)
        addresses.append(address)
    for i in range(count - 1):
        managers[i].add_peer(addresses[i + 1])
    ends = {0, count - 1}
    await wait_until(
        lambda: all(len(m.peers) == (1 if i in ends else 2) for i, m in enumerate(managers)), what="the line"
    )
    return managers, gossips, inboxes


def test_gossip_across_five_nodes_in_a_line_delivers_once_per_node() -> None:
    async def scenario() -> None:
        managers, gossips, inboxes = await _line(5)
        tx = b"tx-" + os.urandom(16)
        assert gossips[0].publish(MessageKind.TRANSACTION, tx) == 1
        await wait_until(lambda: all(inboxes[i] for i in range(1, 5)), what="delivery to every node")
        vote = b"vote-" + os.urandom(8)
        gossips[2].publish(MessageKind.VOTE, vote)  # from the middle: both directions
        await wait_until(lambda: all(len(inboxes[i]) == (1 if i in (0, 2) else 2) for i in range(5)), what="vote")
        await asyncio.sleep(0.2)  # anything duplicated would have arrived by now
        assert inboxes[0] == [(MessageKind.VOTE, vote, managers[1].identity.public_key)]
        for i in range(1, 5):
            kinds = [entry[0] for entry in inboxes[i]]
            assert kinds.count(MessageKind.TRANSACTION) == 1, i
            assert kinds.count(MessageKind.VOTE) == (0 if i == 2 else 1), i
            # each node heard it from its neighbour towards the publisher
            assert inboxes[i][0][2] == managers[i - 1].identity.public_key
        assert gossips[0].publish(MessageKind.TRANSACTION, tx) == 0  # already seen: not re-sent
        for manager in managers:
            await manager.close()

    run(scenario())


def test_a_proposal_crosses_a_line_in_covered_form_and_each_link_once_in_a_mesh() -> None:
    async def scenario() -> None:
        addresses: list[PeerAddress] = []
        managers, gossips, inboxes = await _line(4, addresses)
        proposal = b"proposal-" + os.urandom(32)
        assert gossips[0].publish(MessageKind.PROPOSAL, proposal) == 1
        await wait_until(lambda: all(inboxes[i] for i in range(1, 4)), what="the proposal down the line")
        for i in range(1, 4):  # relayed hop by hop: nothing the sender names stops a peer it never reached
            assert inboxes[i] == [(MessageKind.PROPOSAL, proposal, managers[i - 1].identity.public_key)]
        # Close the mesh: every node now has every other as a peer.
        for i in range(4):
            for j in range(i + 2, 4):
                managers[i].add_peer(addresses[j])
        await wait_until(lambda: all(len(m.peers) == 3 for m in managers), what="the mesh")
        second = b"proposal-" + os.urandom(32)
        gossips[1].publish(MessageKind.PROPOSAL, second)
        await wait_until(lambda: [len(inbox) for inbox in inboxes] == [1, 1, 2, 2], what="the second proposal")
        await asyncio.sleep(0.2)  # a relay, if any, would arrive meanwhile
        assert sum(g.duplicates for g in gossips) == 0  # named as covered: nobody relayed it
        assert all(inboxes[i][-1] == (MessageKind.PROPOSAL, second, managers[1].identity.public_key) for i in (0, 2, 3))
        for manager in managers:
            await manager.close()

    run(scenario())


def test_a_covered_proposal_over_the_proposal_limit_bans() -> None:
    async def scenario() -> None:
        server, address = await node()
        Gossip(server, size_limits={MessageKind.PROPOSAL: 100, MessageKind.COVERED_PROPOSAL: 10_000})
        attacker = NodeIdentity.generate()
        channel = await raw_client(address, attacker, local_host="127.0.0.8")
        await channel.send(encode_envelope(MessageKind.COVERED_PROPOSAL, encode_covered([], bytes(101))))
        assert await closed_by_peer(channel.reader)
        assert server.bans.is_banned(attacker.public_key)
        channel.close()
        await server.close()

    run(scenario())


def test_gossip_in_a_full_mesh_drops_duplicates() -> None:
    async def scenario() -> None:
        nodes = [await node() for _ in range(4)]
        gossips = [Gossip(manager) for manager, _ in nodes]
        counts = [0] * 4

        def counter(i: int):  # type: ignore[no-untyped-def]
            def record(kind: MessageKind, payload: bytes, source: bytes | None) -> None:
                counts[i] += 1

            return record

        for i, gossip in enumerate(gossips):
            gossip.subscribe(MessageKind.TRANSACTION, counter(i))
        for i in range(4):
            for j in range(i + 1, 4):
                nodes[i][0].add_peer(nodes[j][1])
        await wait_until(lambda: all(len(m.peers) == 3 for m, _ in nodes), what="the mesh")
        for n in range(10):
            gossips[n % 4].publish(MessageKind.TRANSACTION, b"m%d" % n)
        await wait_until(lambda: sum(counts) == 30, what="deliveries")
        await asyncio.sleep(0.2)
        assert counts == [sum(1 for n in range(10) if n % 4 != i) for i in range(4)]
        assert sum(g.duplicates for g in gossips) > 0  # the mesh really did send copies
        for manager, _ in nodes:
            await manager.close()

    run(scenario())


def test_refused_messages_are_not_relayed_and_garbage_bans() -> None:
    async def scenario() -> None:
        managers, gossips, inboxes = await _line(3)
        from tonomy.net.errors import ProtocolViolationError

        def validate(kind: MessageKind, payload: bytes, source: bytes | None) -> bool:
            if payload.startswith(b"garbage"):
                raise ProtocolViolationError("not a transaction")
            return not payload.startswith(b"expired")

        gossips[1].subscribe(MessageKind.TRANSACTION, validate)
        gossips[0].publish(MessageKind.TRANSACTION, b"expired-tx")
        await wait_until(lambda: len(inboxes[1]) == 1, what="middle node sees it")
        await asyncio.sleep(0.1)
        assert inboxes[2] == []  # refused in the middle, not relayed
        assert len(managers[1].peers) == 2  # and nobody was punished
        gossips[0].publish(MessageKind.TRANSACTION, b"garbage")
        await wait_until(lambda: managers[1].bans.is_banned(managers[0].identity.public_key), what="ban")
        assert inboxes[2] == []
        for manager in managers:
            await manager.close()

    run(scenario())


def test_oversize_gossip_is_a_violation() -> None:
    async def scenario() -> None:
        server, address = await node()
        Gossip(server, size_limits={MessageKind.VOTE: 100})
        attacker = NodeIdentity.generate()
        channel = await raw_client(address, attacker, local_host="127.0.0.6")
        await channel.send(encode_envelope(MessageKind.VOTE, bytes(100)))  # at the limit: fine
        await channel.send(encode_envelope(MessageKind.VOTE, bytes(101)))
        assert await closed_by_peer(channel.reader)
        assert server.bans.is_banned(attacker.public_key)
        channel.close()
        await server.close()

    run(scenario())


def test_a_version_2_kind_from_a_version_1_peer_is_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        server, address = await node()
        Gossip(server)
        attacker = NodeIdentity.generate()
        monkeypatch.setattr(handshake, "MAX_VERSION", 1)  # the client offers version 1 only
        channel = await raw_client(address, attacker, local_host="127.0.0.7")
        monkeypatch.undo()
        assert channel.session.version == 1
        batch = encode_covered([], encode_transaction_batch([b"tx"]))
        await channel.send(encode_envelope(MessageKind.COVERED_TRANSACTIONS, batch))
        assert await closed_by_peer(channel.reader)
        assert server.bans.is_banned(attacker.public_key)
        channel.close()
        await server.close()

    run(scenario())


def test_publish_refuses_non_gossip_kinds_and_oversize() -> None:
    async def scenario() -> None:
        manager = PeerManager(NodeIdentity.generate(), CHAIN_ID, FAST)
        gossip = Gossip(manager, size_limits={MessageKind.VOTE: 10})
        with pytest.raises(ValueError):
            gossip.publish(MessageKind.STATUS, b"")
        with pytest.raises(ValueError):
            gossip.publish(MessageKind.VOTE, bytes(11))
        with pytest.raises(ValueError):
            gossip.subscribe(MessageKind.GET_BLOCKS, lambda *a: True)
        await manager.close()

    run(scenario())


def test_sending_stays_within_a_share_of_what_the_neighbour_accepts() -> None:
    async def scenario() -> None:
        cfg = config(peer_messages_per_second=40, peer_messages_burst=40)
        sender, _ = await node(cfg)
        receiver, address = await node(cfg)
        out, inbox = Gossip(sender, send_fraction=0.5), Gossip(receiver)
        got: list[bytes] = []
        inbox.subscribe(MessageKind.VOTE, lambda kind, payload, source: got.append(payload))
        sender.add_peer(address)
        await wait_until(lambda: len(sender.peers) == 1 and len(receiver.peers) == 1, what="connection")
        sent = sum(out.publish(MessageKind.VOTE, b"v%d" % n) for n in range(100))
        assert 20 <= sent < 30  # the burst share (20) plus what refilled meanwhile
        assert out.dropped == 100 - sent
        await wait_until(lambda: len(got) == sent, what="the sent votes")
        assert len(receiver.bans) == 0 and len(receiver.peers) == 1  # not taken for a flooder
        with pytest.raises(ValueError):
            Gossip(sender, send_fraction=0)
        await sender.close()
        await receiver.close()

    run(scenario())


def test_gossip_id_is_the_documented_hash_for_every_kind() -> None:
    from tonomy import _core
    from tonomy.net.gossip import TAG_GOSSIP_ID

    for kind in MessageKind:
        for payload in (b"", b"x", bytes(range(256)) * 3):
            assert gossip_id(kind, payload) == _core.hash_tagged(TAG_GOSSIP_ID, bytes([int(kind)]) + payload)
