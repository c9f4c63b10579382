"""``SyncedChain`` over a ``tonomy.chain.Chain``: what the node hands to ``BlockSync``.

Blocks and commits cross the network as their Cap'n Proto bytes; this adapter serves
them as stored and decodes what we apply (the decoders enforce the wire limits, and
``Chain.apply_block`` validates everything else). Applying runs in a worker thread so
the event loop keeps serving peers while a long catch-up executes blocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from tonomy import _core
from tonomy.chain import stored
from tonomy.chain.chain import Chain


class ChainSyncAdapter:
    def __init__(self, chain: Chain, *, in_thread: bool = True) -> None:
        self.chain = chain
        self.in_thread = in_thread

    def height(self) -> int:
        return self.chain.height

    def head_hash(self) -> bytes:
        return self.chain.head.hash

    def get_block(self, height: int) -> bytes | None:
        return stored.block_bytes(self.chain, height) if height >= 1 else None

    def get_commit(self, height: int) -> bytes | None:
        return stored.commit_bytes(self.chain, height) if height >= 1 else None

    def apply_block(self, block: bytes, commit: bytes | None) -> Awaitable[None] | None:
        decoded = _core.decode_block(block)
        decoded_commit = _core.decode_commit(commit) if commit else None
        if not self.in_thread:
            self.chain.apply_block(decoded, decoded_commit)
            return None
        return asyncio.to_thread(self._apply, decoded, decoded_commit)

    def _apply(self, block: _core.Block, commit: _core.Commit | None) -> None:
        self.chain.apply_block(block, commit)
