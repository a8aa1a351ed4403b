"""A percent trailing offset on the tick grid is rounded up (``TrailState.offset_ticks``): the
conservative direction, so a trailing stop fires only once the price has moved at least the
percentage from its water mark (spec section 1, "Trailing stops: offset by ... percent")."""

from __future__ import annotations

import pytest

from condor.domain.market import TradeTick
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000
ONE_PERCENT = 10_000  # ppm


def _px(s: str) -> int:
    return builders.px(IBM, s)


@pytest.mark.parametrize(
    ("side", "stop", "short_of_it"),
    [
        # 1% of 100.01 is 1.0001: the sell stop is 99.00 (a 1.01% fall), not 99.01 (0.9999%)
        (Side.SELL, "99.00", "99.01"),
        # and the buy stop 101.02 (a 1.01% rise), not 101.01 (0.9999%)
        (Side.BUY, "101.02", "101.01"),
    ],
)
def test_a_percent_stop_fires_only_after_a_full_percent_move(make_engine, side, stop, short_of_it):
    # Arrange: water mark 100.01
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    e.on_trade(TradeTick("IBM", T0, _px("100.01"), 1))
    oid = e.handle(SubmitOrder("A", "IBM", side, OrdType.TRAILING_STOP_MARKET, 1,
                               tif=TimeInForce.GTC,
                               trail=TrailSpec(TrailKind.PERCENT, ONE_PERCENT)))[0].order_id  # fmt: skip
    o = e.orders[oid]
    assert (o.trail.water, o.stop_price) == (_px("100.01"), _px(stop))
    # Act / Assert: a move just short of 1% leaves it waiting; the stop itself fires it
    e.on_trade(TradeTick("IBM", T0 + 1, _px(short_of_it), 1))
    assert not o.triggered
    e.on_trade(TradeTick("IBM", T0 + 2, _px(stop), 1))
    assert o.triggered and o.cum_qty == 1


def test_an_exact_percent_is_not_rounded(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 1))
    oid = e.handle(SubmitOrder("A", "IBM", Side.SELL, OrdType.TRAILING_STOP_MARKET, 1,
                               tif=TimeInForce.GTC,
                               trail=TrailSpec(TrailKind.PERCENT, ONE_PERCENT)))[0].order_id  # fmt: skip
    assert e.orders[oid].stop_price == _px("99.00")
