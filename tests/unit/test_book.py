"""Book: price-time priority, lazy cancel, modify semantics, self-trade prevention, iceberg,
IOC/FOK (exchange-core style behaviour tables, checked with the invariant after each)."""

from __future__ import annotations

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import CancelOrder, ModifyOrder, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731


def _limit(acct, side, qty, price, **kw):
    return SubmitOrder(acct, "IBM", side, OrdType.LIMIT, qty, price=P(price), **kw)


def _trades(ev):
    return [
        (x.order_id, x.last_qty, x.last_px, x.liquidity)
        for x in ev
        if x.exec_type is ExecType.TRADE
    ]


def _accounts():
    return (
        builders.account("A", "alice", positions={"IBM": (10_000, "100", IBM)}),
        builders.account("B", "bob", positions={"IBM": (10_000, "100", IBM)}),
        builders.account("C", "carol", positions={"IBM": (10_000, "100", IBM)}),
    )


def test_fifo_within_a_level_and_best_price_first(make_engine):
    # Arrange: Alice asks 1600@7? (exchange-core feature style): asks at 100.02, 100.01, 100.01
    e = make_engine(*_accounts())
    a1 = e.handle(_limit("A", Side.SELL, 5, "100.02"))[0].order_id
    a2 = e.handle(_limit("A", Side.SELL, 5, "100.01"))[0].order_id
    b1 = e.handle(_limit("B", Side.SELL, 5, "100.01"))[0].order_id
    # Act: Carol buys 12 up to 100.02
    ev = e.handle(_limit("C", Side.BUY, 12, "100.02"))
    # Assert: 100.01 first (Alice then Bob, arrival order), then 100.02
    fills = [(o, q, px) for o, q, px, liq in _trades(ev) if liq == "maker"]
    assert fills == [(a2, 5, P("100.01")), (b1, 5, P("100.01")), (a1, 2, P("100.02"))]
    assert e.venues["IBM"].book.depth(False) == [(P("100.02"), 3)]


def test_quantity_decrease_keeps_priority_price_change_loses_it(make_engine):
    e = make_engine(*_accounts())
    x = e.handle(_limit("A", Side.SELL, 5, "100.01"))[0].order_id
    y = e.handle(_limit("B", Side.SELL, 5, "100.01"))[0].order_id
    e.handle(ModifyOrder(x, qty=3))
    ev = e.handle(_limit("C", Side.BUY, 1, "100.01"))
    assert _trades(ev)[0][0] == x  # still first
    e.handle(ModifyOrder(x, price=P("100.02")))
    e.handle(ModifyOrder(x, price=P("100.01")))
    ev = e.handle(_limit("C", Side.BUY, 1, "100.01"))
    assert _trades(ev)[0][0] == y  # x went to the back


def test_cancel_is_lazy_but_invisible(make_engine):
    e = make_engine(*_accounts())
    ids = [e.handle(_limit("A", Side.BUY, 1, "99.99"))[0].order_id for _ in range(40)]
    for i in ids[:-1]:
        e.handle(CancelOrder(i))
    ev = e.handle(_limit("B", Side.SELL, 5, "99.99", tif=TimeInForce.IOC))
    assert [t[0] for t in _trades(ev) if t[3] == "maker"] == [ids[-1]]
    assert ev[-1].exec_type is ExecType.CANCELED  # IOC remainder


def test_self_trade_prevention_cancels_the_newest_limit(make_engine):
    e = make_engine(*_accounts())
    rest = e.handle(_limit("A", Side.SELL, 5, "100.00"))[0].order_id
    ev = e.handle(_limit("A", Side.BUY, 5, "100.00"))
    assert (
        ev[-1].exec_type is ExecType.CANCELED
        and ev[-1].reason.value == "matching.self_trade_prevented"
    )
    assert e.orders[rest].status.value == "New"


def test_iceberg_refills_at_the_back(make_engine):
    e = make_engine(*_accounts())
    ice = e.handle(_limit("A", Side.SELL, 10, "100.00", display_qty=2))[0].order_id
    other = e.handle(_limit("B", Side.SELL, 3, "100.00"))[0].order_id
    assert e.venues["IBM"].book.depth(False) == [(P("100.00"), 5)]
    ev = e.handle(_limit("C", Side.BUY, 4, "100.00"))
    # 2 from the iceberg's display, then it refills behind Bob: Bob gives 2
    assert [(t[0], t[1]) for t in _trades(ev) if t[3] == "maker"] == [(ice, 2), (other, 2)]


def test_fok_all_or_nothing(make_engine):
    e = make_engine(*_accounts())
    e.handle(_limit("A", Side.SELL, 5, "100.00"))
    ev = e.handle(_limit("B", Side.BUY, 6, "100.00", tif=TimeInForce.FOK))
    assert not _trades(ev) and ev[-1].reason.value == "matching.fok_not_fillable"
    ev = e.handle(_limit("B", Side.BUY, 5, "100.00", tif=TimeInForce.FOK))
    assert sum(t[1] for t in _trades(ev) if t[3] == "taker") == 5


def test_market_order_takes_best_of_client_book_and_feed(make_engine):
    e = make_engine(*_accounts())
    e.on_quote(QuoteTick("IBM", 1, P("99.98"), P("100.03"), 100, 4))
    e.handle(_limit("A", Side.SELL, 3, "100.02"))
    ev = e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.MARKET, 10))
    taker = [(q, px, liq) for _, q, px, liq in _trades(ev) if liq != "maker"]
    # 3 from Alice at 100.02 (better), 4 from the feed at 100.03 (its displayed size), rest waits
    assert taker == [(3, P("100.02"), "taker"), (4, P("100.03"), "external")]
    assert ev[-1].ord_status.value == "PartiallyFilled"
    ev = e.on_quote(QuoteTick("IBM", 2, P("99.98"), P("100.04"), 100, 100))
    assert [(x.last_qty, x.last_px) for x in ev] == [(3, P("100.04"))]


def test_resting_limit_fills_from_the_feed_at_its_own_price(make_engine):
    e = make_engine(*_accounts())
    o = e.handle(_limit("A", Side.BUY, 10, "100.00"))[0].order_id
    ev = e.on_quote(QuoteTick("IBM", 1, P("99.90"), P("99.95"), 100, 6))
    assert [(x.order_id, x.last_qty, x.last_px) for x in ev] == [(o, 6, P("100.00"))]


def test_self_trade_prevention_skips_own_orders_without_trading_through(make_engine):
    # Arrange: Alice and Bob both offer at 100.02; the feed offers at 100.05
    e = make_engine(*_accounts())
    e.on_quote(QuoteTick("IBM", 1, P("99.90"), P("100.05"), 1000, 1000))
    e.handle(_limit("A", Side.SELL, 100, "100.02"))
    bob = e.handle(_limit("B", Side.SELL, 100, "100.02"))[0].order_id
    # Act: Alice buys up to 100.05
    ev = e.handle(_limit("A", Side.BUY, 100, "100.05"))
    # Assert: she trades with Bob at 100.02, never with herself, never through Bob's price
    assert [(t[0], t[1], t[2]) for t in _trades(ev) if t[3] == "maker"] == [(bob, 100, P("100.02"))]


def test_short_sale_cannot_spend_a_long_that_a_sell_holds(make_engine):
    from condor.domain.orders.enums import OrdType as T

    # Arrange: Alice is long 1,000 and offers all of it
    a = builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)})
    e = make_engine(a, builders.account("B", "bob"))
    e.on_quote(QuoteTick("IBM", 1, P("99.90"), P("100.10"), 10**6, 10**6))
    e.handle(_limit("A", Side.SELL, 1000, "101.00"))
    # Act: a short sale would sell the long shares her Sell holds
    ev = e.handle(SubmitOrder("A", "IBM", Side.SELL_SHORT, T.MARKET, 1000))
    # Assert: refused, nothing changed; the Sell still holds the whole long
    assert [type(x).__name__ for x in ev] == ["CommandRejected"]
    assert ev[0].reason.value == "risk.position_held"
    pos = e.accounts["A"].positions["IBM"]
    assert pos.qty == 1000 and pos.held_long == 1000


def test_short_sale_sells_the_free_long_first_and_holds_it(make_engine):
    from condor.domain.orders.enums import OrdType as T

    a = builders.account("A", "alice", positions={"IBM": (300, "100", IBM)})
    e = make_engine(a, builders.account("B", "bob"))
    e.on_quote(QuoteTick("IBM", 1, P("99.90"), P("100.10"), 10**6, 10**6))
    o = e.handle(SubmitOrder("A", "IBM", Side.SELL_SHORT, T.LIMIT, 1000, price=P("101")))
    assert e.orders[o[0].order_id].hold_pos == 300
    # a Sell can no longer count on those 300
    ev = e.handle(_limit("A", Side.SELL, 1, "102.00"))
    assert ev[0].reason.value == "risk.no_long_position"
