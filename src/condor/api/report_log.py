"""The execution reports of each order on a memory-only server: the read side of an order's
versions (AlphaPoint ``GetOrderHistoryByOrderId``, wire-formats.md section 4.6; Sway
``executions``, section 3.8). A journaled server reads them from its events table instead
(``Writer.stored_reports``).

Invariants:
- bounded: at most ``kept`` reports in all (``journal.reports_kept``); past it the oldest
  reports of the whole log go first, so memory stays flat however long the server runs, and
  an old order may keep only its newest versions, or none.
- each order's reports are in engine order (oldest first); adding and evicting are O(1).
- no I/O; the runtime adds reports only once their input is published (``Runtime._flush``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from condor.domain.orders.events import ExecutionReport


class ReportLog:
    """Execution reports by order id, the ``kept`` newest of the whole server."""

    def __init__(self, kept: int) -> None:
        if kept < 1:
            raise ValueError("kept must be at least 1")
        self.kept = kept
        self._by_order: dict[int, deque[ExecutionReport]] = {}
        self._arrival: deque[int] = deque()  # the order id of every report kept, oldest first

    def __len__(self) -> int:
        return len(self._arrival)

    def add(self, r: ExecutionReport) -> None:
        """Keep ``r``; evict the oldest report of the log when there are more than ``kept``."""
        d = self._by_order.get(r.order_id)
        if d is None:
            d = self._by_order[r.order_id] = deque()
        d.append(r)
        self._arrival.append(r.order_id)
        if len(self._arrival) > self.kept:
            oid = self._arrival.popleft()
            old = self._by_order[oid]
            old.popleft()
            if not old:
                del self._by_order[oid]

    def of(self, order_ids: Iterable[int]) -> dict[int, list[ExecutionReport]]:
        """The kept reports of each order of ``order_ids``, oldest first (an order without
        any is absent)."""
        out: dict[int, list[ExecutionReport]] = {}
        for oid in order_ids:
            d = self._by_order.get(oid)
            if d:
                out[oid] = list(d)
        return out
