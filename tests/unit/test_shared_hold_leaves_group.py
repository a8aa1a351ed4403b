"""A closing order that counts on an exclusive sibling's position hold (engine/holds.py) and
then leaves the group (IgnoreCancel: a modified member is removed, seed 003) no longer has
that sibling: it re-takes its own hold, or is canceled when the position cannot back it.
Before, it kept working with no hold and a later trade sold more than the account held
(found by tests/property/test_retention_machine.py)."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import ActivateOrder, ModifyOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _sell(e, qty: int, activate: bool = True) -> int:
    cmd = SubmitOrder("B", "IBM", Side.SELL, OrdType.LIMIT, qty, price=builders.px(IBM, "100.00"),
                      tif=TimeInForce.GTC, activate=activate)  # fmt: skip
    return e.handle(cmd)[0].order_id


def _leaning(make_engine, long: int):
    """B long ``long``: X sells 10 (holds 10); Y, Held, sells 5; IgnoreCancel over both;
    Y activated leans on X's hold."""
    e = make_engine(builders.account("B", "bob", positions={"IBM": (long, "90", IBM)}))
    x, y = _sell(e, 10), _sell(e, 5, activate=False)
    e.handle(CreateGroup(GroupKind.IGNORE_CANCEL, (MemberSpec(order_id=x), MemberSpec(order_id=y))))
    e.handle(ActivateOrder(y))
    assert (e.orders[x].hold_pos, e.orders[y].hold_pos) == (10, 0)
    return e, x, y


def test_leaving_the_group_cancels_it_when_the_position_cannot_back_it(make_engine):
    # Arrange: long 10, all held by X
    e, _, y = _leaning(make_engine, 10)
    # Act: a modify removes Y from the group (IgnoreCancel's replace rule)
    e.handle(ModifyOrder(y, qty=5))
    # Assert: Y is canceled with the reason; a trade can sell only what is held
    o = e.orders[y]
    assert o.status is OrdStatus.CANCELED and o.groups is None
    e.on_trade(TradeTick("IBM", T0, builders.px(IBM, "100.00"), 100))
    pos = e.accounts["B"].positions["IBM"]
    assert (pos.qty, pos.held_long) == (0, 0)


def test_leaving_the_group_takes_its_own_hold_when_the_position_backs_it(make_engine):
    # Arrange: long 15, 10 held by X
    e, _, y = _leaning(make_engine, 15)
    # Act
    e.handle(ModifyOrder(y, qty=5))
    # Assert: Y works on, holding its own 5
    o = e.orders[y]
    assert (o.status, o.hold_pos, o.groups) == (OrdStatus.NEW, 5, None)
    assert e.accounts["B"].positions["IBM"].held_long == 15


def test_an_order_never_leans_on_another_accounts_hold(make_engine):
    # Arrange: A long 10 selling 10; B holds no IBM, with a Held sell of 1; one OCO over both
    a = builders.account("A", "alice", positions={"IBM": (10, "90", IBM)})
    e = make_engine(a, builders.account("B", "bob"))
    px = builders.px(IBM, "100.00")
    sell_a = e.handle(SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=px,
                                  tif=TimeInForce.GTC))[0].order_id  # fmt: skip
    sell_b = _sell(e, 1, activate=False)
    e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=sell_a), MemberSpec(order_id=sell_b))))
    # Act
    e.handle(ActivateOrder(sell_b))
    # Assert: B's sell is not working on A's shares; a trade sells nothing B does not hold
    assert not e.orders[sell_b].status.is_working
    e.on_trade(TradeTick("IBM", T0, px, 100))
    assert e.accounts["B"].positions.get("IBM") is None or e.accounts["B"].positions["IBM"].qty == 0
