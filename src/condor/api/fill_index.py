"""Read-side index of the runtime's executions log by order id, for reads that show the fills
of some orders (Sway's ``executions`` of each order, wire-formats.md 3.8) without walking the
whole log on each read.

Invariants:
- read side only: caught up lazily, under the runtime lock, from the log itself (``fills`` and
  their ascending engine sequence numbers ``seqs``, ``Runtime.fills`` / ``_fill_seqs``); the
  command path pays nothing.
- exact for the log as it stands: every fill up to the last catch-up is filed under its order,
  oldest first; fills the runtime has since trimmed from the log (``journal.fills_kept``) may
  linger until the next rebuild, and every answer skips them (their seq is below the log's
  first), so readers see exactly what a walk over the log would show.
- bounded: when it files more than twice the log's length (plus ``SLACK``) it is rebuilt from
  the log, so its size follows the log's, at an amortized O(1) per fill.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

SLACK = 1024


class FillIndex:
    """Fills (``ExecutionReport`` with a non-zero ``last_qty``) by order id."""

    def __init__(self) -> None:
        self._top = 0  # the highest fill seq filed
        self._size = 0  # fills filed (trimmed ones included)
        self._by_order: dict[int, list] = {}

    def _sync(self, fills: list, seqs: list[int]) -> None:
        if not seqs or seqs[-1] <= self._top:
            return
        start = bisect_right(seqs, self._top)
        if self._size + (len(seqs) - start) > 2 * len(fills) + SLACK:
            self._by_order, self._size, start = {}, 0, 0
        by_order = self._by_order
        for f in fills[start:]:
            by_order.setdefault(f.order_id, []).append(f)
        self._size += len(fills) - start
        self._top = seqs[-1]

    def of_orders(self, fills: list, seqs: list[int], order_ids: Iterable[int]) -> dict[int, list]:
        """{order id: its fills in the log, oldest first} for those of ``order_ids`` that have
        any. Cost: the fills filed since the last call, plus the asked orders' fills."""
        self._sync(fills, seqs)
        first = seqs[0] if seqs else 0
        out: dict[int, list] = {}
        get = self._by_order.get
        for oid in order_ids:
            fs = get(oid)
            if fs:
                if fs[0].seq < first:  # trimmed from the log: not shown
                    fs = [f for f in fs if f.seq >= first]
                if fs:
                    out[oid] = fs
        return out
