"""Amending an iceberg's display quantity (spec section 1, "Display quantity"): a smaller
display caps what is shown at once and keeps the order's place, like a quantity decrease; a
larger one shows more at the level, so, like a quantity increase, the order goes to the back."""

from __future__ import annotations

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import ModifyOrder, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _bid(e, account: str, qty: int, display: int | None = None) -> int:
    return e.handle(
        SubmitOrder(account, "IBM", Side.BUY, OrdType.LIMIT, qty, price=_px("99.00"),
                    tif=TimeInForce.GTC, display_qty=display)
    )[0].order_id  # fmt: skip


def _trades(events) -> list[tuple[int, int]]:
    return [(ev.order_id, ev.last_qty) for ev in events if ev.exec_type is ExecType.TRADE]


def test_a_smaller_display_shows_less_and_keeps_the_place(make_engine):
    # Arrange: A's iceberg shows 20 of 100, B bids 10 behind it
    e = make_engine(builders.account("A"), builders.account("B"))
    a = _bid(e, "A", 100, display=20)
    b = _bid(e, "B", 10)
    # Act: A shows 5 at a time
    e.handle(ModifyOrder(a, display_qty=5))
    # Assert: the book shows 5 + 10; a sell of 12 takes A's 5 first, then 7 of B
    assert e.venues["IBM"].book.depth(True) == [(_px("99.00"), 15)]
    events = e.on_quote(QuoteTick("IBM", T0, _px("98.00"), _px("99.00"), 1, 12))
    assert _trades(events) == [(a, 5), (b, 7)]


def test_a_display_on_a_plain_order_hides_the_rest_and_keeps_the_place(make_engine):
    e = make_engine(builders.account("A"), builders.account("B"))
    a = _bid(e, "A", 50)
    b = _bid(e, "B", 10)
    e.handle(ModifyOrder(a, display_qty=10))
    events = e.on_quote(QuoteTick("IBM", T0, _px("98.00"), _px("99.00"), 1, 15))
    assert _trades(events) == [(a, 10), (b, 5)]


def test_a_larger_display_goes_to_the_back(make_engine):
    e = make_engine(builders.account("A"), builders.account("B"))
    a = _bid(e, "A", 100, display=5)
    b = _bid(e, "B", 10)
    e.handle(ModifyOrder(a, display_qty=20))
    assert e.venues["IBM"].book.depth(True) == [(_px("99.00"), 30)]
    events = e.on_quote(QuoteTick("IBM", T0, _px("98.00"), _px("99.00"), 1, 15))
    assert _trades(events) == [(b, 10), (a, 5)]


def test_a_display_on_an_order_that_never_rests_is_refused(make_engine):
    # a stop market becomes a market order: it has nothing to show (as at submission)
    e = make_engine(builders.account("A"))
    oid = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.STOP_MARKET, 10,
                               stop_price=_px("101.00"), tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    events = e.handle(ModifyOrder(oid, display_qty=5))
    assert [(ev.command, ev.field) for ev in events] == [("ModifyOrder", "display_qty")]
    assert e.orders[oid].display_qty is None
