"""Proposed blocks decoded once per height, not once per use.

A consensus value is the ``encode_block`` bytes of a block. The driver needs the decoded
block to validate it, and again to commit it once decided; the proposer built the block
as an object and encoded it for the wire. Decoding thousands of transactions costs
milliseconds, so the driver keeps the last few decoded blocks here.

An entry answers only for exactly the bytes it was decoded from: it is keyed by the hash
of the block those bytes decode to, and a lookup compares the bytes themselves. Bytes that
differ in any way (even under the same claimed hash) are decoded afresh, so the cached
answer is always the one decoding would give. Node-local, bounded, thread-safe (the
chain thread fills it while validating, the event loop reads it when committing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from tonomy import _core

#: A height rarely sees more than a couple of values; a few heights' worth is plenty.
CAPACITY = 8


class DecodedBlocks:
    def __init__(self, capacity: int = CAPACITY) -> None:
        if capacity <= 0:
            raise ValueError("the cache needs room for at least one block")
        self._capacity = capacity
        self._entries: OrderedDict[bytes, tuple[bytes, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def remember(self, value: bytes, block: Any) -> None:
        """Keep ``block``, which is what ``value`` decodes to (the proposer's own build)."""
        with self._lock:
            self._entries[bytes(block.header.hash)] = (value, block)
            self._entries.move_to_end(bytes(block.header.hash))
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def cached(self, block_hash: bytes, value: bytes) -> Any | None:
        """The block ``value`` decodes to, if it was decoded (or built) here; else None."""
        with self._lock:
            entry = self._entries.get(block_hash)
        if entry is None or entry[0] != value:
            return None
        return entry[1]

    def decode(self, value: bytes, block_hash: bytes | None = None) -> Any:
        """``_core.decode_block(value)`` (raises ValueError likewise), from the cache when it can.

        ``block_hash`` is the hash the caller expects (a proposal's claim); it only picks
        the entry to compare against, the bytes decide.
        """
        if block_hash is not None:
            block = self.cached(block_hash, value)
            if block is not None:
                self.hits += 1
                return block
        block = _core.decode_block(value)
        self.misses += 1
        self.remember(value, block)
        return block


__all__ = ["CAPACITY", "DecodedBlocks"]
