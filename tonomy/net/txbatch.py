"""Many transactions in one gossip message (``MessageKind.TRANSACTIONS``).

One frame per transaction costs a seal, a queue entry, a rate-limit token and a
chain-thread hop per transaction on every link; at thousands of transactions per
second that, not the chain, is the bottleneck (and the per-peer message budget caps
it). A batch carries up to :data:`MAX_BATCH` transactions as::

    count: u16 (big-endian, 1..MAX_BATCH)
    count × ( length: u32 (big-endian, 1..max_transaction_bytes), bytes )

The network layer checks only this framing: a peer that sends a malformed batch
is misbehaving (ProtocolViolationError). The transactions inside are admitted
one by one by the chain, like single gossiped transactions, and a refused one is
simply not relayed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

from tonomy import _core
from tonomy.net.errors import ProtocolViolationError

#: Transactions per batch message at most.
MAX_BATCH = 1024
_COUNT = struct.Struct(">H")
_LENGTH = struct.Struct(">I")


def encode_transaction_batch(transactions: Sequence[bytes]) -> bytes:
    """The batch message of 1 to MAX_BATCH transactions (each within the wire limit)."""
    if not 1 <= len(transactions) <= MAX_BATCH:
        raise ValueError(f"a transaction batch holds 1 to {MAX_BATCH} transactions, got {len(transactions)}")
    limit = _core.WIRE_LIMITS.max_transaction_bytes
    parts = [_COUNT.pack(len(transactions))]
    for tx in transactions:
        if type(tx) is not bytes or not 1 <= len(tx) <= limit:
            raise ValueError(f"a batched transaction is 1 to {limit} bytes")
        parts.append(_LENGTH.pack(len(tx)))
        parts.append(tx)
    return b"".join(parts)


def decode_transaction_batch(payload: bytes) -> list[bytes]:
    """The transactions of a batch message; ProtocolViolationError if it is not one."""
    if len(payload) < _COUNT.size:
        raise ProtocolViolationError("a transaction batch shorter than its count")
    (count,) = _COUNT.unpack_from(payload, 0)
    if not 1 <= count <= MAX_BATCH:
        raise ProtocolViolationError(f"a transaction batch of {count} transactions (1 to {MAX_BATCH} allowed)")
    limit = _core.WIRE_LIMITS.max_transaction_bytes
    out: list[bytes] = []
    offset = _COUNT.size
    for _ in range(count):
        if offset + _LENGTH.size > len(payload):
            raise ProtocolViolationError("a transaction batch cut short (a length is missing)")
        (length,) = _LENGTH.unpack_from(payload, offset)
        offset += _LENGTH.size
        if not 1 <= length <= limit:
            raise ProtocolViolationError(f"a batched transaction of {length} bytes (1 to {limit} allowed)")
        if offset + length > len(payload):
            raise ProtocolViolationError("a transaction batch cut short (a transaction is truncated)")
        out.append(payload[offset : offset + length])
        offset += length
    if offset != len(payload):
        raise ProtocolViolationError(f"{len(payload) - offset} stray bytes after a transaction batch")
    return out


def chunks(transactions: Sequence[bytes], max_bytes: int) -> Iterator[list[bytes]]:
    """Split into batches of at most MAX_BATCH transactions and about ``max_bytes`` encoded."""
    batch: list[bytes] = []
    size = _COUNT.size
    for tx in transactions:
        cost = _LENGTH.size + len(tx)
        if batch and (len(batch) >= MAX_BATCH or size + cost > max_bytes):
            yield batch
            batch, size = [], _COUNT.size
        batch.append(tx)
        size += cost
    if batch:
        yield batch


__all__ = ["MAX_BATCH", "chunks", "decode_transaction_batch", "encode_transaction_batch"]
