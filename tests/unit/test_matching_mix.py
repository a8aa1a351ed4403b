"""Aggressive orders against a mix of resting client orders and the feed (spec section 4;
``engine/matching.py``): IOC and FOK take the best price first, client orders before the feed
at one price, the feed's displayed size at most; self-trade prevention skips the aggressor's
own orders, iceberg refills included, and an elected stop does too; AvgPx stays exact after
many partial fills (CumQty x AvgPx == the sum of the fills)."""

from __future__ import annotations

from fractions import Fraction

from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _trades(events) -> list[tuple[int, int, int, str]]:
    return [
        (ev.order_id, ev.last_qty, ev.last_px, ev.liquidity)
        for ev in events
        if ev.exec_type is ExecType.TRADE
    ]


def _sell(e, account: str, qty: int, price: str, **kw) -> int:
    return e.handle(SubmitOrder(account, "IBM", Side.SELL, OrdType.LIMIT, qty, price=_px(price),
                                tif=TimeInForce.GTC, **kw))[0].order_id  # fmt: skip


def _mixed(make_engine):
    """B offers 3 @ 100.00 and 4 @ 100.01 in the book; the feed offers 5 @ 100.00."""
    e = make_engine(
        builders.account("A"),
        builders.account("B", positions={"IBM": (100, "90", IBM)}),
    )
    e.on_quote(QuoteTick("IBM", T0, _px("99.00"), _px("100.00"), 5, 5))
    return e, _sell(e, "B", 3, "100.00"), _sell(e, "B", 4, "100.01")


def test_ioc_takes_client_then_feed_at_one_price_then_the_next_level(make_engine):
    e, b1, b2 = _mixed(make_engine)
    events = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 20, price=_px("100.01"),
                                  tif=TimeInForce.IOC))  # fmt: skip
    a = events[0].order_id
    assert [t for t in _trades(events) if t[0] == a] == [
        (a, 3, _px("100.00"), "taker"),
        (a, 5, _px("100.00"), "external"),
        (a, 4, _px("100.01"), "taker"),
    ]
    assert events[-1].exec_type is ExecType.CANCELED and events[-1].cum_qty == 12
    assert e.orders[b1].status is OrdStatus.FILLED and e.orders[b2].status is OrdStatus.FILLED


def test_fok_counts_the_same_liquidity_ioc_takes(make_engine):
    # 12 lots are there within 100.01: a FOK of 13 is canceled whole, then one of 12 fills
    e, _, _ = _mixed(make_engine)
    too_big = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 13, price=_px("100.01"),
                                   tif=TimeInForce.FOK))  # fmt: skip
    assert _trades(too_big) == [] and too_big[-1].reason.name == "FOK_NOT_FILLABLE"
    fits = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 12, price=_px("100.01"),
                                tif=TimeInForce.FOK))  # fmt: skip
    assert fits[-1].ord_status is OrdStatus.FILLED
    assert fits[-1].cum_cost == 8 * _px("100.00") + 4 * _px("100.01")


def test_a_buy_skips_its_own_iceberg_and_its_refills(make_engine):
    # Arrange: A's iceberg sells 30 showing 5, ahead of B's 10 at the same price
    e = make_engine(
        builders.account("A", positions={"IBM": (100, "90", IBM)}),
        builders.account("B", positions={"IBM": (100, "90", IBM)}),
    )
    own = _sell(e, "A", 30, "100.00", display_qty=5)
    b = _sell(e, "B", 10, "100.00")
    # Act: A buys 8 at 100.00
    events = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 8, price=_px("100.00")))
    # Assert: only B's order trades; A's iceberg is untouched
    assert {t[0] for t in _trades(events)} == {b, events[0].order_id}
    assert e.orders[own].cum_qty == 0 and e.orders[b].cum_qty == 8


def test_a_limit_left_crossed_against_its_own_order_is_canceled_newest(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    own = _sell(e, "A", 30, "100.00", display_qty=5)
    events = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 8, price=_px("100.00")))
    assert events[-1].reason.name == "SELF_TRADE" and events[-1].order_id != own
    assert e.orders[own].is_working


def test_an_elected_stop_skips_its_own_resting_order(make_engine):
    # Arrange: a trades-only market; A bids 99.00 and holds a sell stop at 99.50; B bids 98.00
    e = make_engine(
        builders.account("A", positions={"IBM": (100, "90", IBM)}),
        builders.account("B"),
    )
    own_bid = e.handle(SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 5, price=_px("99.00"),
                                   tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    b = e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 5, price=_px("98.00"),
                             tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    stop = e.handle(SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 5,
                                stop_price=_px("99.50"), tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    # Act: a print of 2 at 99.40 elects the stop
    events = e.on_trade(TradeTick("IBM", T0, _px("99.40"), 2))
    # Assert: 2 from the print, then B's bid below A's own; A's bid untouched
    assert [t[:3] for t in _trades(events) if t[0] == stop] == [
        (stop, 2, _px("99.40")),
        (stop, 3, _px("98.00")),
    ]
    assert e.orders[own_bid].cum_qty == 0 and e.orders[b].cum_qty == 3


def test_avg_px_is_exact_after_many_partial_fills(make_engine):
    # Arrange: a market buy of 1,000 with no offer yet waits for the feed
    e = make_engine(builders.account("B"))
    oid = e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.MARKET, 1000))[0].order_id
    # Act: 97 quotes offer 1-13 lots at drifting prices; the order takes each one's size
    fills = []
    for i in range(97):
        px, q = _px("100.00") + i % 7, 1 + i % 13
        events = e.on_quote(QuoteTick("IBM", T0 + i, px - 1, px, 1, q))
        fills += [(t[1], t[2]) for t in _trades(events)]
    # Assert: every fill took the quote's size at its price; CumQty, LeavesQty, AvgPx exact
    o = e.orders[oid]
    cum = sum(q for q, _ in fills)
    assert len(fills) == 97 and (o.cum_qty, o.leaves_qty) == (cum, 1000 - cum)
    assert Fraction(*o.avg_px_ticks()) == Fraction(sum(q * p for q, p in fills), cum)
    assert o.status is OrdStatus.PARTIALLY_FILLED
