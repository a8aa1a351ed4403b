"""IOC and FOK orders execute at once or not at all (FIX 59=3 / 59=4; spec section 1 "Time in
force", section 4: outside allowed sessions an order is refused): on the real US-equity
calendar one sent while the market is closed to it is refused (SESSION_CLOSED, field
``time_in_force``) and nothing is created, instead of waiting hours to execute at the open; an
extended-hours IOC works in the pre-market; a Held IOC child released while the market is
closed to it is canceled with that reason."""

from __future__ import annotations

from test_session_orders import IBM, ns, order, reports, session_engine

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import AdvanceClock
from condor.domain.orders.enums import ExecType, OrdStatus, Side, TimeInForce
from condor.domain.orders.events import CommandRejected

import builders


def _quote(ts: int, bid: str, ask: str) -> QuoteTick:
    return QuoteTick("IBM", ts, builders.px(IBM, bid), builders.px(IBM, ask), 100, 100)


def test_ioc_in_the_pre_market_is_refused_unless_extended(make_engine):
    # Arrange: Tuesday 2024-03-05 08:00 New York (pre-market), an offer at 99.50
    e = session_engine(make_engine, ns(2024, 3, 5, 8))
    e.on_market(_quote(ns(2024, 3, 5, 8, 1), "99.00", "99.50"))
    # Act
    refused = e.handle(order(tif=TimeInForce.IOC, price="100"))
    extended = e.handle(order(tif=TimeInForce.IOC, price="100", extended=True))
    # Assert: one refusal naming the field, nothing created; the extended IOC takes the offer
    assert [type(x) for x in refused] == [CommandRejected]
    assert (refused[0].reason, refused[0].field) == (RejectReason.SESSION_CLOSED, "time_in_force")
    fill = reports(extended, ExecType.TRADE)[0]
    assert (fill.order_id, fill.last_qty, fill.last_px) == (refused[0].order_id + 1, 10, 9950)
    assert list(e.orders) == [fill.order_id]
    assert e.handle(AdvanceClock(ns(2024, 3, 5, 9, 31))) == []  # nothing waited for the open


def test_fok_over_the_weekend_is_refused(make_engine):
    # Arrange: Saturday 2024-03-09 12:00 New York
    e = session_engine(make_engine, ns(2024, 3, 9, 12))
    # Act
    events = e.handle(order(tif=TimeInForce.FOK, price="100"))
    # Assert
    assert events[0].reason is RejectReason.SESSION_CLOSED and not e.orders


def test_a_held_ioc_child_released_in_the_pre_market_is_canceled(make_engine):
    # Arrange: an extended-hours buy that fills in the pre-market releases a regular-hours IOC
    e = session_engine(make_engine, ns(2024, 3, 5, 8))
    e.on_market(_quote(ns(2024, 3, 5, 8, 1), "99.00", "99.50"))
    parent = order(tif=TimeInForce.GTC, price="99", extended=True)
    child = order(side=Side.SELL, tif=TimeInForce.IOC, price="99")
    events = e.handle(CreateGroup(GroupKind.OTO, (MemberSpec(parent), MemberSpec(child))))
    child_id = reports(events, ExecType.NEW)[0].order_id
    assert e.orders[child_id].status is OrdStatus.HELD
    # Act: the bid reaches the parent's limit
    events = e.on_market(_quote(ns(2024, 3, 5, 8, 2), "98.50", "99.00"))
    # Assert: the parent fills; its child is released and canceled, not left to wait
    canceled = reports(events, ExecType.CANCELED)
    assert [(r.order_id, r.reason) for r in canceled] == [(child_id, RejectReason.SESSION_CLOSED)]
    assert e.orders[child_id].status is OrdStatus.CANCELED
