"""Encrypted p2p framing against plain length-prefixed TCP, both over loopback.

One round sends 1,000 distinct 1 KiB messages from one end of an established connection
to the other and reads them all back in order. "core" goes through the p2p channel
(ChaCha20-Poly1305 frames with counters, after the authenticated handshake); "baseline"
writes the same messages with a 4-byte length prefix on a plain socket. As smoke tests
(``--benchmark-disable``) they assert every message arrives intact and in order.
"""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from tonomy.net import NetConfig, NodeIdentity
from tonomy.net.channel import SecureChannel
from tonomy.net.handshake import initiate, respond

COUNT = 1000
SIZE = 1024
CHAIN_ID = bytes(32)
_LEN = struct.Struct(">I")


@pytest.fixture(scope="module")
def messages() -> list[bytes]:
    rng = random.Random(1000)
    return [rng.randbytes(SIZE) for _ in range(COUNT)]


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


async def _pair() -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], tuple[asyncio.StreamReader, asyncio.StreamWriter], asyncio.Server]:
    accepted: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.get_running_loop().create_future()

    async def on_accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result((reader, writer))

    server = await asyncio.start_server(on_accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = await asyncio.open_connection("127.0.0.1", port)
    return client, await accepted, server


@pytest.mark.benchmark(group="frames_1k")
def test_encrypted_frames(benchmark: Any, loop: asyncio.AbstractEventLoop, messages: list[bytes]) -> None:
    benchmark.extra_info["side"] = "core"
    config = NetConfig()

    async def setup() -> tuple[SecureChannel, SecureChannel, asyncio.Server]:
        (c_reader, c_writer), (s_reader, s_writer), server = await _pair()
        a, b = NodeIdentity.generate(), NodeIdentity.generate()
        client_session, server_session = await asyncio.gather(
            initiate(c_reader, c_writer, a, CHAIN_ID, config, b.public_key),
            respond(s_reader, s_writer, b, CHAIN_ID, config),
        )
        return (
            SecureChannel(c_reader, c_writer, client_session, config.max_frame_bytes),
            SecureChannel(s_reader, s_writer, server_session, config.max_frame_bytes),
            server,
        )

    sender, receiver, server = loop.run_until_complete(setup())

    async def send_all() -> None:
        for message in messages:
            sender.writer.write(sender.seal(message))
        await sender.writer.drain()

    async def round_trip() -> list[bytes]:
        task = asyncio.ensure_future(send_all())
        out = [await receiver.recv() for _ in range(COUNT)]
        await task
        return out

    result = benchmark(lambda: loop.run_until_complete(round_trip()))
    assert result == messages
    sender.close()
    receiver.close()
    server.close()


@pytest.mark.benchmark(group="frames_1k")
def test_plain_tcp_frames(benchmark: Any, loop: asyncio.AbstractEventLoop, messages: list[bytes]) -> None:
    benchmark.extra_info["side"] = "baseline"
    # Keep all four stream objects alive: a dropped StreamWriter closes its socket.
    (reader, client_writer), (server_reader, writer), server = loop.run_until_complete(_pair())

    async def send_all() -> None:
        for message in messages:
            writer.write(_LEN.pack(len(message)) + message)
        await writer.drain()

    async def recv_one() -> bytes:
        (length,) = _LEN.unpack(await reader.readexactly(_LEN.size))
        return await reader.readexactly(length)

    async def round_trip() -> list[bytes]:
        task = asyncio.ensure_future(send_all())
        out = [await recv_one() for _ in range(COUNT)]
        await task
        return out

    result = benchmark(lambda: loop.run_until_complete(round_trip()))
    assert result == messages
    writer.close()
    client_writer.close()
    server.close()
