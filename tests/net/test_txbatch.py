"""The transaction batch gossip message: exact framing, every malformed form refused."""

from __future__ import annotations

import struct

import pytest

from tonomy import _core
from tonomy.net.envelope import GOSSIP_KINDS, MessageKind
from tonomy.net.errors import ProtocolViolationError
from tonomy.net.gossip import default_size_limits
from tonomy.net.txbatch import MAX_BATCH, chunks, decode_transaction_batch, encode_transaction_batch

LIMIT = _core.WIRE_LIMITS.max_transaction_bytes


def test_round_trip_keeps_order_and_bytes() -> None:
    txs = [b"a", b"bc" * 100, bytes(range(256)), b"\x00" * LIMIT]
    payload = encode_transaction_batch(txs)
    assert decode_transaction_batch(payload) == txs
    assert payload[:2] == struct.pack(">H", 4) and payload[2:6] == struct.pack(">I", 1)


def test_the_batch_kind_is_gossiped_with_a_size_limit() -> None:
    assert MessageKind.TRANSACTIONS in GOSSIP_KINDS
    assert default_size_limits()[MessageKind.TRANSACTIONS] == _core.WIRE_LIMITS.max_block_bytes


@pytest.mark.parametrize("txs", [[], [b""], [b"x" * (LIMIT + 1)], [b"x"] * (MAX_BATCH + 1), ["text"]])
def test_encoding_refuses_what_a_peer_would_refuse(txs: list[bytes]) -> None:
    with pytest.raises(ValueError):
        encode_transaction_batch(txs)


def one(length: int, body: bytes) -> bytes:
    return struct.pack(">I", length) + body


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00",
        struct.pack(">H", 0),
        struct.pack(">H", MAX_BATCH + 1) + one(1, b"x") * (MAX_BATCH + 1),
        struct.pack(">H", 1),  # the length is missing
        struct.pack(">H", 1) + b"\x00\x00",  # the length is cut
        struct.pack(">H", 1) + one(0, b""),  # an empty transaction
        struct.pack(">H", 1) + one(LIMIT + 1, b"x" * (LIMIT + 1)),  # over the wire limit
        struct.pack(">H", 1) + one(0xFFFFFFFF, b"x"),  # a huge claimed length
        struct.pack(">H", 1) + one(5, b"abc"),  # the transaction is cut
        struct.pack(">H", 2) + one(1, b"x"),  # fewer than the count
        struct.pack(">H", 1) + one(1, b"x") + b"!",  # stray bytes
    ],
)
def test_malformed_batches_are_protocol_violations(payload: bytes) -> None:
    with pytest.raises(ProtocolViolationError):
        decode_transaction_batch(payload)


def test_chunks_respect_count_and_size() -> None:
    txs = [bytes([i % 256]) * 100 for i in range(2500)]
    parts = list(chunks(txs, 10_000))
    assert [tx for part in parts for tx in part] == txs
    assert all(len(encode_transaction_batch(part)) <= 10_000 for part in parts)
    assert [len(part) for part in chunks(txs, 1 << 30)] == [MAX_BATCH, MAX_BATCH, 2500 - 2 * MAX_BATCH]
    assert list(chunks([], 100)) == []
    assert list(chunks([b"x" * 500], 100)) == [[b"x" * 500]]  # one transaction over the size still goes alone
