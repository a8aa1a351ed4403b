"""Editing a group (spec section 2: "can be edited (members and policy, only while Active)";
Alor seed 003: the PUT lists every member, old and new) changes its members and policy, not
what has happened in it:
- a member that stays keeps the group's bookkeeping (its base size, the lots released to it,
  whether the group released it), so a partial-trigger OTO child released 4 of 10 before the
  edit gets the rest as the parent fills after it, and TriggerBracketOrders stops released by
  the limit's fill still cancel each other;
- the creation checks on an order's status (live, inactive stops) judge newcomers only: a group
  whose entry or limit has filled can still be edited;
- an order listed twice is refused with the member, as at creation, and nothing changes."""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, EditGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected

import builders

IBM = builders.IBM
GTC = TimeInForce.GTC


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    return make_engine(builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)}))


def _trade(e, price: str, size: int) -> list:
    return e.on_trade(TradeTick("IBM", e.now + 1, _px(price), size))


def _edited(events) -> bool:
    return [getattr(ev, "change", None) for ev in events] == ["edited"]


BUY = SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=_px("100"), tif=GTC)
SELL = SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=_px("102"), tif=GTC)


def _trigger_bracket(e):
    """Alor TriggerBracketOrders over existing orders: a buy limit and two inactive stops."""
    lim = e.handle(BUY)[0].order_id
    stop = SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10, stop_price=_px("99"),
                       tif=GTC, activate=False)  # fmt: skip
    s1 = e.handle(stop)[0].order_id
    s2 = e.handle(stop._replace(stop_price=_px("101")))[0].order_id
    ms = (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=s1), MemberSpec(order_id=s2))
    ev = e.handle(CreateGroup(GroupKind.TRIGGER_BRACKET_ORDERS, ms, validators=("inactive_stops",)))
    return e.groups.get(ev[0].group_id), ms, (lim, s1, s2)


def test_a_partial_trigger_child_released_before_an_edit_gets_the_rest_after_it(make_engine):
    # Arrange: partial-trigger OTO; the parent fills 4, so the child works 4 of its 10
    e = _engine(make_engine)
    ev = e.handle(CreateGroup(GroupKind.OTO_PARTIAL, (MemberSpec(BUY), MemberSpec(SELL))))
    g = e.groups.get(ev[0].group_id)
    parent, child = (m.order_id for m in g.members)
    _trade(e, "100", 4)
    assert e.orders[child].qty == 4
    assert _edited(e.handle(EditGroup(g.group_id, members=(
        MemberSpec(order_id=parent), MemberSpec(order_id=child)))))  # fmt: skip
    # Act: the parent fills 2 more
    _trade(e, "100", 2)
    # Assert: the child now protects the 6 bought
    assert e.orders[child].qty == 6


def test_trigger_bracket_orders_edited_after_its_limit_filled(make_engine):
    # Arrange: the limit fills and releases both stops
    e = _engine(make_engine)
    g, ms, (_lim, s1, s2) = _trigger_bracket(e)
    _trade(e, "100", 10)
    assert (e.orders[s1].status, e.orders[s2].status) == (OrdStatus.NEW, OrdStatus.NEW)
    # Act: the Alor PUT re-sends every member (the limit is Filled, the stops are working)
    events = e.handle(EditGroup(g.group_id, members=ms, kind=GroupKind.TRIGGER_BRACKET_ORDERS,
                                validators=("inactive_stops",)))  # fmt: skip
    _trade(e, "101", 10)
    # Assert: accepted; the released stops still cancel each other
    assert _edited(events)
    assert (e.orders[s2].status, e.orders[s1].status) == (OrdStatus.FILLED, OrdStatus.CANCELED)
    assert g.status.value == "Filled"


def test_a_policy_edit_after_the_parent_filled_takes_effect(make_engine):
    # Arrange: OTO parent filled, its two children work
    e = _engine(make_engine)
    ev = e.handle(CreateGroup(GroupKind.OTO, (MemberSpec(BUY), MemberSpec(SELL),
                                              MemberSpec(SELL._replace(price=_px("103"))))))  # fmt: skip
    g = e.groups.get(ev[0].group_id)
    _parent, c1, c2 = (m.order_id for m in g.members)
    _trade(e, "100", 10)
    # Act: the children become one-cancels-other (Alor: switch the policy)
    events = e.handle(EditGroup(g.group_id, kind=GroupKind.ON_EXECUTE_OR_CANCEL))
    e.handle(CancelOrder(c1))
    # Assert
    assert _edited(events)
    assert e.orders[c2].status is OrdStatus.CANCELED


def test_an_edit_listing_an_order_twice_is_refused(make_engine):
    # Arrange
    e = _engine(make_engine)
    a, b = (e.handle(o)[0].order_id for o in (BUY, SELL))
    ev = e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=a), MemberSpec(order_id=b))))
    g = e.groups.get(ev[0].group_id)
    before = [m.order_id for m in g.members]
    # Act
    twice = e.handle(EditGroup(g.group_id, members=(
        MemberSpec(order_id=a), MemberSpec(order_id=b), MemberSpec(order_id=a))))  # fmt: skip
    # Assert: one refusal naming the member; the group is as it was
    assert [type(x) for x in twice] == [CommandRejected]
    assert (twice[0].reason, twice[0].field) == (RejectReason.GROUP_INVALID, "members[2]")
    assert [m.order_id for m in g.members] == before
