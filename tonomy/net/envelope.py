"""The envelope inside every frame: one kind byte, then the message bytes.

The bytes of consensus and ledger messages are their Cap'n Proto wire encoding
(``tonomy._core.encode_vote`` and friends); the network layer never decodes them,
it only routes by kind. A kind the negotiated protocol version does not define is
a protocol violation (a newer peer would have negotiated a newer version).
"""

from __future__ import annotations

from enum import IntEnum

from tonomy.net.errors import ProtocolViolationError


class MessageKind(IntEnum):
    PING = 0x01
    PONG = 0x02
    # gossiped (deduplicated by hash, relayed to every other peer)
    TRANSACTION = 0x10
    PROPOSAL = 0x11
    VOTE = 0x12
    BLOCK = 0x13
    TRANSACTIONS = 0x14  # a batch of transactions (tonomy.net.txbatch)
    COVERED_TRANSACTIONS = 0x15  # version 2: a batch and the peers it reached (covered)
    COVERED_PROPOSAL = 0x16  # version 2: a proposal and the peers it reached (covered)
    # block sync (request/response with one peer, never relayed)
    STATUS = 0x20
    GET_BLOCKS = 0x21
    BLOCKS = 0x22
    # node-local plugin services (tonomy.node.plugin_services): lp8(plugin) ‖ payload,
    # point to point, never gossiped by the host
    PLUGIN = 0x30


GOSSIP_KINDS = frozenset(
    {
        MessageKind.TRANSACTION,
        MessageKind.TRANSACTIONS,
        MessageKind.COVERED_TRANSACTIONS,
        MessageKind.PROPOSAL,
        MessageKind.COVERED_PROPOSAL,
        MessageKind.VOTE,
        MessageKind.BLOCK,
    }
)
#: The protocol version that introduced each kind not in version 1.
KIND_SINCE_VERSION = {MessageKind.COVERED_TRANSACTIONS: 2, MessageKind.COVERED_PROPOSAL: 2}
#: The covered form (tonomy.net.covered) of a kind, sent to peers of version 2 or later.
COVERED_FORM = {MessageKind.TRANSACTIONS: MessageKind.COVERED_TRANSACTIONS, MessageKind.PROPOSAL: MessageKind.COVERED_PROPOSAL}
_KINDS = {int(kind): kind for kind in MessageKind}


def encode_envelope(kind: MessageKind, payload: bytes) -> bytes:
    return bytes([kind]) + payload


def decode_envelope(plaintext: bytes) -> tuple[MessageKind, bytes]:
    if not plaintext:
        raise ProtocolViolationError("an empty message")
    kind = _KINDS.get(plaintext[0])
    if kind is None:
        raise ProtocolViolationError(f"unknown message kind 0x{plaintext[0]:02x}")
    return kind, plaintext[1:]
