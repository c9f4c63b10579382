"""The driver's decoded-block cache answers exactly what decoding the same bytes answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tonomy import _core
from tonomy.node.block_values import DecodedBlocks
from tonomy.testing.ledger import LedgerNet


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = LedgerNet.create(tmp_path / "chain")
    yield opened
    opened.close()


def some_transaction(net: LedgerNet, memo: str) -> _core.SignedTransaction:
    raw = net.transaction(LedgerNet.action("notes", "write", {"text": memo}, "alice@active"), ["alice"])
    return _core.decode_signed_transaction(raw)


def test_a_decoded_block_is_the_one_decoding_gives_and_is_reused(net: LedgerNet) -> None:
    net.produce()
    block = net.chain.get_block(1)
    assert block is not None
    value = _core.encode_block(block)
    cache = DecodedBlocks()
    first = cache.decode(value, block.header.hash)
    assert first == _core.decode_block(value) and cache.misses == 1
    again = cache.decode(bytes(bytearray(value)), block.header.hash)  # equal bytes, another object
    assert again is first and cache.hits == 1


def test_other_bytes_under_the_same_hash_are_decoded_afresh(net: LedgerNet) -> None:
    """A proposal that keeps a block's header (so its hash) but swaps its transactions: keyed
    by the hash alone, the cache would hand back the honest block for the forged bytes."""
    net.produce()
    honest = net.chain.get_block(1)
    assert honest is not None
    forged = _core.Block(honest.header, [some_transaction(net, "swapped")], honest.last_commit)
    honest_value, forged_value = _core.encode_block(honest), _core.encode_block(forged)
    assert forged.header.hash == honest.header.hash and forged_value != honest_value
    cache = DecodedBlocks()
    cache.remember(honest_value, honest)
    assert cache.cached(honest.header.hash, forged_value) is None
    got = cache.decode(forged_value, honest.header.hash)
    assert got == _core.decode_block(forged_value) and len(got.transactions) == 1
    # The forged entry replaced the honest one; the honest bytes still get the honest block.
    assert cache.decode(honest_value, honest.header.hash) == honest


def test_garbage_raises_like_decoding_and_is_not_kept() -> None:
    cache = DecodedBlocks()
    for junk in (b"", b"\x00" * 7, b"garbage" * 100):
        with pytest.raises(ValueError):
            cache.decode(junk, bytes(32))
    assert cache.cached(bytes(32), b"") is None and cache.hits == 0


def test_the_cache_is_bounded(net: LedgerNet) -> None:
    cache = DecodedBlocks(capacity=2)
    values = []
    for _ in range(3):
        header = net.produce()
        block = net.chain.get_block(header.height)
        assert block is not None
        values.append((block.header.hash, _core.encode_block(block), block))
        cache.remember(values[-1][1], block)
    assert cache.cached(values[0][0], values[0][1]) is None  # the oldest went first
    assert cache.cached(values[2][0], values[2][1]) == values[2][2]
    with pytest.raises(ValueError):
        DecodedBlocks(capacity=0)
