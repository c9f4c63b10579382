"""Jittered exponential back-off for redialling configured peers.

Node-local (never consensus): the jitter comes from a ``random.Random`` the caller may
seed for reproducible tests; by default it is the OS source, so peers restarted
together do not redial in lockstep.
"""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, initial: float, maximum: float, jitter: float, rng: random.Random | None = None) -> None:
        self._initial = initial
        self._max = maximum
        self._jitter = jitter
        self._rng = rng if rng is not None else random.SystemRandom()
        self._current = initial

    def next_delay(self) -> float:
        """The delay before the next attempt; each call doubles the base up to the cap."""
        base = self._current
        self._current = min(self._max, self._current * 2)
        spread = base * self._jitter
        return max(0.0, base + self._rng.uniform(-spread, spread))

    def reset(self) -> None:
        """After a connection that worked: the next failure starts from the first delay again."""
        self._current = self._initial
