"""Cancel/replace with a new order id inside groups (spec sections 1-3).

A group with no rule on its member's ``replace`` keeps working on the new order (it takes the
member's place, and what the old order filled counts); a group whose rules react to the
replace (Alor OnExecuteOrCancel, IgnoreCancel) sees it and keeps the old id. A replace that
only lowers the quantity keeps the order's place in the queue.
"""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.group_events import GroupUpdated

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _limit(acct: str, side: Side, qty: int, price: str) -> SubmitOrder:
    return SubmitOrder(acct, "IBM", side, OrdType.LIMIT, qty, price=_px(price),
                       tif=TimeInForce.GTC)  # fmt: skip


def _new_id(events, old: int) -> int:
    return next(ev.order_id for ev in events if getattr(ev, "orig_order_id", None) == old)


def _trade(e, n: int, price: str, qty: int):
    return e.on_trade(TradeTick("IBM", T0 + n, _px(price), qty))


def test_a_replaced_oco_leg_still_cancels_its_sibling(make_engine):
    # Arrange: an OCO of a buy at 99 and a buy at 98
    e = make_engine(builders.account("A"))
    a = e.handle(_limit("A", Side.BUY, 10, "99.00"))[0].order_id
    b = e.handle(_limit("A", Side.BUY, 10, "98.00"))[0].order_id
    g = e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=a), MemberSpec(order_id=b))))
    gid = next(ev.group_id for ev in g if isinstance(ev, GroupUpdated))
    # Act: move the first leg to 99.50 with a new id, then fill it
    events = e.handle(ReplaceOrder(a, price=_px("99.50")))
    new = _new_id(events, a)
    _trade(e, 1, "99.50", 10)
    # Assert: the new leg is the group's member, its fill canceled the sibling
    changes = [(ev.change, ev.removed) for ev in events if isinstance(ev, GroupUpdated)]
    assert changes == [("member_replaced", a)]
    assert e.orders[new].status is OrdStatus.FILLED
    assert e.orders[b].status is OrdStatus.CANCELED
    assert e.groups.get(gid).status.value == "Filled"


def test_a_bracket_take_profit_moved_with_a_new_id_keeps_the_stop_loss(make_engine):
    # Arrange: a filled bracket entry; exits TP 105 and SL 95 share one position hold
    e = make_engine(builders.account("A"), builders.account("B"))
    members = (
        MemberSpec(_limit("A", Side.BUY, 10, "100.00"), role="entry"),
        MemberSpec(_limit("A", Side.SELL, 10, "105.00"), role="take_profit"),
        MemberSpec(SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10,
                               stop_price=_px("95.00"), tif=TimeInForce.GTC), role="stop_loss"),
    )  # fmt: skip
    e.handle(CreateGroup(GroupKind.BRACKET, members))
    _, tp, sl = sorted(e.live)
    _trade(e, 1, "100.00", 10)
    # Act: move the take-profit to 104 (new order id)
    events = e.handle(ReplaceOrder(tp, price=_px("104.00")))
    new_tp = _new_id(events, tp)
    # Assert: the stop-loss still works; the new take-profit's fill ends the bracket flat
    assert e.orders[sl].status is OrdStatus.NEW
    e.check_invariants()
    _trade(e, 2, "104.00", 10)
    assert e.orders[new_tp].status is OrdStatus.FILLED
    assert e.orders[sl].status is OrdStatus.CANCELED
    assert e.accounts["A"].positions["IBM"].qty == 0


def test_on_execute_or_cancel_reacts_to_the_replace_and_keeps_the_old_id(make_engine):
    # Arrange: Alor OnExecuteOrCancel over two orders
    e = make_engine(builders.account("A"))
    a = e.handle(_limit("A", Side.BUY, 10, "99.00"))[0].order_id
    b = e.handle(_limit("A", Side.BUY, 10, "98.00"))[0].order_id
    e.handle(CreateGroup(GroupKind.ON_EXECUTE_OR_CANCEL,
                         (MemberSpec(order_id=a), MemberSpec(order_id=b))))  # fmt: skip
    # Act
    new = _new_id(e.handle(ReplaceOrder(a, price=_px("99.50"))), a)
    # Assert: a member's modify cancels the others (section 2), the new order is outside
    assert e.orders[b].status is OrdStatus.CANCELED
    assert e.orders[new].groups is None and e.orders[new].status is OrdStatus.NEW


def test_a_replace_that_only_lowers_the_quantity_keeps_time_priority(make_engine):
    # Arrange: A then B bid 10 each at 99
    e = make_engine(builders.account("A"), builders.account("B"),
                    builders.account("S", positions={"IBM": (100, "90", IBM)}))  # fmt: skip
    a = e.handle(_limit("A", Side.BUY, 10, "99.00"))[0].order_id
    b = e.handle(_limit("B", Side.BUY, 10, "99.00"))[0].order_id
    # Act: A's order replaced down to 5 (new id); a seller takes 5
    new = _new_id(e.handle(ReplaceOrder(a, qty=5)), a)
    e.handle(_limit("S", Side.SELL, 5, "99.00"))
    # Assert: the replacement kept A's place: it filled, B did not
    assert e.orders[new].status is OrdStatus.FILLED
    assert e.orders[b].cum_qty == 0


def test_a_replace_that_changes_the_price_goes_to_the_back(make_engine):
    # Arrange: A at 98.99 then B at 99.00; A moves up to 99.00 with a new id
    e = make_engine(builders.account("A"), builders.account("B"),
                    builders.account("S", positions={"IBM": (100, "90", IBM)}))  # fmt: skip
    a = e.handle(_limit("A", Side.BUY, 10, "98.99"))[0].order_id
    b = e.handle(_limit("B", Side.BUY, 10, "99.00"))[0].order_id
    new = _new_id(e.handle(ReplaceOrder(a, price=_px("99.00"))), a)
    # Act
    e.handle(_limit("S", Side.SELL, 10, "99.00"))
    # Assert: B was first at 99.00
    assert e.orders[b].status is OrdStatus.FILLED and e.orders[new].cum_qty == 0


def test_an_oto_parent_replaced_after_a_partial_fill_releases_its_children_in_full(
    make_engine,
):
    # Arrange: OTO parent buy 10 @ 100 (partially filled 4), child sell 10 @ 110 Held
    e = make_engine(builders.account("A"), builders.account("B"))
    members = (
        MemberSpec(_limit("A", Side.BUY, 10, "100.00")),
        MemberSpec(_limit("A", Side.SELL, 10, "110.00")),
    )
    e.handle(CreateGroup(GroupKind.OTO, members))
    parent, child = sorted(e.live)
    _trade(e, 1, "100.00", 4)
    # Act: the parent's rest moves to 100.50 (new id: 6 lots), which then fills
    new = _new_id(e.handle(ReplaceOrder(parent, price=_px("100.50"))), parent)
    _trade(e, 2, "100.50", 6)
    # Assert: 4 + 6 = the parent's 10: the child works with its whole 10
    assert e.orders[new].status is OrdStatus.FILLED
    assert e.orders[child].status is OrdStatus.NEW and e.orders[child].qty == 10
