"""A price path for a chart in bounded memory, however long the replay.

Invariant: at most ``capacity`` buckets are held, each covering ``width_ns`` of time from the
first point (``origin``), in time order; a bucket keeps four points of those that fell in it:
its first, lowest, highest and last (earliest on ties). When a point falls past the last
bucket the width doubles and neighbouring buckets merge (first of the earlier, last of the
later, the lower low, the higher high), until the point fits; so the path never holds more
than ``capacity`` buckets (stretches without a point hold none), whatever the number of points,
and the chart still shows each bucket's full range. Points must come in time order.
Prices are int ticks, times int ns UTC.
"""

from __future__ import annotations

# bucket layout: [index, first_ts, first_px, low_ts, low_px, high_ts, high_px, last_ts, last_px]
_IDX, _FT, _FP, _LT, _LP, _HT, _HP, _ET, _EP = range(9)


class PricePath:
    """``add(ts_ns, ticks)`` in time order; ``points()`` gives the chart's path. ``capacity``
    buckets at most (>= 2); ``width_ns`` is the starting bucket width (default 1 ms)."""

    __slots__ = ("_buckets", "_cur", "_end", "capacity", "origin", "width_ns")

    def __init__(self, capacity: int = 1024, width_ns: int = 1_000_000) -> None:
        if capacity < 2 or width_ns < 1:
            raise ValueError(f"capacity {capacity} must be >= 2 and width_ns {width_ns} >= 1")
        self.capacity = capacity
        self.width_ns = width_ns
        self.origin: int | None = None
        self._buckets: list[list[int]] = []
        self._cur: list[int] | None = None
        self._end = -(1 << 62)  # end (exclusive, ns) of the current bucket

    def __len__(self) -> int:
        """Buckets held (never more than ``capacity``)."""
        return len(self._buckets)

    @property
    def last(self) -> tuple[int, int] | None:
        """The latest point ``(ts_ns, ticks)``, or None before the first."""
        b = self._cur
        return None if b is None else (b[_ET], b[_EP])

    def add(self, ts_ns: int, ticks: int) -> None:
        """Record the price ``ticks`` at ``ts_ns`` (not before the previous point)."""
        b = self._cur
        if ts_ns < self._end and b is not None:
            if ticks < b[_LP]:
                b[_LT], b[_LP] = ts_ns, ticks
            elif ticks > b[_HP]:
                b[_HT], b[_HP] = ts_ns, ticks
            b[_ET], b[_EP] = ts_ns, ticks
            return
        if self.origin is None:
            self.origin = ts_ns
        idx = (ts_ns - self.origin) // self.width_ns
        while idx >= self.capacity:
            self._coarsen()
            idx = (ts_ns - self.origin) // self.width_ns
        b = [idx, ts_ns, ticks, ts_ns, ticks, ts_ns, ticks, ts_ns, ticks]
        self._buckets.append(b)
        self._cur = b
        self._end = self.origin + (idx + 1) * self.width_ns

    def _coarsen(self) -> None:
        self.width_ns *= 2
        merged: list[list[int]] = []
        for b in self._buckets:
            ni = b[_IDX] // 2
            if merged and merged[-1][_IDX] == ni:
                m = merged[-1]
                if b[_LP] < m[_LP]:
                    m[_LT], m[_LP] = b[_LT], b[_LP]
                if b[_HP] > m[_HP]:
                    m[_HT], m[_HP] = b[_HT], b[_HP]
                m[_ET], m[_EP] = b[_ET], b[_EP]
            else:
                b[_IDX] = ni
                merged.append(b)
        self._buckets = merged
        if merged:
            self._cur = merged[-1]
            self._end = self.origin + (merged[-1][_IDX] + 1) * self.width_ns

    def points(self) -> list[tuple[int, int]]:
        """The path ``[(ts_ns, ticks)]`` in time order: per bucket its distinct first, lowest,
        highest and last points (at most ``4 * capacity`` points)."""
        out: list[tuple[int, int]] = []
        for b in self._buckets:
            pts = sorted(
                {(b[_FT], b[_FP]), (b[_LT], b[_LP]), (b[_HT], b[_HP]), (b[_ET], b[_EP])},
                key=lambda p: p[0],
            )
            if (b[_ET], b[_EP]) != pts[-1]:  # equal times: keep the bucket's last price last
                pts.remove((b[_ET], b[_EP]))
                pts.append((b[_ET], b[_EP]))
            out.extend(pts)
        return out
