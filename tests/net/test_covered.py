"""The covered form of gossip messages: exact framing, every malformed form refused."""

from __future__ import annotations

import pytest

from tonomy.net.covered import MAX_COVERED, decode_covered, encode_covered
from tonomy.net.errors import ProtocolViolationError
from tonomy.net.txbatch import decode_transaction_batch, encode_transaction_batch


def test_covered_round_trip_and_key_cap() -> None:
    batch = encode_transaction_batch([b"tx1", b"tx2"])
    keys = [bytes([i]) * 32 for i in range(3)]
    covered, inner = decode_covered(encode_covered(keys, batch))
    assert covered == frozenset(keys) and inner == batch
    many = [i.to_bytes(32, "big") for i in range(MAX_COVERED + 5)]
    covered, inner = decode_covered(encode_covered(many, batch))
    assert covered == frozenset(many[:MAX_COVERED]) and inner == batch  # the rest left out, not an error
    assert decode_covered(encode_covered([], batch)) == (frozenset(), batch)
    with pytest.raises(ValueError):
        encode_covered([b"short"], batch)


@pytest.mark.parametrize(
    "payload",
    [b"", bytes([MAX_COVERED + 1]) + bytes(32 * (MAX_COVERED + 1)), bytes([2]) + bytes(63), bytes([255])],
)
def test_malformed_covered_messages_are_violations(payload: bytes) -> None:
    with pytest.raises(ProtocolViolationError):
        decode_covered(payload)


def test_a_covered_batch_with_a_garbage_inner_batch_is_refused_by_the_batch_decoder() -> None:
    covered, inner = decode_covered(bytes([1]) + bytes(32) + b"\x00")
    assert covered == frozenset([bytes(32)])
    with pytest.raises(ProtocolViolationError):
        decode_transaction_batch(inner)
