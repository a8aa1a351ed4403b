"""Group rules at their edges (spec section 2): a group over orders that already work does not
resize them, a bracket's prices are always checked, a group's final status comes from what
ended it, an expiry acts as a cancel in Alor's groups, an IgnoreCancel group lists no member
that left it, a waiting position-attached child can change its prices, and an OUO whose first
new member fills at once reduces the next one before it works."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import CancelOrder, ModifyOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, PositionEffect, Side, TimeInForce
from condor.domain.orders.events import CommandRejected
from condor.domain.orders.group_events import GroupUpdated

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000
S = 1_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _limit(side: Side, qty: int, price: str, **kw) -> SubmitOrder:
    return SubmitOrder("A", "IBM", side, OrdType.LIMIT, qty, price=_px(price),
                       tif=kw.pop("tif", TimeInForce.GTC), **kw)  # fmt: skip


def _group(e, kind: GroupKind, *members: MemberSpec):
    events = e.handle(CreateGroup(kind, members))
    gid = next((ev.group_id for ev in events if isinstance(ev, GroupUpdated)), None)
    return (e.groups.get(gid) if gid else None), events


def _bracket(e, take_profit: str = "105.00"):
    return _group(
        e, GroupKind.BRACKET,
        MemberSpec(_limit(Side.BUY, 10, "100.00"), role="entry"),
        MemberSpec(_limit(Side.SELL, 10, take_profit), role="take_profit"),
        MemberSpec(SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10,
                               stop_price=_px("95.00"), tif=TimeInForce.GTC), role="stop_loss"),
    )  # fmt: skip


def test_a_group_over_a_working_child_does_not_grow_it(make_engine):
    # Arrange: an OTO over a working buy and a working sell of 10
    e = make_engine(builders.account("A", positions={"IBM": (20, "90", IBM)}))
    parent = e.handle(_limit(Side.BUY, 10, "100.00"))[0].order_id
    child = e.handle(_limit(Side.SELL, 10, "110.00"))[0].order_id
    _group(e, GroupKind.OTO, MemberSpec(order_id=parent), MemberSpec(order_id=child))
    # Act
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 10))
    # Assert: nothing to release: the child keeps the 10 its owner gave it
    assert e.orders[parent].status is OrdStatus.FILLED and e.orders[child].qty == 10


def test_a_bracket_with_the_take_profit_below_the_stop_is_refused(make_engine):
    e = make_engine(builders.account("A"))
    g, events = _bracket(e, take_profit="90.00")
    assert g is None and isinstance(events[0], CommandRejected)
    assert events[0].field == "members[1]" and "above the stop-loss" in events[0].text
    assert not e.live


def test_a_bracket_ended_by_its_take_profit_is_filled(make_engine):
    e = make_engine(builders.account("A"))
    g, _ = _bracket(e)
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 10))
    e.on_trade(TradeTick("IBM", T0 + S, _px("105.00"), 10))
    assert g.status.value == "Filled"


def test_a_bracket_whose_exits_the_user_cancels_is_canceled(make_engine):
    e = make_engine(builders.account("A"))
    g, _ = _bracket(e)
    _, tp, sl = (m.order_id for m in g.members)
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 10))
    e.handle(CancelOrder(tp))
    e.handle(CancelOrder(sl))
    assert g.status.value == "Canceled"


def test_an_expired_member_of_on_execute_or_cancel_cancels_the_others(make_engine):
    # Arrange: Alor OnExecuteOrCancel over a GTD buy (60 s) and a GTC buy
    e = make_engine(builders.account("A"))
    e.clock.advance_to(T0)
    a = e.handle(_limit(Side.BUY, 10, "99.00", tif=TimeInForce.GTD, expire_ns=T0 + 60 * S))
    b = e.handle(_limit(Side.BUY, 10, "98.00"))
    g, _ = _group(e, GroupKind.ON_EXECUTE_OR_CANCEL,
                  MemberSpec(order_id=a[0].order_id), MemberSpec(order_id=b[0].order_id))  # fmt: skip
    # Act
    e.on_trade(TradeTick("IBM", T0 + 61 * S, _px("100.00"), 1))
    # Assert: Alor reads an expired order as canceled: the group acts as for a cancel
    assert e.orders[a[0].order_id].status is OrdStatus.EXPIRED
    assert e.orders[b[0].order_id].status is OrdStatus.CANCELED
    assert g.status.value == "Canceled"


def test_ignore_cancel_lists_no_member_that_left_it(make_engine):
    e = make_engine(builders.account("A"))
    a = e.handle(_limit(Side.BUY, 10, "99.00"))[0].order_id
    b = e.handle(_limit(Side.BUY, 10, "98.00"))[0].order_id
    g, _ = _group(e, GroupKind.IGNORE_CANCEL, MemberSpec(order_id=a), MemberSpec(order_id=b))
    # Act: the user cancels both, the last one ends the group
    e.handle(CancelOrder(a))
    events = e.handle(CancelOrder(b))
    # Assert: each left (member_removed), then the group closed with no member
    changes = [(ev.change, ev.removed) for ev in events if isinstance(ev, GroupUpdated)]
    assert changes == [("member_removed", b), ("closed", None)]
    assert g.status.value == "Canceled" and not g.active_members


def test_a_waiting_position_attached_child_changes_its_price_and_stays_unsized(make_engine):
    # Arrange: an OTO whose child has no quantity yet (Sway THEN order, positionEffect CLOSE)
    e = make_engine(builders.account("A"))
    child_cmd = SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 0, price=_px("110.00"),
                            tif=TimeInForce.GTC, activate=False,
                            position_effect=PositionEffect.CLOSE)  # fmt: skip
    g, _ = _group(e, GroupKind.OTO, MemberSpec(_limit(Side.BUY, 10, "100.00")),
                  MemberSpec(child_cmd))  # fmt: skip
    child = g.members[1].order_id
    # Act: move its price while it waits
    events = e.handle(ModifyOrder(child, price=_px("111.00")))
    # Assert: accepted, still Held without quantity; the parent's fill sizes it
    assert not any(isinstance(ev, CommandRejected) for ev in events)
    o = e.orders[child]
    assert (o.status, o.qty, o.price) == (OrdStatus.HELD, 0, _px("111.00"))
    e.on_trade(TradeTick("IBM", T0, _px("100.00"), 10))
    assert (o.status, o.qty) == (OrdStatus.NEW, 10)


def test_an_ouo_member_that_fills_at_creation_reduces_the_next_before_it_works(make_engine):
    # Arrange: B bids 2 @ 100.00 in the client book; A holds 100 IBM
    e = make_engine(
        builders.account("A", positions={"IBM": (100, "90", IBM)}), builders.account("B")
    )
    bid = e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 2, price=_px("100.00"),
                               tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    # Act: an OUO of two sells of 5; the first crosses the bid for 2 while the second still
    # waits its turn (PendingNew: the engine raised IllegalTransition on its amend)
    g, events = _group(e, GroupKind.OUO, MemberSpec(_limit(Side.SELL, 5, "100.00")),
                       MemberSpec(_limit(Side.SELL, 5, "101.00")))  # fmt: skip
    # Assert: the second is acknowledged, then reduced by the 2 filled, then works 3
    first, second = (m.order_id for m in g.members)
    story = [(ev.order_id, ev.exec_type.value, ev.ord_status.value, ev.last_qty)
             for ev in events if not isinstance(ev, GroupUpdated)]  # fmt: skip
    assert story == [
        (first, "New", "New", 0),
        (bid, "Trade", "Filled", 2),
        (first, "Trade", "PartiallyFilled", 2),
        (second, "New", "New", 0),
        (second, "Restated", "New", 0),
    ]
    o = e.orders[second]
    assert (o.qty, o.cum_qty) == (3, 0) and o.priority  # resting in the book
