"""The node on the p2p network: identity, peers, gossip of transactions and consensus
messages, and block sync over the chain thread.

Node-local (never consensus-critical). The node's identity key lives in its data
directory (``node.key``); validators may dial each other as ``HOST:PORT`` (any key)
or ``KEYHEX@HOST:PORT`` (the peer must prove that key).

A transaction admitted through the API is gossiped; one received from a peer is
admitted to this node's mempool (and relayed only if admission accepts it), so a
transaction submitted to any node reaches the proposer of a later height.

Transactions travel in batches (``MessageKind.TRANSACTIONS``): what the API admits
within a few milliseconds goes out as one message, and a batch from a peer is
admitted with one chain call (its signatures verified together). Admitting a batch
runs in its own task, so the peer's reader goes on to its next frame (a vote stuck
behind a busy chain thread would slow consensus down).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.chain import stored
from tonomy.errors import TonomyError
from tonomy.net import BlockSync, Gossip, MessageKind, NetConfig, NodeIdentity, PeerManager
from tonomy.net.seen import SeenPayloads
from tonomy.net.covered import decode_covered
from tonomy.net.txbatch import chunks, decode_transaction_batch, encode_transaction_batch
from tonomy.node.views import transaction_ids

log = logging.getLogger("tonomy.node.network")

IDENTITY_FILE = "node.key"
#: Transactions admitted through the API within this long go out as one batch.
GOSSIP_BATCH_DELAY_S = 0.005
#: A batch message carries about this many bytes at most (well under the frame limit).
GOSSIP_BATCH_BYTES = 1 << 20
#: Batches from peers being admitted at once; more are dropped (gossip is best effort).
MAX_ADMITTING_BATCHES = 64

#: The transactions this node has seen (from the API or in peers' batches) are remembered
#: by their bytes: at most this many, this many bytes, this long (see SeenPayloads).
SEEN_TRANSACTIONS = 100_000
SEEN_TRANSACTION_BYTES = 48 << 20
SEEN_TRANSACTION_TTL_S = 600.0

#: Heights below the head whose stored bytes a synced block is compared with before decoding.
RECENT_HEIGHTS = 4

#: ``(header, transaction ids)`` after block sync committed a block.
SyncedListener = Callable[[Any, list[bytes]], None]


class WorkerSyncedChain:
    """``SyncedChain`` over the node's chain: reads under the chain's lock, applies on its thread.

    Blocks are served as stored, never decoded. A block this node already holds (committed
    meanwhile by consensus) is accepted as a no-op when it is the same block, so an honest
    peer racing our own commit is not punished; for the last few heights the stored bytes
    are compared first, so such a block is not even decoded.
    """

    def __init__(self, worker: Any, on_applied: SyncedListener) -> None:
        self._worker = worker
        self._on_applied = on_applied

    def height(self) -> int:
        return int(self._worker.chain.height)

    def head_hash(self) -> bytes:
        return bytes(self._worker.chain.head.hash)

    def get_block(self, height: int) -> bytes | None:
        return stored.block_bytes(self._worker.chain, height) if height >= 1 else None  # as stored: not decoded

    def get_commit(self, height: int) -> bytes | None:
        return stored.commit_bytes(self._worker.chain, height) if height >= 1 else None

    def apply_block(self, block: bytes, commit: bytes | None) -> Awaitable[None]:
        return self._apply(block, commit)

    async def _apply(self, block: bytes, commit: bytes | None) -> None:
        def apply(chain: Any) -> Any:
            head = chain.height
            for height in range(head, max(0, head - RECENT_HEIGHTS), -1):
                if stored.block_bytes(chain, height) == block:
                    return None  # committed meanwhile (by consensus): these very bytes, nothing to decode
            decoded = _core.decode_block(block)
            header = decoded.header
            if header.height <= chain.height:
                held = chain.get_block(header.height)
                if held is None or held.header.hash != header.hash:
                    raise ValueError(f"a different block at height {header.height}")
                return None
            if not commit:
                raise ValueError("a synced block must carry its commit")
            return chain.apply_block(decoded, _core.decode_commit(commit), block), transaction_ids(decoded)

        applied = await self._worker.call(apply)
        if applied is not None:
            self._on_applied(*applied)


class NodeNetwork:
    def __init__(
        self,
        *,
        data_dir: Path,
        chain_id: bytes,
        worker: Any,
        on_synced: SyncedListener,
        on_transaction_admitted: Callable[[bytes], None],
        config: NetConfig | None = None,
    ) -> None:
        self.identity = NodeIdentity.load_or_create(data_dir / IDENTITY_FILE)
        self.manager = PeerManager(self.identity, chain_id, config or NetConfig())
        self.gossip = Gossip(self.manager)
        self.sync = BlockSync(self.manager, WorkerSyncedChain(worker, on_synced), status_interval=2.0)
        self._worker = worker
        self._on_transaction_admitted = on_transaction_admitted
        #: Dedup of batched transactions (not hashed: every copy on every link is checked).
        self.seen_transactions = SeenPayloads(SEEN_TRANSACTIONS, SEEN_TRANSACTION_BYTES, SEEN_TRANSACTION_TTL_S)
        self.gossip.subscribe(MessageKind.TRANSACTION, self._on_transaction)
        self.gossip.subscribe(MessageKind.TRANSACTIONS, self._on_transactions)
        self.gossip.subscribe(MessageKind.COVERED_TRANSACTIONS, self._on_transactions)
        self.address: tuple[str, int] | None = None
        self._outbox: list[bytes] = []
        self._flush: asyncio.TimerHandle | None = None
        self._admitting: set[asyncio.Task[None]] = set()
        #: Gossiped batches dropped because too many were being admitted already.
        self.batches_dropped = 0

    async def start(self, host: str, port: int, peers: Sequence[str]) -> tuple[str, int]:
        self.address = await self.manager.listen(host, port)
        for peer in peers:
            self.manager.add_peer(peer)
        self.sync.start()
        log.info("p2p: %s listening on %s:%d, %d configured peers", self.identity.short, *self.address, len(peers))
        return self.address

    async def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
        for task in list(self._admitting):
            task.cancel()
        await asyncio.gather(*self._admitting, return_exceptions=True)
        await self.sync.close()
        await self.manager.close()

    def subscribe_consensus(self, on_proposal: Callable[[bytes], None], on_vote: Callable[[bytes], None]) -> None:
        self.gossip.subscribe(MessageKind.PROPOSAL, lambda _k, payload, _src: on_proposal(payload))
        self.gossip.subscribe(MessageKind.VOTE, lambda _k, payload, _src: on_vote(payload))

    def publish_consensus(self, kind: str, message: bytes) -> None:
        """Send a proposal or vote; a repeat (rebroadcast) bypasses our own dedup."""
        message_kind = MessageKind.PROPOSAL if kind == "proposal" else MessageKind.VOTE
        if self.gossip.publish(message_kind, message) == 0:
            self.manager.broadcast(message_kind, message)

    def publish_transaction(self, tx_bytes: bytes) -> None:
        """Gossip a transaction this node admitted; it leaves with the others of the next few ms."""
        if not self.seen_transactions.fresh([tx_bytes]):
            return  # gossiped already (it came from a peer, or was submitted twice)
        self._outbox.append(tx_bytes)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(GOSSIP_BATCH_DELAY_S, self._flush_outbox)

    def _flush_outbox(self) -> None:
        self._flush = None
        outbox, self._outbox = self._outbox, []
        self._send_batches(outbox, frozenset())

    def _send_batches(self, txs: list[bytes], covered: frozenset[bytes]) -> None:
        for batch in chunks(txs, GOSSIP_BATCH_BYTES):
            try:
                self.gossip.publish_batch(encode_transaction_batch(batch), covered)
            except ValueError:
                log.debug("p2p: a transaction batch over the gossip limit was not gossiped")

    async def _on_transaction(self, _kind: MessageKind, payload: bytes, _source: bytes | None) -> bool:
        try:
            tx_id = await self._worker.call(lambda chain, tx: chain.submit(tx), payload)
        except TonomyError:
            return False  # expired, duplicate, invalid...: not relayed; the sender may be innocent
        except Exception:
            log.exception("p2p: admitting a gossiped transaction failed")
            return False
        self._on_transaction_admitted(tx_id)
        return True

    def _on_transactions(self, kind: MessageKind, payload: bytes, source: bytes | None) -> bool:
        """A batch from a peer: admit the transactions not seen before, relay those admitted.

        Malformed framing raises ProtocolViolationError (the peer is banned); a refused
        transaction inside is only not relayed. The batch itself is never relayed as is:
        what this node admitted goes on as its own batch, to every peer that does not
        have it already: not the sender, nor (COVERED_TRANSACTIONS) the peers the sender
        says the batch reached.
        """
        covered: frozenset[bytes] = frozenset()
        if kind is MessageKind.COVERED_TRANSACTIONS:
            covered, payload = decode_covered(payload)
        if source is not None:
            covered = covered.union((source,))
        txs = decode_transaction_batch(payload)
        fresh = self.seen_transactions.fresh(txs)
        if not fresh:
            return False
        if len(self._admitting) >= MAX_ADMITTING_BATCHES:
            self.batches_dropped += 1
            return False
        # A batch wholly fresh and not too big goes on as received if all of it is admitted.
        whole = payload if len(fresh) == len(txs) and len(payload) <= GOSSIP_BATCH_BYTES else None
        task = asyncio.create_task(self._admit_batch(fresh, covered, whole), name="p2p-admit-batch")
        self._admitting.add(task)
        task.add_done_callback(self._admitting.discard)
        return False

    async def _admit_batch(self, txs: list[bytes], covered: frozenset[bytes], whole: bytes | None = None) -> None:
        """Admit ``txs`` (one chain call) and relay those admitted to every peer not ``covered``.

        ``whole`` is the batch message ``txs`` were decoded from, when they are all of it:
        if every one is admitted, it is relayed as it came (the same bytes a re-encode
        would give), saving the encode.
        """
        try:
            results = await self._worker.call_bulk(lambda chain, batch: chain.submit_many(batch), txs)
        except TonomyError as exc:
            log.debug("p2p: a gossiped batch was not admitted: %s", exc)
            return
        except Exception:
            log.exception("p2p: admitting a gossiped batch failed")
            return
        admitted = []
        for tx, result in zip(txs, results, strict=True):
            if isinstance(result, bytes):
                self._on_transaction_admitted(result)
                admitted.append(tx)
        if whole is not None and len(admitted) == len(txs):
            self.gossip.publish_batch(whole, covered)
        elif admitted:
            self._send_batches(admitted, covered)

    def announce(self) -> None:
        self.sync.announce()



__all__ = ["IDENTITY_FILE", "NodeNetwork", "WorkerSyncedChain"]
