"""Gossip: flood transactions, proposals, votes and blocks to every peer, once.

Each message is identified by ``hash_tagged("tonomy/p2p/gossip/v1", kind ‖ payload)``.
The first sighting is handed to the kind's subscribers and, if none of them refuses it,
relayed to every peer except the one it came from; later sightings are dropped. A
subscriber refuses by returning False (invalid but maybe innocent, e.g. an expired
transaction: not relayed, the peer keeps its connection) or by raising
ProtocolViolationError (garbage: the peer is disconnected and banned). Size limits
per kind stop a peer from making us hash or relay oversize payloads, and a send budget
per peer stops us from relaying more than our neighbours accept. See docs/p2p.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from tonomy import _core
from tonomy.net.covered import MAX_OVERHEAD, decode_covered, encode_covered
from tonomy.net.envelope import COVERED_FORM, GOSSIP_KINDS, MessageKind
from tonomy.net.errors import ProtocolViolationError
from tonomy.net.manager import PeerManager
from tonomy.net.peer import Peer
from tonomy.net.ratelimit import TokenBucket
from tonomy.net.seen import SeenCache

log = logging.getLogger("tonomy.net")

TAG_GOSSIP_ID = "tonomy/p2p/gossip/v1"

#: ``(kind, payload, source peer key or None when published locally) -> relay?``
Subscriber = Callable[[MessageKind, bytes, bytes | None], "Awaitable[bool | None] | bool | None"]


#: Kinds not deduplicated by message id: a transaction batch is never relayed as is (each
#: node re-cuts what it admitted), so a batch id is never seen twice; its subscriber
#: deduplicates the transactions inside, and hashing every batch would only cost.
DEDUP_BY_SUBSCRIBER = frozenset({MessageKind.TRANSACTIONS, MessageKind.COVERED_TRANSACTIONS})

#: Peers speaking this protocol version or later take the covered forms (COVERED_FORM).
COVERED_SINCE_VERSION = 2

#: ``bytes([kind])`` per kind, made once: gossip_id runs for every transaction on every link.
_KIND_BYTE = {kind: bytes([kind]) for kind in MessageKind}


def gossip_id(kind: MessageKind, payload: bytes) -> bytes:
    return _core.hash_tagged(TAG_GOSSIP_ID, _KIND_BYTE[kind] + payload)


def default_size_limits() -> dict[MessageKind, int]:
    """Per-kind payload limits: the wire format's own limits."""
    limits = _core.WIRE_LIMITS
    return {
        MessageKind.TRANSACTION: limits.max_transaction_bytes,
        MessageKind.TRANSACTIONS: limits.max_block_bytes,
        MessageKind.COVERED_TRANSACTIONS: limits.max_block_bytes + MAX_OVERHEAD,
        MessageKind.COVERED_PROPOSAL: limits.max_block_bytes + MAX_OVERHEAD,
        MessageKind.VOTE: limits.max_vote_bytes,
        MessageKind.PROPOSAL: limits.max_block_bytes,
        MessageKind.BLOCK: limits.max_block_bytes,
    }


class Gossip:
    def __init__(
        self,
        manager: PeerManager,
        *,
        max_seen: int = 100_000,
        seen_ttl: float = 600.0,
        size_limits: Mapping[MessageKind, int] | None = None,
        send_fraction: float = 0.5,
    ) -> None:
        if not 0 < send_fraction <= 1:
            raise ValueError("send_fraction must be in (0, 1]")
        self.manager = manager
        self.seen = SeenCache(max_seen, seen_ttl)
        self.size_limits = dict(size_limits) if size_limits is not None else default_size_limits()
        self.send_fraction = send_fraction
        self._subscribers: dict[MessageKind, list[Subscriber]] = {}
        self._budgets: dict[bytes, tuple[TokenBucket, TokenBucket]] = {}
        self.delivered = 0
        self.duplicates = 0
        #: Copies not sent because a peer's gossip budget was spent (see ``_send``).
        self.dropped = 0
        manager.set_handler(GOSSIP_KINDS, self._on_message)
        manager.on_disconnect(self._forget)

    def subscribe(self, kind: MessageKind, subscriber: Subscriber) -> None:
        if kind not in GOSSIP_KINDS:
            raise ValueError(f"{kind.name} is not a gossip kind")
        self._subscribers.setdefault(kind, []).append(subscriber)

    def publish(self, kind: MessageKind, payload: bytes, *, exclude: bytes | None = None) -> int:
        """Send a message to every peer (but ``exclude``); returns how many took it (0 if seen before).

        ``exclude`` is for a node that relays what a peer sent in another form (a batch
        re-cut to the transactions it admitted): that peer has them already.
        """
        if kind not in GOSSIP_KINDS:
            raise ValueError(f"{kind.name} is not a gossip kind")
        if len(payload) > self.size_limits.get(kind, self.manager.config.max_frame_bytes - 1):
            raise ValueError(f"a {kind.name} of {len(payload)} bytes is over its gossip limit")
        if kind not in DEDUP_BY_SUBSCRIBER and not self.seen.add(gossip_id(kind, payload)):
            return 0
        if kind in COVERED_FORM:
            return self._send_covering(kind, payload, frozenset() if exclude is None else frozenset((exclude,)))
        return self._send(kind, payload, exclude=exclude)

    def publish_batch(self, batch: bytes, covered: frozenset[bytes] = frozenset()) -> int:
        """Send a transaction batch message to every peer not in ``covered`` (nodes that
        have it: its sender and those the sender named); returns how many took it."""
        if len(batch) > self.size_limits[MessageKind.TRANSACTIONS]:
            raise ValueError(f"a batch of {len(batch)} bytes is over its gossip limit")
        return self._send_covering(MessageKind.TRANSACTIONS, batch, covered)

    def _send_covering(self, kind: MessageKind, payload: bytes, covered: frozenset[bytes]) -> int:
        """Send to every peer not in ``covered`` whose budget allows it (see ``_send``).

        Version 2 peers get the covered form (tonomy.net.covered) naming every node that
        has the message once this send is done: those we send to, ourselves, and the
        nodes ``covered`` names; so in a full mesh a message crosses each link once
        instead of being relayed by every receiver. Version 1 peers get it plain.
        """
        cost = len(payload) + 64
        recipients = []
        for key, peer in list(self.manager.peers.items()):
            if key in covered:
                continue
            messages, volume = self._budget(key)
            if not messages.take() or not volume.take(cost):
                self.dropped += 1
                continue
            recipients.append(peer)
        # Those we send to, ourselves, then the inherited keys (these are the ones left
        # out if there are too many).
        names = [peer.key for peer in recipients]
        names.append(self.manager.identity.public_key)
        names += sorted(covered.difference(names))
        wrapped = None
        sent = 0
        for peer in recipients:
            if peer.version >= COVERED_SINCE_VERSION:
                if wrapped is None:
                    wrapped = encode_covered(names, payload)
                sent += peer.send(COVERED_FORM[kind], wrapped)
            else:
                sent += peer.send(kind, payload)
        return sent

    def _send(self, kind: MessageKind, payload: bytes, exclude: bytes | None) -> int:
        """Send to every peer but ``exclude`` whose gossip budget allows it.

        A node relays the union of what all its peers send, so without a cap it could
        forward N peers' worth of traffic to one neighbour and be banned by it as a
        flooder. Each peer gets at most ``send_fraction`` of the per-peer rates the
        receiving side enforces (same config assumed); over that, copies are dropped:
        gossip is best effort, and consensus and mempool recover lost messages.
        """
        sent = 0
        cost = len(payload) + 64
        for key, peer in list(self.manager.peers.items()):
            if key == exclude:
                continue
            messages, volume = self._budget(key)
            if not messages.take() or not volume.take(cost):
                self.dropped += 1
                continue
            sent += peer.send(kind, payload)
        return sent

    def _budget(self, key: bytes) -> tuple[TokenBucket, TokenBucket]:
        budget = self._budgets.get(key)
        if budget is None:
            config, share = self.manager.config, self.send_fraction
            budget = (
                TokenBucket(config.peer_messages_per_second * share, config.peer_messages_burst * share),
                TokenBucket(config.peer_bytes_per_second * share, config.peer_bytes_burst * share),
            )
            self._budgets[key] = budget
        return budget

    def _forget(self, peer: Peer) -> None:
        if peer.key not in self.manager.peers:
            self._budgets.pop(peer.key, None)

    async def _on_message(self, peer: Peer, kind: MessageKind, payload: bytes) -> None:
        limit = self.size_limits.get(kind)
        if limit is not None and len(payload) > limit:
            raise ProtocolViolationError(f"a gossiped {kind.name} of {len(payload)} bytes (limit {limit})")
        covered: frozenset[bytes] = frozenset()
        if kind is MessageKind.COVERED_PROPOSAL:  # relayed here: unwrap (covered batches go to their subscriber)
            covered, payload = decode_covered(payload)
            kind = MessageKind.PROPOSAL
            inner_limit = self.size_limits.get(kind)
            if inner_limit is not None and len(payload) > inner_limit:
                raise ProtocolViolationError(f"a gossiped {kind.name} of {len(payload)} bytes (limit {inner_limit})")
        if kind not in DEDUP_BY_SUBSCRIBER and not self.seen.add(gossip_id(kind, payload)):
            self.duplicates += 1
            return
        self.delivered += 1
        relay = True
        for subscriber in self._subscribers.get(kind, []):
            result = subscriber(kind, payload, peer.key)
            if not isinstance(result, bool) and result is not None:
                result = await result
            if result is False:
                relay = False
        if relay:
            if kind in COVERED_FORM:
                self._send_covering(kind, payload, covered.union((peer.key,)))
            else:
                self._send(kind, payload, exclude=peer.key)
