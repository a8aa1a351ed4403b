"""A market order waiting for liquidity trades with a marketable order of another account when
that order arrives, not at the next market-data event (spec section 4, price-time priority: a
market order has no limit, so it is ahead of every priced order of its side).

Price (matching.py, the venue's tie rules: the aggressor takes the best price across client
orders and the feed, client orders first at an equal price): the price the arriving order would
get without the waiting market order, else the arriving order's limit. Self-trade prevention,
post-only, FOK and the cash cap of a buy treat the waiting order as any other liquidity."""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import ExecutionReport

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine, a_usd=1_000_000):
    pos = {"IBM": (1_000, "100.00", IBM)}
    e = make_engine(
        builders.account("A", "alice", usd=a_usd, positions=pos),
        builders.account("B", "bob", positions=pos),
    )
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 1))  # a last price; no quote at all
    return e


def _send(e, account, side, qty, price=None, **kw):
    ord_type = OrdType.MARKET if price is None else OrdType.LIMIT
    p = None if price is None else _px(price)
    return e.handle(SubmitOrder(account, "IBM", side, ord_type, qty, price=p, **kw))


def _trades(events) -> list[tuple]:
    return [(ev.order_id, ev.last_qty, ev.last_px, ev.liquidity) for ev in events
            if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.TRADE]  # fmt: skip


def test_an_arriving_limit_trades_with_a_waiting_market_order_at_its_limit(make_engine):
    # Arrange: A's market buy finds no offer and waits
    e = _engine(make_engine)
    a = _send(e, "A", Side.BUY, 10)[0].order_id
    assert e.orders[a].status is OrdStatus.NEW
    # Act: B's sell limit at 100.20, the only price anywhere
    events = _send(e, "B", Side.SELL, 10, "100.20")
    b = events[0].order_id
    # Assert: they trade now, at B's limit; nothing waits or rests
    assert _trades(events) == [(a, 10, _px("100.20"), "maker"), (b, 10, _px("100.20"), "taker")]
    assert e.venues["IBM"].pending_markets == []
    assert e.venues["IBM"].book.top() == (None, None)


def test_the_price_is_the_best_the_arriving_order_would_get_without_it(make_engine):
    # Arrange: the feed offers 100.05 (no bid), so A's market sell waits
    e = _engine(make_engine)
    e.on_quote(QuoteTick("IBM", T0 + 1, None, _px("100.05"), None, 100))
    a = _send(e, "A", Side.SELL, 4)[0].order_id
    # Act: B's buy limit at 100.10 would take the feed's 100.05
    events = _send(e, "B", Side.BUY, 10, "100.10")
    b = events[0].order_id
    # Assert: the waiting sell goes first at 100.05, then the feed
    assert _trades(events) == [
        (a, 4, _px("100.05"), "maker"),
        (b, 4, _px("100.05"), "taker"),
        (b, 6, _px("100.05"), "external"),
    ]


def test_two_waiting_market_orders_are_served_oldest_first(make_engine):
    # Arrange: A's, then B's market sells wait (one long account each)
    e = _engine(make_engine)
    e.add_account(builders.account("C", "carol"))
    a = _send(e, "A", Side.SELL, 3)[0].order_id
    b = _send(e, "B", Side.SELL, 3)[0].order_id
    # Act: C buys 4 at 100.00
    events = _send(e, "C", Side.BUY, 4, "100.00")
    c = events[0].order_id
    # Assert
    assert [t[:2] for t in _trades(events)] == [(a, 3), (c, 3), (b, 1), (c, 1)]
    assert [o.order_id for o in e.venues["IBM"].pending_markets] == [b]


def test_the_same_account_does_not_trade_with_its_waiting_market_order(make_engine):
    # Arrange: A's market buy waits; A's own sell limit rests beside it (self-trade prevention)
    e = _engine(make_engine)
    a = _send(e, "A", Side.BUY, 10)[0].order_id
    assert _trades(_send(e, "A", Side.SELL, 10, "100.20")) == []
    # Act: B's sell limit at 100.30
    events = _send(e, "B", Side.SELL, 10, "100.30")
    # Assert: B trades with A's market buy at its own limit, not at A's 100.20 (A's own)
    assert [t[:3] for t in _trades(events)] == [
        (a, 10, _px("100.30")),
        (events[0].order_id, 10, _px("100.30")),
    ]
    assert e.venues["IBM"].book.top() == (None, _px("100.20"))


def test_a_post_only_limit_against_a_waiting_market_order_is_canceled(make_engine):
    # Arrange
    e = _engine(make_engine)
    _send(e, "A", Side.BUY, 10)
    # Act
    events = _send(e, "B", Side.SELL, 10, "100.20", post_only=True)
    # Assert
    last = events[-1]
    assert (last.exec_type, last.reason) == (
        ExecType.CANCELED,
        RejectReason.POST_ONLY_WOULD_TAKE,
    )
    assert _trades(events) == []


def test_a_fill_or_kill_limit_counts_the_waiting_market_order(make_engine):
    # Arrange
    e = _engine(make_engine)
    a = _send(e, "A", Side.BUY, 10)[0].order_id
    # Act
    events = _send(e, "B", Side.SELL, 10, "100.20", tif=TimeInForce.FOK)
    # Assert
    assert [t[:2] for t in _trades(events)] == [(a, 10), (events[0].order_id, 10)]


def test_a_waiting_cash_buy_takes_only_what_it_can_pay(make_engine):
    # Arrange: A (cash account, 1,000 USD) holds for 10 at the last 100.00 and waits
    e = _engine(make_engine, a_usd=1_000)
    a = _send(e, "A", Side.BUY, 10)[0].order_id
    # Act: B sells 10 at 100.50: A can pay 9
    events = _send(e, "B", Side.SELL, 10, "100.50")
    b = events[0].order_id
    # Assert: 9 trade, A's last lot is canceled (it can pay nothing more), B's rest rests
    assert _trades(events) == [(a, 9, _px("100.50"), "maker"), (b, 9, _px("100.50"), "taker")]
    oa = e.orders[a]
    assert (oa.status, oa.cum_qty) == (OrdStatus.CANCELED, 9)
    canceled = [ev for ev in events if ev.order_id == a and ev.exec_type is ExecType.CANCELED]
    assert [ev.reason for ev in canceled] == [RejectReason.INSUFFICIENT_FUNDS]
    assert e.venues["IBM"].book.top() == (None, _px("100.50"))
    assert e.accounts["A"].available_cash("USD") == builders.cash(1_000) - 9 * builders.cash(
        "100.50"
    )
