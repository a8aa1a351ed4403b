"""Retention (engine/retention.py): a bounded engine forgets the oldest finished orders and
closed groups, between inputs, and never an open order, an Active group or a kept group's
member."""

from __future__ import annotations

import pytest

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, DeleteGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import CancelOrder, SetRetention, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731


def _limit(price: str, side=Side.BUY, qty=1) -> SubmitOrder:
    return SubmitOrder("A", "IBM", side, OrdType.LIMIT, qty, price=P(price), tif=TimeInForce.GTC)


def _engine(keep):
    acct = builders.account("A", "alice", usd=10**7, positions={"IBM": (1000, "100", IBM)})
    return builders.engine(acct, retain_terminal=keep)


def _place(e, cmd) -> int:
    return e.handle(cmd)[0].order_id


def test_oldest_finished_orders_are_forgotten_at_the_next_input():
    e = _engine(3)
    ids = [_place(e, _limit("90")) for _ in range(6)]
    for oid in ids[:5]:
        e.handle(CancelOrder(oid))
    # the fifth cancel forgot the first (four finished before it); its own waits for the next
    assert set(e.orders) == set(ids[1:])
    e.handle(_limit("91"))
    assert set(e.orders) == {*ids[2:], ids[-1] + 1}
    assert e.forgotten_orders == 2
    assert ids[-1] in e.live  # open orders are never forgotten, whatever their age


def test_unbounded_engine_keeps_everything():
    e = _engine(None)
    ids = [_place(e, _limit("90")) for _ in range(5)]
    for oid in ids:
        e.handle(CancelOrder(oid))
    e.handle(_limit("91"))
    assert set(ids) <= set(e.orders) and e.forgotten_orders == 0


def test_a_closed_group_keeps_its_members_and_is_forgotten_with_them():
    e = _engine(2)
    tp = _place(e, _limit("105", Side.SELL, 5))
    sl = _place(e, SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 5, stop_price=P("95"),
                               tif=TimeInForce.GTC))  # fmt: skip
    gid = e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=tp), MemberSpec(order_id=sl))))[
        0
    ].group_id
    e.on_market(TradeTick("IBM", e.now + 1, P("105"), 5))  # tp fills, OCO cancels sl, closes
    assert e.orders[tp].status.value == "Filled" and e.orders[sl].status.value == "Canceled"
    # two newer finished orders: the group is still among the newest kept items
    for _ in range(2):
        e.handle(CancelOrder(_place(e, _limit("90"))))
    assert gid in e.groups.groups and {tp, sl} <= set(e.orders)
    e.handle(CancelOrder(_place(e, _limit("90"))))
    e.handle(_limit("90"))
    assert gid not in e.groups.groups and tp not in e.orders and sl not in e.orders
    assert e.forgotten_groups == 1 and e.groups.of_owner(None) == []


def test_a_live_member_of_a_deleted_group_outlives_it():
    e = _engine(0)
    a, b = _place(e, _limit("90")), _place(e, _limit("91"))
    gid = e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=a), MemberSpec(order_id=b))))[
        0
    ].group_id
    e.handle(DeleteGroup(gid))
    e.handle(_limit("92"))
    assert gid not in e.groups.groups and {a, b} <= set(e.orders) and a in e.live
    e.handle(CancelOrder(a))
    e.handle(_limit("92"))
    assert a not in e.orders and b in e.orders


def test_negative_limit_is_refused():
    with pytest.raises(ValueError, match="retain_terminal"):
        _engine(-1)


def test_set_retention_is_an_input_that_applies_from_the_next_one():
    # Arrange: three finished orders, all kept
    e = _engine(5)
    ids = [_place(e, _limit("90")) for _ in range(3)]
    for oid in ids:
        e.handle(CancelOrder(oid))
    # Act
    events = e.handle(SetRetention(1))
    kept = set(e.orders)
    e.handle(_limit("91"))
    # Assert: no event, nothing forgotten inside the input; the next one forgets down to one
    assert events == [] and e.retain_terminal == 1 and set(ids) <= kept
    assert ids[0] not in e.orders and ids[1] not in e.orders and ids[2] in e.orders


def test_a_bad_set_retention_is_refused_and_changes_nothing():
    e = _engine(2)
    # Act
    events = e.handle(SetRetention(-1))
    # Assert
    assert [(type(ev).__name__, ev.reason, ev.field) for ev in events] == [
        ("CommandRejected", RejectReason.INVALID_FIELD, "retain_terminal")
    ]
    assert e.retain_terminal == 2
