"""Edge rules of execution: FOK is all or nothing also when cash caps a buy (FIX 59=4), an
iceberg fills from the feed only by its displayed part (spec section 1), a trailing stop keeps
its water mark through a modify (spec section 1), a Held GTD order ends at its ExpireTime
(FIX 126), and numbers of absurd size are refused at the edge at once."""

from __future__ import annotations

import pytest

from condor.domain.errors import DomainError
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import (
    ActivateOrder,
    ModifyOrder,
    SubmitOrder,
    TrailSpec,
)
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce, TrailKind

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000
S = 1_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _trades(events) -> list[tuple[int, int]]:
    return [(ev.order_id, ev.last_qty) for ev in events if ev.exec_type is ExecType.TRADE]


def test_fok_that_cash_could_only_partly_pay_for_is_canceled_whole(make_engine):
    # Arrange: sellers offer 5 @ 100 and 5 @ 110; the buyer has cash for 9.5 lots at 100-110
    e = make_engine(
        builders.account("A", usd="1000"),
        builders.account("B", positions={"IBM": (10, "90", IBM)}),
    )
    for price in ("100.00", "110.00"):
        e.handle(SubmitOrder("B", "IBM", Side.SELL, OrdType.LIMIT, 5, price=_px(price)))
    # Act: FOK market buy of 10 (it would need 1,050.00)
    events = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.MARKET, 10, tif=TimeInForce.FOK))
    # Assert: nothing filled, the order canceled as not fillable
    assert _trades(events) == []
    assert (
        events[-1].exec_type is ExecType.CANCELED and events[-1].reason.name == "FOK_NOT_FILLABLE"
    )
    assert e.accounts["A"].positions.get("IBM") is None or e.accounts["A"].positions["IBM"].qty == 0


@pytest.mark.parametrize("feed", ["quote", "trade"])
def test_an_iceberg_fills_from_the_feed_by_its_shown_part(make_engine, feed):
    # Arrange: A bids 100 showing 10 at a time, then B bids 10 at the same price
    e = make_engine(builders.account("A"), builders.account("B"))
    a = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 100, price=_px("99.00"),
                             tif=TimeInForce.GTC, display_qty=10))[0].order_id  # fmt: skip
    b = e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 10, price=_px("99.00"),
                             tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    # Act: the feed sells 30 at 99.00
    if feed == "quote":
        events = e.on_quote(QuoteTick("IBM", T0, _px("98.90"), _px("99.00"), 10, 30))
    else:
        events = e.on_trade(TradeTick("IBM", T0, _px("99.00"), 30))
    # Assert: A's shown 10, then B (ahead of A's refill), then A's refill
    assert _trades(events) == [(a, 10), (b, 10), (a, 10)]


def _trailing_sell(e) -> int:
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 1))
    oid = e.handle(SubmitOrder("A", "IBM", Side.SELL, OrdType.TRAILING_STOP_MARKET, 10,
                               tif=TimeInForce.GTC,
                               trail=TrailSpec(TrailKind.AMOUNT, _px("10.00"))))[0].order_id  # fmt: skip
    e.on_trade(TradeTick("IBM", T0 + S, _px("110.00"), 1))  # water 110, stop 100
    e.on_trade(TradeTick("IBM", T0 + 2 * S, _px("105.00"), 1))
    return oid


def test_a_trailing_stop_keeps_its_water_mark_when_its_offset_changes(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (50, "90", IBM)}))
    oid = _trailing_sell(e)
    # Act: offset 10.00 -> 8.00
    e.handle(ModifyOrder(oid, trail_offset=_px("8.00")))
    # Assert: the stop follows the offset from the same water mark: 110 - 8
    o = e.orders[oid]
    assert (o.trail.water, o.stop_price) == (_px("110.00"), _px("102.00"))


def test_a_trailing_stop_keeps_its_stop_when_only_its_quantity_changes(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (50, "90", IBM)}))
    oid = _trailing_sell(e)
    e.handle(ModifyOrder(oid, qty=20))
    assert e.orders[oid].stop_price == _px("100.00")


def test_a_trailing_stop_modified_past_the_market_triggers_at_once(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (50, "90", IBM)}))
    oid = _trailing_sell(e)
    # Act: offset 3.00 puts the stop at 107, above the last 105
    events = e.handle(ModifyOrder(oid, trail_offset=_px("3.00")))
    # Assert
    assert any(ev.exec_type is ExecType.TRIGGERED for ev in events)
    assert e.orders[oid].triggered


def test_a_held_gtd_order_expires_at_its_expire_time(make_engine):
    # Arrange: an inactive GTD buy, expiring in 60 s
    e = make_engine(builders.account("A"), builders.account("B"))
    e.clock.advance_to(T0)
    oid = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=_px("100.00"),
                               tif=TimeInForce.GTD, expire_ns=T0 + 60 * S,
                               activate=False))[0].order_id  # fmt: skip
    # Act: the market moves past its expiry
    e.on_trade(TradeTick("IBM", T0 + 61 * S, _px("100.00"), 10))
    # Assert: expired, and activating it is refused
    assert e.orders[oid].status is OrdStatus.EXPIRED
    assert e.handle(ActivateOrder(oid))[0].reason.name == "ORDER_NOT_WORKING"


@pytest.mark.parametrize("value", ["1e999999", "1e30", "-1e30", "1000000000000000"])
def test_absurd_magnitudes_are_refused_at_the_edge(value):
    with pytest.raises(DomainError) as err:
        IBM.qty_to_lots(value)
    assert err.value.field == "quantity" and "below 1E+15" in err.value.text


def test_a_funds_refusal_names_amounts_in_the_currency(make_engine):
    e = make_engine(builders.account("A", usd="1000"))
    events = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 11, price=_px("100.00")))
    assert events[-1].text == "order needs 1100 USD, 1000 USD available"
