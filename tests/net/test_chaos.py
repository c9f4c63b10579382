"""Many hostile connections at once: the node keeps serving honest peers and recovers fully."""

from __future__ import annotations

import asyncio
import os
import struct

from tests.net.helpers import config, node, raw_client, run, wait_until
from tonomy.net import MessageKind, NodeIdentity, PeerManager
from tonomy.net.envelope import encode_envelope
from tonomy.net.errors import NetError
from tonomy.net.gossip import Gossip


async def _garbage(host: str, port: int, local: str) -> None:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0))
    writer.write(os.urandom(512))
    await asyncio.sleep(0.3)
    writer.close()


async def _loris(host: str, port: int, local: str) -> None:
    reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0))
    writer.write(struct.pack(">H", 76))  # a length, then nothing
    await reader.read()  # until the node gives up on us
    writer.close()


async def _flooder(target, local: str) -> None:  # type: ignore[no-untyped-def]
    channel = await raw_client(target, local_host=local)
    try:
        for i in range(300):
            channel.writer.write(channel.seal(encode_envelope(MessageKind.TRANSACTION, b"spam%d" % i)))
        await channel.writer.drain()
        await channel.reader.read()
    except (ConnectionError, NetError):
        pass
    finally:
        channel.close()


def test_the_node_serves_honest_peers_through_an_attack_and_recovers() -> None:
    async def scenario() -> None:
        cfg = config(handshake_timeout=0.5, peer_messages_per_second=100, peer_messages_burst=100, max_inbound_peers=64)
        server, address = await node(cfg)
        gossip = Gossip(server)
        heard: list[bytes] = []
        gossip.subscribe(MessageKind.TRANSACTION, lambda kind, payload, source: heard.append(payload))
        honest = PeerManager(NodeIdentity.generate(), server.chain_id, cfg)
        honest_gossip = Gossip(honest)
        honest.add_peer(address)
        await wait_until(lambda: len(server.peers) == 1, what="the honest peer")

        attacks = []
        for i in range(8):
            attacks.append(_garbage(address.host, address.port, f"127.0.1.{i + 1}"))
            attacks.append(_loris(address.host, address.port, f"127.0.2.{i + 1}"))
            attacks.append(_flooder(address, f"127.0.3.{i + 1}"))
        attack = asyncio.gather(*attacks, return_exceptions=True)
        for n in range(20):  # honest traffic during the attack
            honest_gossip.publish(MessageKind.TRANSACTION, b"honest-%d" % n)
            await asyncio.sleep(0.02)
        await wait_until(lambda: all(b"honest-%d" % n in heard for n in range(20)), what="every honest message")
        results = await attack
        assert not [r for r in results if isinstance(r, BaseException)], results
        # Every attacker is gone, every flooder banned, the honest peer still there.
        await wait_until(lambda: set(server.peers) == {honest.identity.public_key}, what="only the honest peer left")
        await wait_until(lambda: server._inbound == 1, what="every hostile slot released")
        assert all(server.bans.is_banned(f"127.0.3.{i + 1}") for i in range(8))
        assert not server.bans.is_banned("127.0.0.1")
        # The node relayed the flooders' first messages, but within what its neighbour accepts:
        # the honest peer did not take it for a flooder.
        assert len(honest.bans) == 0 and gossip.dropped > 0
        await honest.close()
        await server.close()

    run(scenario(), timeout=20)
