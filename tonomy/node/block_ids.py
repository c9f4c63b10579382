"""Which transactions committed, block by block, for watchers that follow many of them.

``GET /v1/blocks/transaction-ids?from_height=H&timeout=S`` answers the transaction
ids of consecutive committed blocks from ``H`` on, each block's ids as one hex string
of 32-byte ids concatenated. When ``H`` is this node's next block it waits up to ``S``
seconds for it (a long poll), so one request per block replaces polling the head and
reading every block's JSON.

The ids of the last blocks this node committed are kept in memory (:class:`RecentBlockIds`,
fed with the same ids the commit watch wakes waiters with); older blocks are read from
the chain. The answer is the same either way: both are the committed block's ids in
block order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse, Response

from tonomy.errors import NotFoundError
from tonomy.node.api_models import CommittedTransactionIds
from tonomy.node.errors import BadRequestError, NodeUnavailableError

#: Blocks whose ids stay in memory (a few seconds of blocks; older ones come from the chain).
RECENT_BLOCKS = 128
#: One answer covers at most this many blocks, and stops after the block that reaches MAX_IDS.
MAX_BLOCKS = 64
MAX_IDS = 20_000
#: Long polls waiting at once; more are answered at once (they may ask again).
MAX_WAITERS = 1_000
MAX_TIMEOUT_S = 60.0
MAX_HEIGHT = (1 << 63) - 1
HEIGHT_PATTERN = r"^[0-9]{1,19}$"


class RecentBlockIds:
    """The concatenated transaction ids of the blocks committed last, by height (bounded)."""

    def __init__(self, capacity: int = RECENT_BLOCKS) -> None:
        self._capacity = capacity
        self._blocks: OrderedDict[int, bytes] = OrderedDict()

    def add(self, height: int, tx_ids: Iterable[bytes]) -> None:
        self._blocks[height] = b"".join(tx_ids)
        self._blocks.move_to_end(height)
        while len(self._blocks) > self._capacity:
            self._blocks.popitem(last=False)

    def get(self, height: int) -> bytes | None:
        return self._blocks.get(height)


def _read_from_chain(chain: Any, heights: list[int]) -> dict[int, bytes]:
    """Blocks' ids from the store (chain thread), stopping once MAX_IDS are read."""
    found = {}
    total = 0
    for height in heights:
        if total >= MAX_IDS:
            break
        try:
            block = chain.get_block(height)
        except NotFoundError:
            block = None
        if block is not None:
            found[height] = b"".join(tx.id for tx in block.transactions)
            total += len(block.transactions)
    return found


def install_block_ids(app: FastAPI, services: Any) -> None:
    """The route; register it before ``/v1/blocks/{height}``, which would otherwise take the path."""
    waiting = 0

    @app.get("/v1/blocks/transaction-ids", response_model=CommittedTransactionIds)
    async def block_transaction_ids(
        from_height: Annotated[str, Query(pattern=HEIGHT_PATTERN, description="The first block to answer.")],
        timeout: Annotated[
            float, Query(ge=0, le=MAX_TIMEOUT_S, description="Seconds to wait when `from_height` has not committed yet.")
        ] = 0.0,
    ) -> Response:
        """Transaction ids of committed blocks from ``from_height`` on (up to 64 blocks), in order.

        If ``from_height`` is the next block, waits up to ``timeout`` seconds for it; a height
        further ahead is answered at once with no blocks. Resume at the last height + 1.
        """
        nonlocal waiting
        start = int(from_height)
        if start > MAX_HEIGHT:
            raise BadRequestError(f"a height is at most {MAX_HEIGHT}")
        head = services.head
        if head is None:
            raise NodeUnavailableError("the node is starting")
        signal = services.head_signal
        if start == head.height + 1 and timeout > 0 and waiting < MAX_WAITERS and not signal.closed:
            waiting += 1
            try:
                await signal.wait_beyond(head.height, timeout)
            finally:
                waiting -= 1
            head = services.head
        last = min(head.height, start + MAX_BLOCKS - 1)
        heights = list(range(start, last + 1))
        found = {h: ids for h in heights if (ids := services.watch.recent.get(h)) is not None}
        missing = [h for h in heights if h not in found]
        if missing:
            found.update(await services.worker.call(_read_from_chain, missing))
        blocks = []
        total = 0
        for height in heights:
            ids = found.get(height)
            if ids is None:  # not readable (pruned or not yet on disk): stop before the gap
                break
            blocks.append({"height": height, "transaction_ids": ids.hex()})
            total += len(ids) // 32
            if total >= MAX_IDS:
                break
        return JSONResponse({"head": head.height, "blocks": blocks})


__all__ = ["RECENT_BLOCKS", "RecentBlockIds", "install_block_ids"]
