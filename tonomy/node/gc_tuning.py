"""Cyclic garbage collection settings for a long-running node process.

The node keeps many long-lived objects (imported modules, plugin schemas, caches, the
mempool), and under load it allocates containers by the tens of thousands per second.
With CPython's defaults (a young-generation collection every 700 net allocations) the
collector runs hundreds of times a second, and every older-generation pass walks all of
the start-up objects again, holding the GIL while it does. Nearly all of the node's
garbage is freed by reference counting; the cyclic collector is a safety net.

So, once the node has started: everything alive then is moved to the permanent
generation (``gc.freeze``: never scanned again, never freed: it lives as long as the
process anyway), and the young generation is collected every ``YOUNG_THRESHOLD`` net
allocations instead of 700. Cycles are still collected, just in fewer, larger passes.
"""

from __future__ import annotations

import gc

#: Net container allocations between young-generation collections (CPython's default: 700).
YOUNG_THRESHOLD = 20_000
#: Young collections per middle one, middle ones per old one (CPython's defaults: 10, 10).
OLDER_THRESHOLDS = (10, 10)


def settle_after_start_up() -> None:
    """Collect once, freeze what survives and raise the young threshold (see the module doc)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


__all__ = ["OLDER_THRESHOLDS", "YOUNG_THRESHOLD", "settle_after_start_up"]
