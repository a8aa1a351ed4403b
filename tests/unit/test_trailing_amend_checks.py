"""A modify of a trailing stop is checked like its submission (admission.validate_submit): a
percent offset of 100 or more is refused (it would put a sell stop at 0 or below), and a
TrailingStopLimit not yet triggered takes no limit price (its election prices it: stop -/+
limit offset, spec section 1). A refused modify changes nothing. A sell's limit offset larger
than its stop elects at one tick, never at a price of zero or below."""

from __future__ import annotations

from condor.domain.market import TradeTick
from condor.domain.orders.commands import ModifyOrder, SubmitOrder, TrailSpec
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 1))
    return e


def _trailing_sell(e, ord_type: OrdType, trail: TrailSpec) -> int:
    return e.handle(
        SubmitOrder("A", "IBM", Side.SELL, ord_type, 10, tif=TimeInForce.GTC, trail=trail)
    )[0].order_id


def test_a_percent_offset_of_100_or_more_is_refused(make_engine):
    # Arrange: 1% below the water mark 100.00
    e = _engine(make_engine)
    oid = _trailing_sell(e, OrdType.TRAILING_STOP_MARKET, TrailSpec(TrailKind.PERCENT, 10_000))
    # Act: 150%
    events = e.handle(ModifyOrder(oid, trail_offset=1_500_000))
    # Assert: refused on the trail field, the stop unchanged
    assert [(ev.command, ev.field) for ev in events] == [("ModifyOrder", "trail")]
    o = e.orders[oid]
    assert (o.trail.offset, o.stop_price) == (10_000, _px("99.00"))


def test_a_percent_offset_below_100_is_accepted(make_engine):
    e = _engine(make_engine)
    oid = _trailing_sell(e, OrdType.TRAILING_STOP_MARKET, TrailSpec(TrailKind.PERCENT, 10_000))
    e.handle(ModifyOrder(oid, trail_offset=20_000))
    assert e.orders[oid].stop_price == _px("98.00")


def test_a_pending_trailing_stop_limit_takes_no_limit_price(make_engine):
    # Arrange: stop 1.00 under the water mark, limit 0.10 under the stop once elected
    e = _engine(make_engine)
    trail = TrailSpec(TrailKind.AMOUNT, _px("1.00"), limit_offset=_px("0.10"))
    oid = _trailing_sell(e, OrdType.TRAILING_STOP_LIMIT, trail)
    # Act
    events = e.handle(ModifyOrder(oid, price=_px("95.00")))
    # Assert: refused; once elected, the limit is the stop minus the offset
    assert [(ev.command, ev.field) for ev in events] == [("ModifyOrder", "price")]
    e.on_trade(TradeTick("IBM", T0 + 1, _px("99.00"), 1))
    o = e.orders[oid]
    assert o.triggered and o.price == _px("98.90")


def test_a_sell_limit_offset_past_the_stop_elects_at_the_lowest_price_not_below_zero(make_engine):
    # Arrange: stop 1.00 under 100.00, a limit offset of 150.00 (more than the stop)
    e = _engine(make_engine)
    trail = TrailSpec(TrailKind.AMOUNT, _px("1.00"), limit_offset=_px("150.00"))
    oid = _trailing_sell(e, OrdType.TRAILING_STOP_LIMIT, trail)
    # Act: elected at 99.00
    e.on_trade(TradeTick("IBM", T0 + 1, _px("99.00"), 1))
    # Assert: priced at one tick, a valid limit price, not at -51.00
    o = e.orders[oid]
    assert o.triggered and o.price == 1
