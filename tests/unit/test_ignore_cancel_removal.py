"""IgnoreCancel (seed 003): a canceled or modified member leaves the group (its
``remove_member`` rule runs although the order it targets has just ended); the others stay
Active, and a later fill still cancels them."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.model import GroupStatus
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import CancelOrder, ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM


def _setup(make_engine):
    acct = builders.account("A", "alice")
    e = make_engine(acct)
    ids = [
        e.handle(
            SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10,
                        price=builders.px(IBM, p), tif=TimeInForce.GTC)
        )[0].order_id
        for p in ("5.00", "4.00", "3.00")
    ]  # fmt: skip
    gid = e.handle(
        CreateGroup(GroupKind.IGNORE_CANCEL, tuple(MemberSpec(order_id=i) for i in ids))
    )[0].group_id
    return e, ids, gid


def test_canceled_member_leaves_the_group_and_the_rest_stays(make_engine):
    # Arrange
    e, (a, b, c), gid = _setup(make_engine)
    # Act
    e.handle(CancelOrder(b))
    # Assert
    g = e.groups.get(gid)
    assert [m.order_id for m in g.active_members] == [a, c]
    assert g.status is GroupStatus.ACTIVE
    assert e.orders[b].groups is None
    assert e.orders[a].status.value == e.orders[c].status.value == "New"
    # a later fill of a cancels c only
    e.on_trade(TradeTick("IBM", 1_700_000_000_000_000_000, builders.px(IBM, "5.00"), 10))
    assert e.orders[c].status.value == "Canceled"
    assert g.status is GroupStatus.FILLED


def test_modified_member_leaves_the_group_and_the_new_order_is_outside(make_engine):
    # Arrange
    e, (a, b, c), gid = _setup(make_engine)
    # Act: cancel/replace b with a new order number
    events = e.handle(ReplaceOrder(b, price=builders.px(IBM, "4.50")))
    new = next(ev.order_id for ev in events if getattr(ev, "orig_order_id", None) == b)
    # Assert
    g = e.groups.get(gid)
    assert [m.order_id for m in g.active_members] == [a, c]
    assert new != b and e.orders[new].groups is None
    assert g.status is GroupStatus.ACTIVE


def test_last_member_canceled_closes_the_group(make_engine):
    e, (a, b, c), gid = _setup(make_engine)
    for oid in (a, b, c):
        e.handle(CancelOrder(oid))
    assert e.groups.get(gid).status is GroupStatus.CANCELED
