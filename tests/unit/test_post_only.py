"""Post-only (book or cancel; FIX ExecInst=6, Alor ``bookorcancel``, AlphaPoint ``PostOnly``):
the order only adds liquidity; one that would execute on arrival is canceled, trading nothing,
with its holds given back."""

from __future__ import annotations

import pytest

from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000
px = lambda s: builders.px(IBM, s)  # noqa: E731


def _engine(make_engine):
    e = make_engine(
        builders.account("A", "alice", positions={"IBM": (100, "100", IBM)}),
        builders.account("B", "bob", positions={"IBM": (100, "100", IBM)}),
    )
    e.on_quote(QuoteTick("IBM", T0, px("99.90"), px("100.10"), 500, 500))
    return e


def _post(account: str, side: Side, price: str, **kw) -> SubmitOrder:
    return SubmitOrder(account, "IBM", side, OrdType.LIMIT, 10, price=px(price), post_only=True,
                       tif=TimeInForce.GTC, **kw)  # fmt: skip


def test_a_post_only_order_inside_the_spread_rests(make_engine):
    e = _engine(make_engine)
    [new] = e.handle(_post("A", Side.BUY, "100.00"))
    o = e.orders[new.order_id]
    assert new.exec_type is ExecType.NEW and o.status is OrdStatus.NEW and o.priority
    assert e.venues["IBM"].book.best_bid == px("100.00")


@pytest.mark.parametrize("side, price", [(Side.BUY, "100.10"), (Side.SELL, "99.85")])
def test_a_post_only_order_at_or_through_the_touch_is_canceled_without_trading(
    make_engine, side, price
):
    e = _engine(make_engine)
    cash = e.accounts["A"].available_cash("USD")
    events = e.handle(_post("A", side, price))
    assert [ev.exec_type for ev in events] == [ExecType.NEW, ExecType.CANCELED]
    assert events[-1].reason is RejectReason.POST_ONLY_WOULD_TAKE and events[-1].cum_qty == 0
    assert e.accounts["A"].available_cash("USD") == cash
    assert e.accounts["A"].positions["IBM"].qty == 100


def test_a_post_only_order_crossing_another_accounts_order_leaves_it_alone(make_engine):
    e = _engine(make_engine)
    [rest] = e.handle(SubmitOrder("B", "IBM", Side.SELL, OrdType.LIMIT, 5, price=px("100.05"),
                                  tif=TimeInForce.GTC))  # fmt: skip
    events = e.handle(_post("A", Side.BUY, "100.05"))
    assert events[-1].reason is RejectReason.POST_ONLY_WOULD_TAKE
    assert e.orders[rest.order_id].cum_qty == 0 and e.orders[rest.order_id].priority


@pytest.mark.parametrize(
    "kw", [dict(ord_type=OrdType.MARKET, price=None), dict(tif=TimeInForce.IOC)]
)
def test_post_only_needs_a_limit_order_that_may_rest(make_engine, kw):
    e = _engine(make_engine)
    base = _post("A", Side.BUY, "100.00")._replace(**kw)
    [rej] = e.handle(base)
    assert type(rej) is CommandRejected and rej.field == "post_only"
    assert not e.live
