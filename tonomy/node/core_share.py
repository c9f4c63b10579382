"""Several node processes on one machine: how each uses the machine's cores."""

from __future__ import annotations

import os

#: The core's setting for how many threads one batch signature check may use.
SIGNATURE_THREADS_ENV = "TONOMY_SIGNATURE_THREADS"


def shared_core_env(processes_here: int) -> dict[str, str]:
    """Environment for one of ``processes_here`` node processes sharing this machine.

    By default each process's batch signature check spreads over every core; several
    validators on one machine would then oversubscribe the cores (thread start-up and
    cache misses cost CPU, and no check finishes sooner). Each gets its share instead,
    unless the operator set the variable.
    """
    if SIGNATURE_THREADS_ENV in os.environ:
        return {}
    return {SIGNATURE_THREADS_ENV: str(max(1, (os.cpu_count() or 1) // max(1, processes_here)))}


__all__ = ["SIGNATURE_THREADS_ENV", "shared_core_env"]
