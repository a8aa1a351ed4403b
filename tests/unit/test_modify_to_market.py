"""A modify may turn a Limit, StopMarket or StopLimit order into a Market order (FIX 40 on
35=G; TradeStation PUT, wire-formats section 1.8: "Limit -> ... or convert to Market"): same
order id, prices dropped, priority lost, the order works at once; a Held stop stays Held as a
Market order. Any other change of type, a price given with it, an extended-hours, post-only
or trailing order is refused with its field, and nothing changes."""

from __future__ import annotations

import pytest

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import ModifyOrder, SubmitOrder, TrailSpec
from condor.domain.orders.enums import (
    ExecType,
    OrdStatus,
    OrdType,
    Side,
    TimeInForce,
    TrailKind,
)
from condor.domain.orders.events import CommandRejected, ExecutionReport
from condor.store import codec

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000
MARKET = OrdType.MARKET


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    e.on_quote(QuoteTick("IBM", T0, _px("100.00"), _px("100.05"), 6, 6))
    return e


def _buy(e, ord_type=OrdType.LIMIT, **kw) -> int:
    cmd = SubmitOrder("A", "IBM", Side.BUY, ord_type, 10, tif=TimeInForce.DAY, **kw)
    return e.handle(cmd)[0].order_id


def _reports(events) -> list[tuple]:
    return [(ev.exec_type, ev.ord_type, ev.last_qty, ev.last_px) for ev in events
            if isinstance(ev, ExecutionReport)]  # fmt: skip


def test_a_resting_limit_becomes_a_market_order_and_takes_the_offer(make_engine):
    # Arrange: a buy limit under the 100.05 offer (6 shown)
    e = _engine(make_engine)
    oid = _buy(e, price=_px("99.00"))
    # Act
    events = e.handle(ModifyOrder(oid, ord_type=MARKET))
    # Assert: replaced as Market, 6 filled at the offer; the rest waits for liquidity
    assert _reports(events) == [
        (ExecType.REPLACED, MARKET, 0, None),
        (ExecType.TRADE, MARKET, 6, _px("100.05")),
    ]
    o = e.orders[oid]
    assert (o.ord_type, o.price, o.status, o.cum_qty) == (
        MARKET,
        None,
        OrdStatus.PARTIALLY_FILLED,
        6,
    )
    assert not o.priority  # not in the book: a market order waits in the venue's queue
    e.on_quote(QuoteTick("IBM", T0 + 1, _px("100.00"), _px("100.10"), 6, 6))
    assert (o.status, o.cum_qty, o.cum_cost) == (
        OrdStatus.FILLED, 10, 6 * _px("100.05") + 4 * _px("100.10"))  # fmt: skip


def test_a_waiting_stop_becomes_a_market_order_that_works_now(make_engine):
    # Arrange: a buy stop at 101.00, far from the 100.05 offer
    e = _engine(make_engine)
    oid = _buy(e, OrdType.STOP_MARKET, stop_price=_px("101.00"))
    # Act
    e.handle(ModifyOrder(oid, qty=5, ord_type=MARKET))
    # Assert: out of the trigger index, filled at the offer
    o = e.orders[oid]
    assert (o.ord_type, o.stop_price, o.status, o.cum_qty) == (MARKET, None, OrdStatus.FILLED, 5)
    assert len(e.venues["IBM"].triggers) == 0


def test_a_held_stop_stays_held_as_a_market_order(make_engine):
    e = _engine(make_engine)
    oid = _buy(e, OrdType.STOP_LIMIT, stop_price=_px("101.00"), price=_px("101.50"), activate=False)
    e.handle(ModifyOrder(oid, ord_type=MARKET))
    o = e.orders[oid]
    assert (o.ord_type, o.price, o.stop_price, o.status) == (MARKET, None, None, OrdStatus.HELD)


REFUSED = [  # (order fields, modify fields, field named)
    ({"price": 9_900}, {"ord_type": OrdType.STOP_MARKET}, "ord_type"),
    ({"price": 9_900}, {"ord_type": MARKET, "price": 9_950}, "price"),
    ({"price": 9_900}, {"ord_type": MARKET, "display_qty": 2}, "display_qty"),
    ({"price": 9_900, "extended": True}, {"ord_type": MARKET}, "ord_type"),
    ({"price": 9_900, "post_only": True}, {"ord_type": MARKET}, "ord_type"),
    ({"ord_type": OrdType.TRAILING_STOP_MARKET, "trail": TrailSpec(TrailKind.AMOUNT, 100)},
     {"ord_type": MARKET}, "ord_type"),
    ({"price": 9_900}, {"ord_type": "Market"}, "ord_type"),
]  # fmt: skip


@pytest.mark.parametrize(("order", "change", "field"), REFUSED)
def test_anything_else_is_refused_with_its_field_and_changes_nothing(
    make_engine, order, change, field
):
    # Arrange
    e = _engine(make_engine)
    oid = _buy(e, **order)
    o = e.orders[oid]
    was = (o.ord_type, o.price, o.stop_price, o.display_qty, o.status, o.priority)
    # Act
    events = e.handle(ModifyOrder(oid, **change))
    # Assert
    assert [(type(ev), ev.field) for ev in events] == [(CommandRejected, field)]
    assert (o.ord_type, o.price, o.stop_price, o.display_qty, o.status, o.priority) == was


def test_the_command_is_journaled_exactly():
    cmd = ModifyOrder(7, qty=3, ord_type=MARKET)
    assert codec.decode(codec.encode(cmd)) == cmd
    assert codec.decode(codec.encode(ModifyOrder(7, qty=3))) == ModifyOrder(7, qty=3)
