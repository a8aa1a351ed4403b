"""Orders parked at a session change come back in their time priority (spec section 1: a
quantity decrease keeps time priority, a price change loses it; section 4: outside its session
an order waits). On the real IBM calendar (exchange_calendars): orders resting in the regular
session are parked at the 16:00 close and work again at the next 09:30 open in the order they
had in the book, not in order-id order; a replace with a new id that kept its place keeps it,
and a modify that lost priority stays behind. Times are exact UTC ns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from condor.domain.market import TradeTick
from condor.domain.orders.commands import AdvanceClock, ModifyOrder, ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce
from condor.domain.orders.events import ExecutionReport
from condor.engine.calendars import schedule_for
from condor.engine.clock import SimClock

import builders

IBM = builders.IBM
NEW_YORK = ZoneInfo("America/New_York")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ns(day: int, hh: int, mm: int = 0) -> int:
    """UTC ns of June ``day``, 2024 (Tuesday 4th, Wednesday 5th) at hh:mm New York."""
    local = datetime(2024, 6, day, hh, mm, tzinfo=NEW_YORK)
    return (local - _EPOCH) // timedelta(microseconds=1) * 1000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _buy(price: str = "100.00", qty: int = 10) -> SubmitOrder:
    return SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, qty, price=_px(price),
                       tif=TimeInForce.GTC)  # fmt: skip


def _new_id(events, old: int) -> int:
    return next(r.order_id for r in events if isinstance(r, ExecutionReport)
                and r.order_id != old)  # fmt: skip


def _replace_down(e, a: int) -> int:
    """Cancel/replace with a new id, quantity 10 -> 8: the new order keeps A's place."""
    return _new_id(e.handle(ReplaceOrder(a, qty=8)), a)


def _reprice_twice(e, a: int) -> int:
    """Price up and back: A loses priority and queues behind B at 100.00."""
    e.handle(ModifyOrder(a, price=_px("100.01")))
    e.handle(ModifyOrder(a, price=_px("100.00")))
    return a


def _queue(e) -> list[int]:
    """Order ids queued at 100.00 on the bid, front first."""
    level = e.venues["IBM"].book.bids.get(_px("100.00"), ())
    return [o.order_id for o in level if o.priority and o.price == _px("100.00")]


@pytest.mark.parametrize("change", [_replace_down, _reprice_twice], ids=["replace", "reprice"])
def test_orders_parked_at_the_close_keep_their_book_priority_at_the_open(make_engine, change):
    # Arrange: 10:00 on Tuesday, two GTC buys at 100.00, A then B; A changes so that the book's
    # queue at 100.00 is "first, second" with first != the lower order id
    alice = builders.account("A", "alice", usd=10_000_000)
    e = make_engine(alice, schedules=schedule_for, clock=SimClock(ns(4, 10)))
    a = e.handle(_buy())[-1].order_id
    b = e.handle(_buy())[-1].order_id
    a = change(e, a)
    first, second = (a, b) if change is _replace_down else (b, a)
    before = _queue(e)
    # Act: the close parks both; Wednesday's open works them again; a print of 5 at 100.00
    e.handle(AdvanceClock(ns(5, 9, 31)))
    fills = e.on_trade(TradeTick("IBM", ns(5, 9, 32), _px("100.00"), 5))
    # Assert: the book's queue is the one before the close, and the print fills its head
    assert before == [first, second]
    assert _queue(e) == [first, second]
    traded = [r.order_id for r in fills if getattr(r, "exec_type", None) is ExecType.TRADE]
    assert traded == [first]


def test_stops_parked_at_the_close_keep_their_trigger_arrival_at_the_open(make_engine):
    # Arrange: 10:00 on Tuesday, two GTC sell stops at 95.00, A then B; A is replaced with a
    # smaller quantity, so its new id keeps A's arrival, ahead of B
    alice = builders.account("A", "alice", usd=10_000_000, positions={"IBM": (100, "100", IBM)})
    e = make_engine(alice, schedules=schedule_for, clock=SimClock(ns(4, 10)))
    stop = SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10, stop_price=_px("95.00"),
                       tif=TimeInForce.GTC)  # fmt: skip
    a = e.handle(stop)[-1].order_id
    b = e.handle(stop)[-1].order_id
    a = _replace_down(e, a)
    # Act: the close parks both; after Wednesday's open a print of 5 at 95.00 elects both
    e.handle(AdvanceClock(ns(5, 9, 31)))
    fills = e.on_trade(TradeTick("IBM", ns(5, 9, 32), _px("95.00"), 5))
    # Assert: the print's 5 go to the stop that arrived first
    traded = [r.order_id for r in fills if getattr(r, "exec_type", None) is ExecType.TRADE]
    assert traded == [a] and a > b


def test_a_change_while_parked_keeps_or_loses_the_place_at_the_open(make_engine):
    # Arrange: three GTC buys at 100.00 (A, B, C) rest on Tuesday and are parked at the close
    alice = builders.account("A", "alice", usd=10_000_000)
    e = make_engine(alice, schedules=schedule_for, clock=SimClock(ns(4, 10)))
    a, b, c = (e.handle(_buy())[-1].order_id for _ in range(3))
    e.handle(AdvanceClock(ns(4, 17)))
    # Act: while closed, A's quantity goes down (keeps its place) and B's price goes up and
    # back (loses it); then Wednesday opens
    e.handle(ModifyOrder(a, qty=8))
    _reprice_twice(e, b)
    e.handle(AdvanceClock(ns(5, 9, 31)))
    # Assert
    assert _queue(e) == [a, c, b]
