"""Stops and trailing stops: basis, explicit conditions, trailing water marks, activation."""

from __future__ import annotations

from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import (
    ExecType,
    OrdType,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731


def _e(make_engine):
    return make_engine(builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)}))


def _stop(e, side, stop, **kw):
    return e.handle(
        SubmitOrder(
            "A", "IBM", side, OrdType.STOP_MARKET, 10, stop_price=P(stop), tif=TimeInForce.GTC, **kw
        )
    )[0].order_id


def _trade(e, price, size=100):
    return e.on_trade(TradeTick("IBM", e.now + 1, P(price), size))


def test_sell_stop_on_last_elects_at_or_below(make_engine):
    e = _e(make_engine)
    o = _stop(e, Side.SELL, "99.00")
    assert not _trade(e, "99.01")
    ev = _trade(e, "99.00")
    assert [x.exec_type for x in ev] == [ExecType.TRIGGERED, ExecType.TRADE]
    assert e.orders[o].status.value == "Filled" and e.orders[o].triggered


def test_alor_strict_conditions(make_engine):
    e = _e(make_engine)
    more = _stop(e, Side.BUY, "101.00", condition=TriggerCondition.MORE)
    less = _stop(e, Side.SELL, "99.00", condition=TriggerCondition.LESS)
    _trade(e, "101.00")
    _trade(e, "99.00")
    assert e.orders[more].status.value == "New" and e.orders[less].status.value == "New"
    _trade(e, "101.01")
    _trade(e, "98.99")
    assert e.orders[more].cum_qty == 10 and e.orders[less].cum_qty == 10


def test_bid_basis_ignores_trades(make_engine):
    e = _e(make_engine)
    o = _stop(e, Side.SELL, "99.00", basis=TriggerBasis.BID)
    _trade(e, "98.00")
    assert e.orders[o].status.value == "New"
    e.on_quote(QuoteTick("IBM", e.now + 1, P("99.00"), P("99.02"), 100, 100))
    assert e.orders[o].status.value == "Filled"


def test_mid_basis_is_exact_at_half_ticks(make_engine):
    e = _e(make_engine)
    o = _stop(e, Side.BUY, "100.01", basis=TriggerBasis.MID)
    e.on_quote(QuoteTick("IBM", e.now + 1, P("100.00"), P("100.01"), 100, 100))  # mid 100.005
    assert e.orders[o].status.value == "New"
    e.on_quote(QuoteTick("IBM", e.now + 1, P("100.00"), P("100.02"), 100, 100))  # mid 100.01
    assert e.orders[o].status.value == "Filled"


def test_trailing_stop_follows_the_high_and_reports_its_stop(make_engine):
    e = _e(make_engine)
    o = e.handle(
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL,
            OrdType.TRAILING_STOP_MARKET,
            10,
            tif=TimeInForce.GTC,
            trail=TrailSpec(TrailKind.AMOUNT, P("0.50")),
        )
    )[0].order_id
    _trade(e, "100.00")
    assert e.orders[o].stop_price == P("99.50")
    ev = _trade(e, "100.80")
    assert [(x.water, x.stop_price) for x in ev] == [(P("100.80"), P("100.30"))]
    assert not _trade(e, "100.31")
    ev = _trade(e, "100.30")
    assert e.orders[o].status.value == "Filled" and ev[-1].last_px == P("100.30")


def test_trailing_percent_with_activation_price(make_engine):
    e = _e(make_engine)
    o = e.handle(
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL,
            OrdType.TRAILING_STOP_MARKET,
            10,
            tif=TimeInForce.GTC,
            trail=TrailSpec(TrailKind.PERCENT, 10_000, activation=P("101.00")),
        )
    )[0].order_id
    _trade(e, "95.00")  # far below, but not active yet
    assert e.orders[o].status.value == "New" and e.orders[o].stop_price is None
    _trade(e, "101.00")  # activates: water 101.00, 1% -> stop 99.99
    assert e.orders[o].stop_price == P("99.99")
    _trade(e, "99.99")
    assert e.orders[o].status.value == "Filled"


def test_trailing_stop_limit_prices_its_limit_from_the_stop(make_engine):
    e = _e(make_engine)
    o = e.handle(
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL,
            OrdType.TRAILING_STOP_LIMIT,
            10,
            tif=TimeInForce.GTC,
            trail=TrailSpec(TrailKind.TICKS, 20, limit_offset=5),
        )
    )[0].order_id
    _trade(e, "100.00")
    _trade(e, "99.80")
    assert e.orders[o].price == P("99.75") and e.orders[o].triggered


def test_inactive_stop_ignores_prices_until_activated(make_engine):
    from condor.domain.orders.commands import ActivateOrder

    e = _e(make_engine)
    o = _stop(e, Side.SELL, "99.00", activate=False)
    _trade(e, "98.00")
    assert e.orders[o].status.value == "Held"
    ev = e.handle(ActivateOrder(o))
    assert e.orders[o].status.value == "New"
    assert ev[-1].exec_type is ExecType.TRIGGERED
    _trade(e, "98.50")
    assert e.orders[o].status.value == "Filled"
