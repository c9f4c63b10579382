"""The node process's GC settings (in a child process: they are process-wide)."""

from __future__ import annotations

import subprocess
import sys

from tonomy.node.gc_tuning import OLDER_THRESHOLDS, YOUNG_THRESHOLD

SCRIPT = """
import gc
from tonomy.node.gc_tuning import settle_after_start_up
before = gc.get_freeze_count()
settle_after_start_up()
cycle = []
cycle.append(cycle)  # garbage only the cyclic collector can free
del cycle
print(before, gc.get_freeze_count(), *gc.get_threshold(), gc.collect())
"""


def test_settling_freezes_start_up_objects_raises_the_threshold_and_still_collects_cycles() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.split()
    before, frozen, young, middle, old, collected = map(int, out)
    assert before == 0 and frozen > 1000  # the imported modules and their objects
    assert (young, middle, old) == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    assert collected >= 1  # cycles made after start-up are still found


def test_run_node_leaves_gc_alone_unless_asked() -> None:
    import inspect

    from tonomy.node.process import run_node

    assert inspect.signature(run_node).parameters["settle_gc"].default is False
