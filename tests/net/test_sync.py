"""Block sync over real connections, against a small hash-linked chain."""

from __future__ import annotations

import asyncio
import struct

import pytest

from tests.net.helpers import closed_by_peer, config, node, raw_client, run, wait_until
from tonomy import _core
from tonomy.net import MessageKind, NodeIdentity
from tonomy.net.envelope import encode_envelope
from tonomy.net.errors import ProtocolViolationError
from tonomy.net.sync import BlockSync
from tonomy.net.syncproto import (
    MAX_BLOCKS_PER_REQUEST,
    Blocks,
    GetBlocks,
    Status,
    decode_blocks,
    decode_get_blocks,
    decode_status,
    encode_blocks,
    encode_get_blocks,
    encode_status,
)

GENESIS = bytes(32)


class LinkedChain:
    """Blocks are ``previous hash ‖ height ‖ body``; a block applies only on top of the head."""

    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.applied_commits: list[bytes | None] = []

    def height(self) -> int:
        return len(self.blocks)

    def head_hash(self) -> bytes:
        return _core.hash_plain(self.blocks[-1]) if self.blocks else GENESIS

    def make_block(self, body: bytes = b"") -> bytes:
        return self.head_hash() + struct.pack(">Q", self.height() + 1) + body

    def grow(self, count: int, body: bytes = b"") -> None:
        for _ in range(count):
            self.blocks.append(self.make_block(body))

    def get_block(self, height: int) -> bytes | None:
        return self.blocks[height - 1] if 1 <= height <= len(self.blocks) else None

    def get_commit(self, height: int) -> bytes | None:
        return b"commit-%d" % height if 1 <= height <= len(self.blocks) else None

    def apply_block(self, block: bytes, commit: bytes | None) -> None:
        if block[:32] != self.head_hash() or block[32:40] != struct.pack(">Q", self.height() + 1):
            raise ValueError("the block does not extend the head")
        if commit != b"commit-%d" % (self.height() + 1):
            raise ValueError("the commit does not finalize the block")
        self.blocks.append(block)
        self.applied_commits.append(commit)


def test_sync_messages_round_trip_and_refuse_hostile_input() -> None:
    status = Status(7, bytes(range(32)))
    assert decode_status(encode_status(status)) == status
    request = GetBlocks(3, 10, 20)
    assert decode_get_blocks(encode_get_blocks(request)) == request
    response = Blocks(3, 10, ((b"b10", b"c10"), (b"b11", None)))
    assert decode_blocks(encode_blocks(response)) == response
    encoded = encode_blocks(response)
    for bad in [encoded[:-1], encoded + b"x", encoded[:5], b""]:
        with pytest.raises(ProtocolViolationError):
            decode_blocks(bad)
    with pytest.raises(ProtocolViolationError):
        decode_blocks(encode_blocks(Blocks(1, 1, ((b"", None),))))
    with pytest.raises(ProtocolViolationError):
        decode_blocks(encode_blocks(response), max_items=1)
    with pytest.raises(ProtocolViolationError):
        decode_blocks(struct.pack(">IQH", 1, 1, 1) + struct.pack(">I", 2**31))  # a length past the end
    with pytest.raises(ProtocolViolationError):
        decode_status(encode_status(status) + b"\x00")
    for count in (0, MAX_BLOCKS_PER_REQUEST + 1):
        with pytest.raises(ProtocolViolationError):
            decode_get_blocks(encode_get_blocks(GetBlocks(1, 1, count)))


async def _synced_pair(ahead: LinkedChain, behind: LinkedChain, **options: object):  # type: ignore[no-untyped-def]
    server, address = await node()
    client, _ = await node()
    server_sync = BlockSync(server, ahead, **options)  # type: ignore[arg-type]
    client_sync = BlockSync(client, behind, **options)  # type: ignore[arg-type]
    server_sync.start()
    client_sync.start()
    client.add_peer(address)
    return server, client, server_sync, client_sync


def test_sync_catches_up_a_lagging_peer_in_bounded_batches() -> None:
    async def scenario() -> None:
        ahead, behind = LinkedChain(), LinkedChain()
        ahead.grow(150, b"x" * 100)
        behind.blocks = list(ahead.blocks[:7])
        server, client, server_sync, client_sync = await _synced_pair(ahead, behind, batch=16, max_response_bytes=1000)
        await client_sync.wait_for_height(150, timeout=10)
        assert behind.blocks == ahead.blocks
        assert behind.applied_commits == [b"commit-%d" % h for h in range(8, 151)]
        # New blocks announced later are fetched too.
        ahead.grow(3)
        server_sync.announce()
        await client_sync.wait_for_height(153, timeout=5)
        assert behind.head_hash() == ahead.head_hash()
        # The caught-up node told its peer its new height.
        await wait_until(lambda: server_sync.peer_status.get(client.identity.public_key, Status(0, b"")).height == 153, what="status")
        for sync in (server_sync, client_sync):
            await sync.close()
        await client.close()
        await server.close()

    run(scenario())


def test_a_peer_serving_invalid_blocks_is_banned_and_an_honest_one_finishes_the_job() -> None:
    async def scenario() -> None:
        honest_chain, liar_chain, behind = LinkedChain(), LinkedChain(), LinkedChain()
        honest_chain.grow(40)
        liar_chain.grow(60, b"forged")  # higher claim, blocks that do not link up
        liar_chain.blocks[0] = b"\xff" * 40
        honest, honest_address = await node()
        liar, liar_address = await node()
        me, _ = await node(config(ban_addresses=False))  # every node here shares 127.0.0.1
        syncs = [BlockSync(honest, honest_chain), BlockSync(liar, liar_chain), BlockSync(me, behind)]
        for sync in syncs:
            sync.start()
        me.add_peer(liar_address)
        await wait_until(lambda: me.bans.is_banned(liar.identity.public_key), what="the liar's ban")
        me.add_peer(honest_address)
        await syncs[2].wait_for_height(40, timeout=10)
        assert behind.blocks == honest_chain.blocks
        for sync in syncs:
            await sync.close()
        for manager in (honest, liar, me):
            await manager.close()

    run(scenario())


def test_unsolicited_or_mismatched_blocks_are_violations() -> None:
    async def scenario() -> None:
        chain = LinkedChain()
        server, address = await node()
        sync = BlockSync(server, chain)
        attacker = NodeIdentity.generate()
        channel = await raw_client(address, attacker, local_host="127.0.0.7")
        await channel.send(encode_envelope(MessageKind.BLOCKS, encode_blocks(Blocks(99, 1, ()))))
        assert await closed_by_peer(channel.reader)
        assert server.bans.is_banned(attacker.public_key)
        channel.close()
        await sync.close()
        await server.close()

    run(scenario())


def test_serving_is_bounded_by_count_and_bytes() -> None:
    async def scenario() -> None:
        chain = LinkedChain()
        chain.grow(50, b"y" * 500)
        server, address = await node()
        BlockSync(server, chain, max_response_bytes=2000)
        channel = await raw_client(address, local_host="127.0.0.8")
        await channel.send(encode_envelope(MessageKind.GET_BLOCKS, encode_get_blocks(GetBlocks(5, 3, 40))))
        responses = []
        while not responses:
            plaintext = await channel.recv()
            if plaintext[0] == MessageKind.BLOCKS:
                responses.append(decode_blocks(plaintext[1:]))
        (response,) = responses
        assert response.request_id == 5 and response.from_height == 3
        assert 1 <= len(response.items) <= 3  # 2000 bytes hold three 540-byte blocks with commits
        assert [block for block, _ in response.items] == chain.blocks[2 : 2 + len(response.items)]
        # Asking past the head gives an empty answer, not an error.
        await channel.send(encode_envelope(MessageKind.GET_BLOCKS, encode_get_blocks(GetBlocks(6, 51, 5))))
        while True:
            plaintext = await channel.recv()
            if plaintext[0] == MessageKind.BLOCKS:
                assert decode_blocks(plaintext[1:]) == Blocks(6, 51, ())
                break
        channel.close()
        await server.close()

    run(scenario())


def test_a_block_too_large_for_a_response_frame_gets_an_empty_answer() -> None:
    async def scenario() -> None:
        from tests.net.helpers import FAST

        chain = LinkedChain()
        # Each block with its commit and length prefixes is 3 bytes short of a frame: the
        # BLOCKS header and the envelope byte would push it over, so it cannot be served.
        chain.grow(4, b"z" * (FAST.max_frame_bytes - 59))
        server, address = await node()
        BlockSync(server, chain)  # default: as large as a frame allows
        channel = await raw_client(address, local_host="127.0.0.10")
        await channel.send(encode_envelope(MessageKind.GET_BLOCKS, encode_get_blocks(GetBlocks(1, 1, 4))))
        while True:
            plaintext = await channel.recv()
            if plaintext[0] == MessageKind.BLOCKS:
                response = decode_blocks(plaintext[1:])
                break
        assert response == Blocks(1, 1, ())  # an answer, not a crash of the serving side
        channel.close()
        await server.close()

    run(scenario())


class CountingChain(LinkedChain):
    def __init__(self) -> None:
        super().__init__()
        self.served: list[int] = []

    def get_block(self, height: int) -> bytes | None:
        self.served.append(height)
        return super().get_block(height)


def test_follow_grace_leaves_the_next_block_to_our_own_commit_then_fetches_it() -> None:
    async def scenario() -> None:
        ahead, behind = CountingChain(), LinkedChain()
        ahead.grow(11)
        behind.blocks = list(ahead.blocks[:10])
        server, client, server_sync, client_sync = await _synced_pair(ahead, behind, follow_grace=5.0)
        await wait_until(lambda: client_sync.peer_status.get(server.identity.public_key) is not None, what="status")
        await asyncio.sleep(0.3)
        assert ahead.served == []  # one block ahead: left to our own commit
        behind.blocks.append(ahead.blocks[10])  # consensus committed it here
        client_sync.announce()
        await asyncio.sleep(0.3)
        assert ahead.served == [] and behind.height() == 11
        # Nothing commits the next one here: it is fetched once the grace is over.
        client_sync.follow_grace = 0.3
        ahead.grow(1)
        started = asyncio.get_running_loop().time()
        server_sync.announce()
        await client_sync.wait_for_height(12, timeout=10)
        assert asyncio.get_running_loop().time() - started >= 0.3 and ahead.served == [12]
        # A peer further ahead (we missed heights) is synced from at once.
        client_sync.follow_grace = 30.0
        ahead.grow(5)
        server_sync.announce()
        await client_sync.wait_for_height(17, timeout=10)
        assert behind.blocks == ahead.blocks
        for sync in (server_sync, client_sync):
            await sync.close()
        await client.close()
        await server.close()

    run(scenario())
