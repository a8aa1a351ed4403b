"""The exits of one short position share one cash hold (engine/holds.py, account.reserve).

A take-profit and a stop-loss BuyToCover in one exclusive group (OCO, OUO, a bracket's exits)
never both execute, so together they hold what the dearer of them costs, not the sum; exactly
as Sell exits of one long position share one position hold. When the one holding the cash ends,
the other takes its own hold again (REHOLD).
"""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.groups import commands as G
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected

import builders
from builders import IBM, cash

GTC = TimeInForce.GTC
TP = C.SubmitOrder("A", "IBM", Side.BUY_TO_COVER, OrdType.LIMIT, 100, price=9_500, tif=GTC)
SL = C.SubmitOrder(
    "A", "IBM", Side.BUY_TO_COVER, OrdType.STOP_MARKET, 100, stop_price=11_000, tif=GTC
)


def _short_bracket(make_engine):
    """$10,000 cash: short 100 @ 100.00 (all of it as margin), take-profit 95.00 ($9,500),
    stop-loss 110.00 ($11,000). The entry fills: $20,000 cash."""
    e = make_engine(builders.account("A", "alice", usd=10_000), builders.account("B"))
    e.on_quote(QuoteTick("IBM", 1, 9_999, 10_000))
    entry = C.SubmitOrder("A", "IBM", Side.SELL_SHORT, OrdType.LIMIT, 100, price=10_000, tif=GTC)
    e.handle(G.CreateGroup(GroupKind.BRACKET, (
        G.MemberSpec(entry, role="entry"), G.MemberSpec(TP, role="take_profit"),
        G.MemberSpec(SL, role="stop_loss"),
    )))  # fmt: skip
    e.on_quote(QuoteTick("IBM", 2, 10_000, 10_001))
    return e


def test_short_bracket_exits_both_work_holding_the_dearer(make_engine):
    # Arrange / Act: the entry fills and releases both exits
    e = _short_bracket(make_engine)
    # Assert: both work (the stop-loss is not canceled for want of the take-profit's cash),
    # holding $11,000 together
    tp, sl = e.orders[2], e.orders[3]
    assert tp.status is OrdStatus.NEW and sl.status is OrdStatus.NEW
    a = e.accounts["A"]
    assert a.positions["IBM"].qty == -100
    assert a.held_cash["USD"] == tp.hold_cash + sl.hold_cash == cash(11_000)


def test_stop_loss_takes_its_whole_hold_when_the_take_profit_is_canceled(make_engine):
    e = _short_bracket(make_engine)
    e.handle(C.CancelOrder(2))
    sl = e.orders[3]
    assert sl.status is OrdStatus.NEW
    assert (sl.hold_pos, sl.hold_cash) == (100, cash(11_000))
    assert e.accounts["A"].held_cash["USD"] == cash(11_000)


def test_stop_loss_fills_and_cancels_the_take_profit(make_engine):
    # Arrange: the short bracket; Act: the price gaps up to 110.00 and the stop fills
    e = _short_bracket(make_engine)
    e.on_quote(QuoteTick("IBM", 3, None, None))
    e.on_trade(TradeTick("IBM", 4, 11_000, 1_000))
    # Assert: flat, $9,000 left, nothing held, the take-profit canceled
    a = e.accounts["A"]
    assert e.orders[3].status is OrdStatus.FILLED and e.orders[2].status is OrdStatus.CANCELED
    assert (a.positions["IBM"].qty, a.cash["USD"], a.held_cash["USD"]) == (0, cash(9_000), 0)


def test_oco_of_cover_exits_is_accepted_with_cash_for_the_dearer(make_engine):
    # Arrange: short 100 @ 100.00 with $11,000 (short proceeds included)
    e = make_engine(
        builders.account("A", "alice", usd=11_000, positions={"IBM": (-100, "100.00", IBM)}),
        builders.account("B"),
    )
    # Act
    events = e.handle(G.CreateGroup(GroupKind.OCO, (G.MemberSpec(TP), G.MemberSpec(SL))))
    # Assert: accepted; $11,000 held, not $20,500
    assert not [ev for ev in events if isinstance(ev, CommandRejected)]
    assert e.accounts["A"].held_cash["USD"] == cash(11_000)


def test_deleting_the_oco_is_refused_when_the_exits_cannot_hold_alone(make_engine):
    # Arrange: the OCO above; unlinked, the two exits would need $20,500
    e = make_engine(
        builders.account("A", "alice", usd=11_000, positions={"IBM": (-100, "100.00", IBM)}),
        builders.account("B"),
    )
    e.handle(G.CreateGroup(GroupKind.OCO, (G.MemberSpec(TP), G.MemberSpec(SL))))
    gid = next(iter(e.groups)).group_id
    held = [(o.hold_cash, o.hold_pos) for o in e.orders.values()]
    # Act
    events = e.handle(G.DeleteGroup(gid))
    # Assert: refused, nothing changed
    assert [type(ev) for ev in events] == [CommandRejected]
    assert events[0].reason is RejectReason.POSITION_HELD
    assert [(o.hold_cash, o.hold_pos) for o in e.orders.values()] == held
