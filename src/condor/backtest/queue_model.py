"""The queue-aware fill model wired between an L3 reader and the engine (``fill_model:
queue`` in a scenario; LOBSTER and CME MBO files).

Invariant: every resting client limit of the engine is tracked in a ``QueueTracker`` from the
moment it rests, behind exactly the external orders then resting at its level in the reader's
reconstructed L3 book; the reader's cancels and executions (its ``listener``) update the queues,
and the fills they imply reach the engine as ``QueueFill`` events at the time of the message
that caused them, right after the market event of that message. A reader that emits no market
event for an execution (CME MBO: an F record) passes the record's time to the listener: its
fills are applied to the engine at once, at that time, and wait in ``ready`` for the runner to
collect (``take_ready``) before it handles the next market event. Ended orders leave the tracker.
Orders resting before the file's window are unknown to the L3 book, so they are never counted
ahead (an optimistic bias limited to the first minutes of a window).
"""

from __future__ import annotations

from condor.domain.book.queue import QueueFill, QueueTracker
from condor.domain.market import BookSide
from condor.domain.orders.enums import ExecType
from condor.domain.orders.events import ExecutionReport


class QueueModel:
    """Attach to ``reader`` (anything with a settable ``listener`` and a ``book`` exposing
    ``orders_at(side, price)``, e.g. ``LobsterReader`` or ``CmeMboReader``) for ``engine`` on
    ``symbol``. Attach before iterating the reader; ``engine`` may be set later (before the
    first ``after``).
    Raises TypeError for a reader without an L3 listener."""

    def __init__(self, engine, reader, symbol: str) -> None:
        if not hasattr(reader, "listener") or not hasattr(reader, "book"):
            raise TypeError(f"{type(reader).__name__} has no L3 listener: queue fills need an L3 feed")  # fmt: skip
        self.engine = engine
        self.reader = reader
        self.symbol = symbol
        self.tracker = QueueTracker()
        self.pending: list[tuple[int, int]] = []
        self.ready: list = []  # engine events of fills applied from the listener
        self._levels: dict[int, int] = {}  # tracked order id -> price ticks it joined at
        reader.listener = self._hear

    def _hear(self, kind: int, ext_id: int, side: BookSide, price: int, size: int, ts_ns: int | None = None) -> None:  # fmt: skip
        if not self._levels:
            return
        if kind == 2:
            self.tracker.on_reduce(ext_id, size)
        elif kind == 3:
            self.tracker.on_reduce(ext_id, None)
        elif kind == 4 or kind == 5:
            fills = self.tracker.on_execute(ext_id, side is BookSide.BID, price, size)
            if ts_ns is None:
                self.pending.extend(fills)
            elif fills:
                self.pending, saved = fills, self.pending
                self.ready.extend(self.after((), ts_ns))
                self.pending = saved

    def take_ready(self) -> list:
        """The engine events of fills already applied from the listener (then forgotten)."""
        out, self.ready = self.ready, []
        return out

    def after(self, out, ts_ns: int) -> list:
        """Track the orders of engine events ``out``, then apply the pending queue fills at
        ``ts_ns``; return the engine events those fills produced."""
        extra: list = []
        self._track(out)
        while self.pending:
            fills, self.pending = self.pending, []
            for oid, q in fills:
                res = self.engine.on_market(QueueFill(self.symbol, ts_ns, oid, q))
                if res:
                    extra.extend(res)
                    self._track(res)
        return extra

    def _track(self, out) -> None:
        tr, levels, orders = self.tracker, self._levels, self.engine.orders
        for ev in out:
            if type(ev) is not ExecutionReport or ev.symbol != self.symbol:
                continue
            oid = ev.order_id
            if ev.ord_status.is_terminal:
                tr.leave(oid)
                levels.pop(oid, None)
                continue
            o = orders[oid]
            if oid in levels:
                if o.priority and o.price == levels[oid] and ev.exec_type is ExecType.TRADE:
                    tr.set_leaves(oid, ev.leaves_qty)
                    continue
                if o.priority and o.price == levels[oid] and ev.exec_type is not ExecType.REPLACED:
                    continue
                tr.leave(oid)  # repriced or re-queued: it joins again behind today's queue
                del levels[oid]
            if o.priority and o.price is not None and ev.ord_status.is_working:
                side = BookSide.BID if o.side.is_buy else BookSide.ASK
                ahead = self.reader.book.orders_at(side, o.price)
                tr.join(oid, side is BookSide.BID, o.price, o.qty - o.cum_qty, ahead)
                levels[oid] = o.price
