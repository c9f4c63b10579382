"""The covered form of a gossip message (protocol version 2): the message and the nodes it
is known to reach already.

In a full mesh every node hears a flooded message from its origin; if each receiver also
relayed it to every other peer, each link would carry it again, and every node would
open, hash and drop two or more copies of every transaction batch and proposal. So the
sender names the nodes it sends to (and those its sender named): a receiver relays only
to peers not named. A partial mesh still floods: a peer the sender does not reach is
never named, so its neighbours relay to it.

    n: u8 (0..MAX_COVERED) ‖ n × peer key[32] ‖ message

A sender that names a node it did not send to withholds the message from that node,
which it could do anyway by not relaying; the message still reaches every node through
the block that includes it (transactions) or the engine's rebroadcast (proposals).
"""

from __future__ import annotations

from collections.abc import Sequence

from tonomy.net.errors import ProtocolViolationError

#: Peer keys a covered message names at most; over it the rest are left out, which costs
#: only redundant relays, never a missed one.
MAX_COVERED = 64
KEY_BYTES = 32
#: The most a covered form adds to its message.
MAX_OVERHEAD = 1 + MAX_COVERED * KEY_BYTES


def encode_covered(covered: Sequence[bytes], message: bytes) -> bytes:
    """The covered form naming the first MAX_COVERED keys of ``covered``."""
    keys = list(covered)[:MAX_COVERED]
    if any(len(key) != KEY_BYTES for key in keys):
        raise ValueError("a covered peer key is 32 bytes")
    return b"".join([bytes([len(keys)]), *keys, message])


def decode_covered(payload: bytes) -> tuple[frozenset[bytes], bytes]:
    """``(covered keys, message)``; ProtocolViolationError if the framing is wrong (the
    message itself is checked by whoever handles its kind)."""
    if not payload:
        raise ProtocolViolationError("an empty covered message")
    count = payload[0]
    if count > MAX_COVERED:
        raise ProtocolViolationError(f"a covered message naming {count} peers (at most {MAX_COVERED})")
    start = 1 + count * KEY_BYTES
    if len(payload) < start:
        raise ProtocolViolationError("a covered message cut short in its peer keys")
    covered = frozenset(payload[1 + i * KEY_BYTES : 1 + (i + 1) * KEY_BYTES] for i in range(count))
    return covered, payload[start:]


__all__ = ["KEY_BYTES", "MAX_COVERED", "MAX_OVERHEAD", "decode_covered", "encode_covered"]
