"""Clocks injected into the engine.

Invariant: ``now_ns()`` never goes backward. The simulated clock moves only when told (market
data timestamps in replay, ``AdvanceClock``); the wall clock reads the system time but is clamped
so that it too is monotone.
"""

from __future__ import annotations

import time


class SimClock:
    """A clock that moves only forward, by ``advance_to`` (int ns UTC)."""

    __slots__ = ("_now",)

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance_to(self, ts_ns: int) -> int:
        """Move to ``ts_ns`` if it is later; return the (possibly unchanged) time."""
        if ts_ns > self._now:
            self._now = ts_ns
        return self._now


class WallClock:
    """System time (``time.time_ns``), monotone: a step back of the system clock is ignored.
    ``advance_to`` lets market data carry the clock forward like the simulated clock."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def now_ns(self) -> int:
        t = time.time_ns()
        if t > self._last:
            self._last = t
        return self._last

    def advance_to(self, ts_ns: int) -> int:
        if ts_ns > self._last:
            self._last = ts_ns
        return self.now_ns()
