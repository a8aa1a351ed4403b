"""An L2 event that leaves the top of book as it was still fires the timers due by its time,
each at its own instant (``engine/sessions.py``: an order expires at its exact expiry time,
before anything at or after it)."""

from __future__ import annotations

from condor.domain.market import BookSide, L2Delta, L2Snapshot
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def test_a_gtd_order_expires_at_its_time_on_an_l2_change_below_the_top(make_engine):
    # Arrange: a two-level book and a GTD bid expiring at T0 + 5
    e = make_engine(builders.account("A"))
    e.on_market(L2Snapshot("IBM", T0, ((_px("99.00"), 5),), ((_px("100.00"), 5),)))
    oid = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 1, price=_px("98.00"),
                               tif=TimeInForce.GTD, expire_ns=T0 + 5))[0].order_id  # fmt: skip
    # Act: a level below the best bid changes at T0 + 10
    events = e.on_market(L2Delta("IBM", T0 + 10, BookSide.BID, _px("98.50"), 3))
    # Assert: the order expired, reported at T0 + 5; the clock is at the event
    assert [(ev.exec_type, ev.ts_ns) for ev in events] == [(ExecType.EXPIRED, T0 + 5)]
    assert e.orders[oid].status is OrdStatus.EXPIRED
    assert e.clock.now_ns() == T0 + 10


def test_an_unchanged_top_with_no_timer_due_produces_nothing(make_engine):
    e = make_engine(builders.account("A"))
    e.on_market(L2Snapshot("IBM", T0, ((_px("99.00"), 5),), ((_px("100.00"), 5),)))
    assert not e.on_market(L2Delta("IBM", T0 + 10, BookSide.ASK, _px("100.50"), 3))
    assert e.clock.now_ns() == T0 + 10
