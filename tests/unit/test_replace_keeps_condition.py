"""Cancel/replace (Alor modify, wire-formats 2.6) keeps a stop's explicit trigger condition: a
sell stop with ``MoreOrEqual`` (a take-profit) must not fall back to the sell default
``LessOrEqual`` and trigger at once on its replacement."""

from __future__ import annotations

from condor.domain.market import TradeTick
from condor.domain.orders.commands import ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TriggerCondition

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def test_replaced_stop_keeps_its_condition(make_engine):
    # Arrange: last 100.00; a sell stop that triggers at 110.00 or more
    acct = builders.account("A", "alice", positions={"IBM": (100, "100", IBM)})
    e = make_engine(acct)
    e.on_trade(TradeTick("IBM", T0, builders.px(IBM, "100.00"), 1))
    oid = e.handle(
        SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10,
                    stop_price=builders.px(IBM, "110.00"), tif=TimeInForce.GTC,
                    condition=TriggerCondition.MORE_OR_EQUAL)
    )[0].order_id  # fmt: skip
    # Act: move the trigger to 111.00 (new order number)
    events = e.handle(ReplaceOrder(oid, stop_price=builders.px(IBM, "111.00")))
    new = next(ev.order_id for ev in events if getattr(ev, "orig_order_id", None) == oid)
    e.on_trade(TradeTick("IBM", T0 + 1, builders.px(IBM, "100.00"), 1))
    # Assert: still waiting, with its condition; it triggers only at 111.00 or more
    n = e.orders[new]
    assert n.condition is TriggerCondition.MORE_OR_EQUAL
    assert n.status.value == "New" and not n.triggered
    e.on_trade(TradeTick("IBM", T0 + 2, builders.px(IBM, "111.00"), 10))
    assert e.orders[new].triggered
