"""The clock injected into the engine.

Invariant: ``now_ns()`` never goes backward, and the engine never reads the system time: the
clock moves only when told (market data timestamps, ``AdvanceClock``, and on wall time the
writers, which move it to the system time before each input: ``store.recorder``,
``api.writer.MemoryWriter``), so every input's time is part of what is journaled.
"""

from __future__ import annotations


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
