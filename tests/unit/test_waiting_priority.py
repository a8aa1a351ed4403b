"""A quantity decrease keeps time priority for orders that wait outside the book too (spec
section 1, "a price change or a quantity increase loses time priority; a quantity decrease
keeps it"; FIX: OrderQty down on 35=G keeps priority): an untriggered stop keeps its place
among the stops of its threshold in the trigger index, a market order waiting for liquidity
keeps its place in the venue's queue, by modify (same id) and by cancel/replace (new id). A
price change or an increase still goes to the back."""

from __future__ import annotations

from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import ModifyOrder, ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side
from condor.domain.orders.events import ExecutionReport

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    accts = [builders.account(a, a.lower()) for a in ("A", "B", "C")]
    e = make_engine(*accts)
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 1))
    return e


def _buy_stop(e, account: str, qty: int = 10) -> int:
    cmd = SubmitOrder(account, "IBM", Side.BUY, OrdType.STOP_MARKET, qty, stop_price=_px("101.00"))
    return e.handle(cmd)[0].order_id


def _buy_market(e, account: str, qty: int = 10) -> int:
    return e.handle(SubmitOrder(account, "IBM", Side.BUY, OrdType.MARKET, qty))[0].order_id


def _triggered(events) -> list[int]:
    return [ev.order_id for ev in events
            if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.TRIGGERED]  # fmt: skip


def _traded(events) -> list[tuple[int, int]]:
    return [(ev.order_id, ev.last_qty) for ev in events
            if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.TRADE]  # fmt: skip


def test_a_stop_amended_down_triggers_before_a_later_stop_at_its_threshold(make_engine):
    # Arrange: A's buy stop at 101.00, then B's at 101.00; A lowers its quantity
    e = _engine(make_engine)
    a = _buy_stop(e, "A")
    b = _buy_stop(e, "B")
    e.handle(ModifyOrder(a, qty=5))
    # Act: a one-lot print at 101.00 elects both, in trigger order
    events = e.on_trade(TradeTick("IBM", T0 + 1, _px("101.00"), 1))
    # Assert: A is still first, and takes the print's only lot
    assert _triggered(events) == [a, b]
    assert _traded(events) == [(a, 1)]


def test_among_three_stops_only_the_one_amended_up_goes_to_the_back(make_engine):
    # Arrange: buy stops at 101.00 of A, B, C in that order; A lowers, B raises its quantity
    e = _engine(make_engine)
    a, b, c = (_buy_stop(e, acct) for acct in ("A", "B", "C"))
    e.handle(ModifyOrder(a, qty=5))
    e.handle(ModifyOrder(b, qty=12))
    # Act
    events = e.on_trade(TradeTick("IBM", T0 + 1, _px("101.00"), 1))
    # Assert
    assert _triggered(events) == [a, c, b]


def test_a_stop_replaced_down_with_a_new_id_keeps_the_place(make_engine):
    # Arrange: A's stop replaced by a smaller one (Alor PUT, AlphaPoint CancelReplaceOrder)
    e = _engine(make_engine)
    a = _buy_stop(e, "A")
    b = _buy_stop(e, "B")
    events = e.handle(ReplaceOrder(a, qty=5))
    n = next(ev.order_id for ev in events if ev.exec_type is ExecType.NEW)
    # Act
    events = e.on_trade(TradeTick("IBM", T0 + 1, _px("101.00"), 1))
    # Assert
    assert _triggered(events) == [n, b]
    assert _traded(events) == [(n, 1)]


def test_a_waiting_market_order_amended_down_is_served_first(make_engine):
    # Arrange: no offer anywhere; A's market buy waits, then B's; A lowers its quantity
    e = _engine(make_engine)
    a = _buy_market(e, "A")
    b = _buy_market(e, "B")
    e.handle(ModifyOrder(a, qty=4))
    # Act: an offer of 4 lots
    events = e.on_quote(QuoteTick("IBM", T0 + 1, None, _px("100.05"), None, 4))
    # Assert: A, still first in the queue, takes the 4 lots; B keeps waiting
    assert _traded(events) == [(a, 4)]
    assert [o.order_id for o in e.venues["IBM"].pending_markets] == [b]


def test_a_waiting_market_order_replaced_down_keeps_the_place(make_engine):
    # Arrange
    e = _engine(make_engine)
    a = _buy_market(e, "A")
    b = _buy_market(e, "B")
    events = e.handle(ReplaceOrder(a, qty=4))
    n = next(ev.order_id for ev in events if ev.exec_type is ExecType.NEW)
    assert [o.order_id for o in e.venues["IBM"].pending_markets] == [n, b]
    # Act
    events = e.on_quote(QuoteTick("IBM", T0 + 1, None, _px("100.05"), None, 4))
    # Assert
    assert _traded(events) == [(n, 4)]


def test_among_three_waiting_market_orders_only_the_one_amended_up_goes_back(make_engine):
    # Arrange: market buys of A, B, C wait in that order
    e = _engine(make_engine)
    a, b, c = (_buy_market(e, acct) for acct in ("A", "B", "C"))
    # Act: A lowers, B raises its quantity
    e.handle(ModifyOrder(a, qty=4))
    e.handle(ModifyOrder(b, qty=12))
    # Assert
    assert [o.order_id for o in e.venues["IBM"].pending_markets] == [a, c, b]
