"""A one-shot node for the network-namespace test, run as a script inside a namespace.

``listen SEED_HEX HOST PORT``: accept one peer, answer its first VOTE with the reversed
payload, exit 0. ``dial SEED_HEX HOST PORT PEER_KEY_HEX``: connect (requiring that key),
send a VOTE, print the answer, exit 0. Exit 2 on timeout.
"""

from __future__ import annotations

import asyncio
import sys

from tonomy.net import MessageKind, NetConfig, NodeIdentity, PeerAddress, PeerManager

CHAIN_ID = bytes(range(32))


async def listen(identity: NodeIdentity, host: str, port: int) -> None:
    manager = PeerManager(identity, CHAIN_ID, NetConfig(handshake_timeout=3.0))
    answered = asyncio.Event()

    async def on_vote(peer, kind, payload):  # type: ignore[no-untyped-def]
        peer.send(MessageKind.VOTE, payload[::-1])
        answered.set()

    manager.set_handler([MessageKind.VOTE], on_vote)
    await manager.listen(host, port)
    print("ready", flush=True)
    await answered.wait()
    await asyncio.sleep(0.3)  # let the answer leave before closing
    await manager.close()


async def dial(identity: NodeIdentity, host: str, port: int, peer_key: bytes) -> None:
    manager = PeerManager(identity, CHAIN_ID, NetConfig(reconnect_initial=0.1, reconnect_max=0.5))
    answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    async def on_vote(peer, kind, payload):  # type: ignore[no-untyped-def]
        if not answer.done():
            answer.set_result(payload)

    manager.set_handler([MessageKind.VOTE], on_vote)
    manager.add_peer(PeerAddress(host, port, peer_key))
    while peer_key not in manager.peers:
        await asyncio.sleep(0.02)
    manager.send(peer_key, MessageKind.VOTE, b"across-namespaces")
    print((await answer).decode(), flush=True)
    await manager.close()


def main() -> int:
    role, seed_hex, host, port = sys.argv[1:5]
    identity = NodeIdentity(bytes.fromhex(seed_hex))
    coro = listen(identity, host, int(port)) if role == "listen" else dial(identity, host, int(port), bytes.fromhex(sys.argv[5]))

    async def bounded() -> None:
        async with asyncio.timeout(10):
            await coro

    try:
        asyncio.run(bounded())
    except TimeoutError:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
