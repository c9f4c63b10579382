"""Block sync: serve our blocks to peers and catch up from peers that are ahead.

Peers exchange STATUS (height, head hash) on connect and whenever the node announces a
new head. While some peer reports a greater height, the client asks the highest one for
the next ``batch`` blocks, applies them in order through the ``SyncedChain`` callbacks
and repeats. Responses are bounded (blocks per request and bytes per response); a
response nobody asked for, for other heights, or carrying a block the chain refuses
is a protocol violation: that peer is dropped and banned and another one is tried.

A node that runs consensus itself commits every block through consensus, a moment after
the fastest peer does: that peer's STATUS then shows it one block ahead. Fetching that
block would cost the peer a read and a send, and us a decode, of a block we are about to
commit anyway. With ``follow_grace`` set, a peer exactly one block ahead is given that
long to be matched by our own commit before its block is requested; a peer further
ahead (we missed heights: a restart, a partition) is synced from at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable
from typing import Protocol

from tonomy.errors import PluginVersionMissingError
from tonomy.net.envelope import MessageKind
from tonomy.net.errors import NetError, ProtocolViolationError
from tonomy.net.manager import PeerManager
from tonomy.net.peer import Peer
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

log = logging.getLogger("tonomy.net")

SYNC_KINDS = (MessageKind.STATUS, MessageKind.GET_BLOCKS, MessageKind.BLOCKS)


class SyncedChain(Protocol):
    """What sync needs from the node's chain (the node adapts ``tonomy.chain.Chain``)."""

    def height(self) -> int: ...
    def head_hash(self) -> bytes: ...
    def get_block(self, height: int) -> bytes | None:
        """The encoded block at ``height`` (None if we do not have it)."""

    def get_commit(self, height: int) -> bytes | None:
        """The encoded commit that finalized block ``height``, if stored."""

    def apply_block(self, block: bytes, commit: bytes | None) -> Awaitable[None] | None:
        """Validate and commit the next block; raise (any exception) if it is invalid."""


class BlockSync:
    def __init__(
        self,
        manager: PeerManager,
        chain: SyncedChain,
        *,
        batch: int = 32,
        max_response_bytes: int | None = None,
        request_timeout: float = 5.0,
        status_interval: float = 10.0,
        follow_grace: float = 0.0,
    ) -> None:
        if not 1 <= batch <= MAX_BLOCKS_PER_REQUEST:
            raise ValueError(f"batch must be 1..{MAX_BLOCKS_PER_REQUEST}")
        self.manager = manager
        self.chain = chain
        self.batch = batch
        # Room for the envelope byte and the BLOCKS header inside one frame.
        self.max_response_bytes = min(max_response_bytes or manager.config.max_frame_bytes, manager.config.max_frame_bytes - 64)
        self.request_timeout = request_timeout
        self.status_interval = status_interval
        self.follow_grace = follow_grace
        self._graced = -1  # the height we last gave our own consensus time to commit
        self._advanced = asyncio.Event()  # set by announce(): our head moved
        self.peer_status: dict[bytes, Status] = {}
        self._pending: dict[int, tuple[bytes, GetBlocks, asyncio.Future[Blocks]]] = {}
        self._ids = itertools.count(1)
        self._wakeup = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        manager.set_handler(SYNC_KINDS, self._on_message)
        manager.on_connect(self._on_connect)
        manager.on_disconnect(self._on_disconnect)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="net-sync")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def status(self) -> Status:
        return Status(self.chain.height(), self.chain.head_hash())

    def announce(self) -> None:
        """Tell every peer our head (the node calls this after committing a block)."""
        self._advanced.set()
        self.manager.broadcast(MessageKind.STATUS, encode_status(self.status()))

    def best_peer(self) -> tuple[bytes, Status] | None:
        """The connected peer reporting the greatest height above ours (ties: smaller key)."""
        ours = self.chain.height()
        ahead = [(key, s) for key, s in self.peer_status.items() if s.height > ours and key in self.manager.peers]
        return min(ahead, key=lambda item: (-item[1].height, item[0])) if ahead else None

    async def wait_for_height(self, height: int, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            async with self._progress:
                await self._progress.wait_for(lambda: self.chain.height() >= height)

    # -- client ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.status_interval):  # not wait_for: it can swallow a cancel (3.11)
                    await self._wakeup.wait()
            self._wakeup.clear()
            advanced = False
            while (best := self.best_peer()) is not None:
                key, status = best
                if await self._let_own_commit_come(status.height):
                    continue
                try:
                    applied = await self.sync_from(key)
                except NetError as exc:
                    log.info("sync from %s failed: %s", key.hex()[:12], exc)
                    applied = 0
                if applied == 0:
                    self.peer_status.pop(key, None)  # its claim was stale or it failed: ask again later
                advanced = advanced or applied > 0
            if advanced:
                self.announce()

    async def _let_own_commit_come(self, height: int) -> bool:
        """Wait up to ``follow_grace`` for our head to reach ``height`` if it is the next one.

        True if it waited (the caller looks again at who is ahead); once per height, so a
        block our consensus does not commit in time is then fetched.
        """
        if self.follow_grace <= 0 or height != self.chain.height() + 1 or height == self._graced:
            return False
        self._graced = height
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.follow_grace
        while self.chain.height() < height and (remaining := deadline - loop.time()) > 0:
            self._advanced.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._advanced.wait()
        return True

    async def sync_from(self, peer_key: bytes) -> int:
        """Request and apply the next batch from one peer; returns how many blocks were applied."""
        peer = self.manager.peers.get(peer_key)
        status = self.peer_status.get(peer_key)
        if peer is None or status is None:
            return 0
        start = self.chain.height() + 1
        if status.height < start:
            return 0  # we caught up meanwhile (e.g. consensus committed): asking for 0 blocks is a violation
        request = GetBlocks(next(self._ids) & 0xFFFFFFFF, start, min(self.batch, status.height - start + 1))
        future: asyncio.Future[Blocks] = asyncio.get_running_loop().create_future()
        self._pending[request.request_id] = (peer_key, request, future)
        try:
            if not peer.send(MessageKind.GET_BLOCKS, encode_get_blocks(request)):
                return 0
            try:
                async with asyncio.timeout(self.request_timeout):
                    response = await future
            except TimeoutError:
                log.info("%r did not answer a block request in %.1fs", peer, self.request_timeout)
                return 0
        finally:
            self._pending.pop(request.request_id, None)
        applied = 0
        for block, commit in response.items:
            try:
                result = self.chain.apply_block(block, commit)
                if result is not None:
                    await result
            except PluginVersionMissingError as exc:  # our fault, not the peer's: halt (docs/upgrades.md)
                log.critical("HALTED: %s", exc.message)
                break
            except Exception as exc:  # the chain refused it: the peer served an invalid block
                self.manager.punish(peer, ProtocolViolationError(f"served an invalid block at {start + applied}: {exc}"))
                break
            applied += 1
            async with self._progress:
                self._progress.notify_all()
        return applied

    # -- messages ------------------------------------------------------------------------------

    async def _on_connect(self, peer: Peer) -> None:
        peer.send(MessageKind.STATUS, encode_status(self.status()))

    async def _on_disconnect(self, peer: Peer) -> None:
        if peer.key not in self.manager.peers:  # not replaced by a newer connection to the same node
            self.peer_status.pop(peer.key, None)
        for peer_key, _, future in list(self._pending.values()):
            if peer_key == peer.key and not future.done():
                future.set_exception(NetError(f"{peer!r} disconnected"))

    async def _on_message(self, peer: Peer, kind: MessageKind, payload: bytes) -> None:
        if kind is MessageKind.STATUS:
            status = decode_status(payload)
            self.peer_status[peer.key] = status
            if status.height > self.chain.height():
                self._wakeup.set()
        elif kind is MessageKind.GET_BLOCKS:
            self._serve(peer, decode_get_blocks(payload))
        else:
            self._receive(peer, decode_blocks(payload))

    def _serve(self, peer: Peer, request: GetBlocks) -> None:
        items: list[tuple[bytes, bytes | None]] = []
        size = 0
        for height in range(request.from_height, request.from_height + request.count):
            block = self.chain.get_block(height)
            if block is None:
                break
            commit = self.chain.get_commit(height)
            item_size = 8 + len(block) + len(commit or b"")
            if items and size + item_size > self.max_response_bytes:
                break
            if size + item_size > self.max_response_bytes:
                break  # one block larger than the response limit: nothing we can send
            items.append((block, commit))
            size += item_size
        peer.send(MessageKind.BLOCKS, encode_blocks(Blocks(request.request_id, request.from_height, tuple(items))))

    def _receive(self, peer: Peer, response: Blocks) -> None:
        pending = self._pending.get(response.request_id)
        if pending is None or pending[0] != peer.key:
            raise ProtocolViolationError("BLOCKS that we did not ask this peer for")
        _, request, future = pending
        if response.from_height != request.from_height or len(response.items) > request.count:
            raise ProtocolViolationError("BLOCKS for other heights than requested")
        if not future.done():
            future.set_result(response)
