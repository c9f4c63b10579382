"""The network layer: authenticated encrypted transport, peers, gossip and block sync.

Node-local and never consensus-critical (wall clock and OS randomness are fine here);
docs/p2p.md is the specification. One concept per module:

- ``identity``   the node's long-term Ed25519 identity
- ``handshake``  the authenticated key exchange that opens a connection
- ``channel``    encrypted, counter-checked frames after the handshake
- ``envelope``   the message kind byte inside each frame
- ``peer``       one connection: bounded send queue, rate-limited reader
- ``manager``    accepting, dialling, limits and bans
- ``gossip``     deduplicated flooding of transactions, proposals, votes, blocks
- ``syncproto`` / ``sync``  block sync messages and the client that catches a node up
- ``chain_adapter``  ``SyncedChain`` over ``tonomy.chain.Chain`` (imported on its own)
"""

from tonomy.net.config import NetConfig
from tonomy.net.envelope import GOSSIP_KINDS, MessageKind
from tonomy.net.gossip import Gossip
from tonomy.net.identity import NodeIdentity
from tonomy.net.manager import PeerAddress, PeerManager
from tonomy.net.peer import Peer
from tonomy.net.sync import BlockSync, SyncedChain

__all__ = [
    "GOSSIP_KINDS",
    "BlockSync",
    "Gossip",
    "MessageKind",
    "NetConfig",
    "NodeIdentity",
    "Peer",
    "PeerAddress",
    "PeerManager",
    "SyncedChain",
]
