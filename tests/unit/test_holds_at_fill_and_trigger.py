"""Buying-power holds stay what the open quantity needs after a fill and after a trigger.

- A short sale sells the account's free long lots first and holds cash only for the lots that
  go short; a fill out of the long lots releases none of that cash (account.py, apply_fill).
- A trailing stop limit has no limit price until it is elected; then it is re-held at its limit
  (a resting buy is filled passively with no further check) and canceled when the account
  cannot cover it (stops.py, ``_elect``; holds.py, ``_rehold_priced``).
"""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce, TrailKind
from condor.domain.orders.events import ExecutionReport

import builders
from builders import IBM, cash

GTC = TimeInForce.GTC


def test_short_sale_filled_out_of_the_long_lots_keeps_its_cash_hold(make_engine):
    # Arrange: A is long 150 and sells short 300 @ 100.00: 150 lots from the long position,
    # 150 lots short, for which it holds $15,000
    e = make_engine(
        builders.account("A", "alice", usd=100_000, positions={"IBM": (150, "100.00", IBM)}),
        builders.account("B", "bob"),
    )
    e.handle(C.SubmitOrder("A", "IBM", Side.SELL_SHORT, OrdType.LIMIT, 300, price=10_000, tif=GTC))
    o = e.orders[1]
    assert (o.hold_pos, o.hold_net, o.hold_cash) == (150, 150, cash(15_000))
    # Act: B buys 150: the long lots are sold, the short part is still open
    e.handle(C.SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 150, price=10_000, tif=GTC))
    # Assert: the 150 lots still to go short still hold $15,000
    a = e.accounts["A"]
    assert (o.cum_qty, a.positions["IBM"].qty) == (150, 0)
    assert (o.hold_pos, o.hold_net, o.hold_cash) == (0, 150, cash(15_000))
    assert a.held_cash["USD"] == cash(15_000)
    # and a fill of the short part releases its share of it
    e.handle(C.SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 50, price=10_000, tif=GTC))
    assert (o.hold_net, o.hold_cash, a.held_cash["USD"]) == (100, cash(10_000), cash(10_000))


def _trailing_buy(qty: int) -> C.SubmitOrder:
    """Buy trailing stop limit: stop 5 ticks above the low, limit 2 ticks above the stop."""
    trail = C.TrailSpec(TrailKind.TICKS, 5, None, 2)
    return C.SubmitOrder(
        "A", "IBM", Side.BUY, OrdType.TRAILING_STOP_LIMIT, qty, tif=GTC, trail=trail
    )


def _elect(e) -> None:
    """Prints 100.00, 99.00 (the low), then 99.05: the stop elects with limit 99.07."""
    for ts, px in ((1, 10_000), (2, 9_900), (3, 9_905)):
        e.on_trade(TradeTick("IBM", ts, px, 1))


def test_trailing_stop_limit_sent_blind_cannot_overdraw_a_cash_account(make_engine):
    # Arrange: $1,000 cash; a buy trailing stop limit of 50 sent before any price is known
    # holds nothing
    e = make_engine(builders.account("A", "alice", usd=1_000), builders.account("B"))
    e.handle(_trailing_buy(50))
    # Act: the stop elects (limit 99.07, 50 lots cost $4,953.50), then the feed offers 99.00
    _elect(e)
    events = e.on_quote(QuoteTick("IBM", 4, 9_890, 9_900))
    # Assert: canceled at the trigger for want of cash; nothing bought, nothing overdrawn
    o = e.orders[1]
    assert o.status is OrdStatus.CANCELED and o.cum_qty == 0
    assert not [ev for ev in events if isinstance(ev, ExecutionReport)]
    a = e.accounts["A"]
    assert (a.cash["USD"], a.held_cash.get("USD", 0)) == (cash(1_000), 0)


def test_trailing_stop_limit_cancel_at_trigger_names_the_reason(make_engine):
    e = make_engine(builders.account("A", "alice", usd=1_000), builders.account("B"))
    e.handle(_trailing_buy(50))
    e.on_trade(TradeTick("IBM", 1, 10_000, 1))
    e.on_trade(TradeTick("IBM", 2, 9_900, 1))
    events = e.on_trade(TradeTick("IBM", 3, 9_905, 1))
    ended = [ev for ev in events if isinstance(ev, ExecutionReport)]
    assert [ev.exec_type for ev in ended] == [ExecType.TRIGGERED, ExecType.CANCELED]
    assert ended[-1].reason is RejectReason.INSUFFICIENT_FUNDS


def test_elected_trailing_stop_limit_holds_its_limit(make_engine):
    # Arrange: enough cash; the trailing buy is held at the 99.00 touch when it arrives
    e = make_engine(builders.account("A", "alice", usd=100_000), builders.account("B"))
    e.on_quote(QuoteTick("IBM", 0, 9_890, 9_900, 10, 10))
    e.handle(_trailing_buy(50))
    o = e.orders[1]
    assert o.hold_cash == IBM.notional(9_900, 50)
    e.on_quote(QuoteTick("IBM", 1, None, None))  # no quotes: the stop watches Last
    # Act: the stop elects at 99.05 (limit 99.07); the print's 1 lot fills at 99.05
    _elect(e)
    # Assert: the 49 lots that rest hold what their limit costs
    assert (o.status, o.price, o.cum_qty) == (OrdStatus.PARTIALLY_FILLED, 9_907, 1)
    assert o.hold_cash == IBM.notional(9_907, 49)
    assert e.accounts["A"].held_cash["USD"] == o.hold_cash
