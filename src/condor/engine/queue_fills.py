"""Fills of resting client orders decided by an L3 queue model (``QueueFill`` events).

Invariant: a ``QueueFill`` only ever fills a working client order that rests in the engine's
book, at its own limit price, for at most its remaining (and displayed) lots; anything else
(the order has ended, was repriced or never rested) is ignored and produces no event. Timers due
at or before the event's time fire first and the clock moves to it, as for any market event.
The queue model itself (who is ahead, when an execution reaches the order) lives in
``condor.domain.book.queue``; the engine only applies its verdicts.
"""

from __future__ import annotations

from condor.domain.book.queue import QueueFill
from condor.domain.orders.events import Cause, CauseKind

_EMPTY: tuple = ()


def apply_queue_fill(engine, ev: QueueFill) -> list | tuple:
    """Fill ``ev.qty`` lots of resting order ``ev.order_id`` at its price on ``engine``
    (a ``condor.engine.core.Engine``). Returns the events produced (empty when ignored)."""
    out = None
    if ev.ts_ns >= engine.next_timer:
        engine._out = out = []
        engine._fire_timers(ev.ts_ns)
    engine.clock.advance_to(ev.ts_ns)
    o = engine.live.get(ev.order_id)
    v = engine.venues.get(ev.symbol)
    ok = (
        o is not None and v is not None and o.status.is_working and o.priority
        and o.inst.symbol == ev.symbol and ev.qty > 0
    )  # fmt: skip
    if not ok:
        if out:
            engine._drain()
            engine._publish(out)
            return out
        return _EMPTY
    if out is None:
        engine._out = out = []
    q = min(ev.qty, o.qty - o.cum_qty, o.visible)
    engine.trade_seq += 1
    engine._fill_passive(o, q, v, Cause(CauseKind.MARKET, market=ev), engine.trade_seq, "maker")
    engine._drain()
    engine._publish(out)
    return out
