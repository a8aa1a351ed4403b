"""Scenario tables per group template (spec contingency.md sections 2-3).

Each row: the group's members (a long position of 1,000 IBM is held, so sell exits work), the
market and user steps, then the expected status of every member, the group status and the
position. Prices are in dollars; the market is trade-only unless a step quotes.
"""

from __future__ import annotations

import pytest

from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import CancelOrder, ModifyOrder, ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, PositionEffect, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731

TP = SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=P("101"), tif=TimeInForce.GTC)
SL = SubmitOrder(
    "A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10, stop_price=P("99"), tif=TimeInForce.GTC
)
TP2 = TP._replace(price=P("102"))


def _engine(make_engine):
    acct = builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)})
    return make_engine(acct, builders.account("B", "bob"))


def _exits(e, kind, orders=(TP, SL), roles=None):
    roles = roles or [""] * len(orders)
    ev = e.handle(
        CreateGroup(kind, tuple(MemberSpec(o, role=r) for o, r in zip(orders, roles, strict=True)))
    )
    created = [x for x in ev if type(x).__name__ == "GroupUpdated"]
    assert created, ev
    g = e.groups.get(created[0].group_id)
    return g, [m.order_id for m in g.members]


def _step(e, ids, s):
    op = s[0]
    if op == "trade":
        e.on_trade(TradeTick("IBM", e.now + 1, P(s[1]), s[2]))
    elif op == "quote":
        e.on_quote(QuoteTick("IBM", e.now + 1, P(s[1]), P(s[2]), s[3], s[3]))
    elif op == "cancel":
        e.handle(CancelOrder(ids[s[1]]))
    elif op == "modify":
        e.handle(ModifyOrder(ids[s[1]], **s[2]))
    elif op == "replace":
        e.handle(ReplaceOrder(ids[s[1]], **s[2]))


def _statuses(e, ids):
    return tuple(e.orders[i].status.value for i in ids)


EXITS = [
    # kind, steps, member statuses, group status, IBM position after
    (GroupKind.OCO, [("trade", "101", 4)], ("PartiallyFilled", "Canceled"), "Filled", 996),
    (GroupKind.OCO, [("trade", "101", 10)], ("Filled", "Canceled"), "Filled", 990),
    (GroupKind.OCO, [("trade", "99", 10)], ("Canceled", "Filled"), "Filled", 990),
    (GroupKind.OCO, [("cancel", 0)], ("Canceled", "New"), "Active", 1000),
    (GroupKind.OCO, [("cancel", 1)], ("New", "Canceled"), "Active", 1000),
    (GroupKind.OCO, [("cancel", 0), ("cancel", 1)], ("Canceled", "Canceled"), "Canceled", 1000),
    (GroupKind.OCO, [("modify", 0, {"price": P("100.5")})], ("New", "New"), "Active", 1000),
    (GroupKind.OCO, [("replace", 0, {"price": P("100.5")})], ("Replaced", "New"), "Active", 1000),
    (GroupKind.OCO_FINAL, [("trade", "101", 4)], ("PartiallyFilled", "New"), "Active", 996),
    (GroupKind.OCO_FINAL, [("trade", "101", 10)], ("Filled", "Canceled"), "Filled", 990),
    (GroupKind.OCO_FINAL, [("cancel", 0)], ("Canceled", "Canceled"), "Canceled", 1000),
    (GroupKind.OUO, [("trade", "101", 4)], ("PartiallyFilled", "New"), "Active", 996),
    (
        GroupKind.OUO,
        [("trade", "101", 4), ("trade", "101", 6)],
        ("Filled", "Canceled"),
        "Filled",
        990,
    ),
    (GroupKind.OUO, [("trade", "99", 3)], ("New", "PartiallyFilled"), "Active", 997),
    (GroupKind.OUO, [("cancel", 1)], ("New", "Canceled"), "Active", 1000),
    (
        GroupKind.ON_EXECUTE_OR_CANCEL,
        [("trade", "101", 4)],
        ("PartiallyFilled", "Canceled"),
        "Filled",
        996,
    ),
    (
        GroupKind.ON_EXECUTE_OR_CANCEL,
        [("cancel", 1)],
        ("Canceled", "Canceled"),
        "Canceled",
        1000,
    ),
    (
        GroupKind.ON_EXECUTE_OR_CANCEL,
        [("modify", 0, {"qty": 8})],
        ("New", "Canceled"),
        "Active",
        1000,
    ),
    (
        GroupKind.ON_EXECUTE_OR_CANCEL,
        [("replace", 0, {"qty": 8})],
        ("Replaced", "Canceled"),
        "Canceled",
        1000,
    ),
    (GroupKind.IGNORE_CANCEL, [("cancel", 0)], ("Canceled", "New"), "Active", 1000),
    (
        GroupKind.IGNORE_CANCEL,
        [("replace", 1, {"stop_price": P("98")})],
        ("New", "Replaced"),
        "Active",
        1000,
    ),
    (
        GroupKind.IGNORE_CANCEL,
        [("cancel", 0), ("cancel", 1)],
        ("Canceled", "Canceled"),
        "Canceled",
        1000,
    ),
    (GroupKind.IGNORE_CANCEL, [("trade", "101", 10)], ("Filled", "Canceled"), "Filled", 990),
]


@pytest.mark.parametrize(("kind", "steps", "statuses", "group", "position"), EXITS)
def test_exit_pair_templates(make_engine, kind, steps, statuses, group, position):
    # Arrange
    e = _engine(make_engine)
    g, ids = _exits(e, kind)
    # Act
    for s in steps:
        _step(e, ids, s)
    # Assert
    assert _statuses(e, ids) == statuses
    assert g.status.value == group
    assert e.accounts["A"].positions["IBM"].qty == position


def test_ouo_keeps_position_protected_exactly(make_engine):
    # Arrange: OUO take-profit and stop on the same 10 shares
    e = _engine(make_engine)
    g, (tp, sl) = _exits(e, GroupKind.OUO)
    # Act: 4 fill at the take-profit, then the stop triggers on the rest
    _step(e, [tp, sl], ("trade", "101", 4))
    _step(e, [tp, sl], ("trade", "99", 10))
    # Assert: the stop sold exactly the 6 left, the take-profit was reduced to what filled
    assert e.orders[sl].cum_qty == 6 and e.orders[sl].status.value == "Filled"
    assert e.orders[tp].status.value == "Canceled" and e.orders[tp].cum_qty == 4
    assert e.accounts["A"].positions["IBM"].qty == 990
    assert g.status.value == "Filled"


def _bracket(e, entry, tp=TP, sl=SL, extra=()):
    members = [MemberSpec(entry, role="entry"), MemberSpec(tp, role="take_profit")]
    members += [MemberSpec(sl, role="stop_loss"), *extra]
    ev = e.handle(CreateGroup(GroupKind.BRACKET, tuple(members), validators=("bracket_prices",)))
    gid = next(x.group_id for x in ev if type(x).__name__ == "GroupUpdated")
    g = e.groups.get(gid)
    return g, [m.order_id for m in g.members]


ENTRY = SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=P("100"), tif=TimeInForce.GTC)

BRACKETS = [
    ([], ("New", "Held", "Held"), "Active", 1000),
    ([("trade", "100", 4)], ("PartiallyFilled", "Held", "Held"), "Active", 1004),
    ([("trade", "100", 10)], ("Filled", "New", "New"), "Active", 1010),
    (
        [("trade", "100", 10), ("trade", "101", 10)],
        ("Filled", "Filled", "Canceled"),
        "Filled",
        1000,
    ),
    (
        [("trade", "100", 10), ("trade", "101", 3)],
        ("Filled", "PartiallyFilled", "New"),
        "Active",
        1007,
    ),
    (
        [("trade", "100", 10), ("trade", "99", 10)],
        ("Filled", "Canceled", "Filled"),
        "Filled",
        1000,
    ),
    ([("cancel", 0)], ("Canceled", "Canceled", "Canceled"), "Canceled", 1000),
    ([("trade", "100", 4), ("cancel", 0)], ("Canceled", "New", "New"), "Active", 1004),
    ([("trade", "100", 10), ("cancel", 2)], ("Filled", "New", "Canceled"), "Active", 1010),
    (  # ended by the user's cancels, not by an execution: Canceled (spec section 2)
        [("trade", "100", 10), ("cancel", 1), ("cancel", 2)],
        ("Filled", "Canceled", "Canceled"),
        "Canceled",
        1010,
    ),
    (
        [("modify", 0, {"price": P("100.5")}), ("trade", "100.5", 10)],
        ("Filled", "New", "New"),
        "Active",
        1010,
    ),
]


@pytest.mark.parametrize(("steps", "statuses", "group", "position"), BRACKETS)
def test_bracket(make_engine, steps, statuses, group, position):
    # Arrange
    e = _engine(make_engine)
    g, ids = _bracket(e, ENTRY)
    # Act
    for s in steps:
        _step(e, ids, s)
    # Assert
    assert _statuses(e, ids) == statuses
    assert g.status.value == group
    assert e.accounts["A"].positions["IBM"].qty == position


def test_bracket_partial_entry_then_cancel_sizes_exits_to_the_fill(make_engine):
    # Arrange
    e = _engine(make_engine)
    g, (entry, tp, sl) = _bracket(e, ENTRY)
    # Act: 4 of 10 fill, then the entry is canceled; the exits protect exactly 4
    _step(e, [entry], ("trade", "100", 4))
    e.handle(CancelOrder(entry))
    _step(e, [entry], ("trade", "99", 50))
    # Assert: the stop sold 4, the take-profit was reduced to nothing: flat again
    assert e.orders[tp].qty == 4 and e.orders[tp].status.value == "Canceled"
    assert e.orders[sl].cum_qty == 4 and e.orders[sl].status.value == "Filled"
    assert e.accounts["A"].positions["IBM"].qty == 1000
    assert g.status.value == "Filled"


def test_bracket_with_two_take_profit_tranches_shares_one_stop(make_engine):
    # Arrange: entry 10, take-profits 6 @ 101 and 4 @ 102, one stop for 10
    e = _engine(make_engine)
    tp1 = TP._replace(qty=6)
    tp2 = TP2._replace(qty=4)
    g, ids = _bracket(e, ENTRY, tp1, SL, extra=[MemberSpec(tp2, role="take_profit")])
    _entry, t1, sl, t2 = ids
    # Act
    _step(e, ids, ("trade", "100", 10))
    _step(e, ids, ("trade", "101", 6))
    # Assert: the stop now covers the 4 still open
    assert e.orders[t1].status.value == "Filled"
    assert e.orders[sl].qty == 4 and e.orders[sl].status.value == "New"
    # Act: the stop fills the rest; the second tranche is reduced away
    _step(e, ids, ("trade", "99", 10))
    assert e.orders[sl].status.value == "Filled"
    assert e.orders[t2].status.value == "Canceled"
    assert e.accounts["A"].positions["IBM"].qty == 1000
    assert g.status.value == "Filled"


def test_bracket_same_event_crossing_both_exits_fills_exactly_one(make_engine):
    # Arrange: take-profit watches the quote, stop-loss watches the bid
    e = _engine(make_engine)
    sl_bid = SL._replace(basis=None)
    _g, ids = _bracket(e, ENTRY, sl=sl_bid)
    _step(e, ids, ("trade", "100", 10))
    # Act: one trade prints through both the limit (101) and... a gap quote crosses both
    e.on_quote(QuoteTick("IBM", e.now + 1, P("101"), P("101.01"), 100, 100))
    e.on_trade(TradeTick("IBM", e.now + 1, P("98"), 100))
    # Assert: exactly one exit filled, the position is flat
    filled = [i for i in ids[1:] if e.orders[i].status.value == "Filled"]
    assert len(filled) == 1
    assert e.accounts["A"].positions["IBM"].qty == 1000


def test_bracket_entry_rejected_creates_nothing(make_engine):
    # Arrange: an account with no cash cannot buy the entry
    e = make_engine(builders.account("A", "alice", usd=10, positions={"IBM": (0, "0", IBM)}))
    # Act
    ev = e.handle(
        CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(ENTRY, role="entry"),
                MemberSpec(TP, role="take_profit"),
                MemberSpec(SL, role="stop_loss"),
            ),
        )
    )
    # Assert: one rejection naming the member, nothing created
    assert [type(x).__name__ for x in ev] == ["CommandRejected"]
    assert ev[0].field == "members[0]" and ev[0].reason.value == "risk.insufficient_funds"
    assert not e.orders and not e.groups.groups


def test_bracket_price_sanity(make_engine):
    e = _engine(make_engine)
    ev = e.handle(
        CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(ENTRY, role="entry"),
                MemberSpec(TP._replace(price=P("98")), role="take_profit"),
                MemberSpec(SL, role="stop_loss"),
            ),
            validators=("bracket_prices",),
        )
    )
    assert ev[0].reason.value == "group.member_invalid" and ev[0].field == "members[1]"
    assert not e.orders


def test_if_then_position_attached_children(make_engine):
    # Arrange: Sway IF-THEN: buy 10, THEN orders CLOSE with no quantity, GTC
    e = _engine(make_engine)
    then_tp = TP._replace(qty=0, activate=False, position_effect=PositionEffect.CLOSE)
    then_sl = SL._replace(qty=0, activate=False, position_effect=PositionEffect.CLOSE)
    parent = ENTRY._replace(position_effect=PositionEffect.OPEN)
    members = (MemberSpec(parent), MemberSpec(then_tp), MemberSpec(then_sl))
    ev = e.handle(CreateGroup(GroupKind.OTO, members, validators=("sway_if_then",)))
    g = e.groups.get(ev[0].group_id)
    _p, c1, c2 = (m.order_id for m in g.members)
    # Act
    _step(e, [], ("trade", "100", 10))
    # Assert: children got the parent's filled quantity
    assert e.orders[c1].qty == 10 and e.orders[c1].status.value == "New"
    assert e.orders[c2].qty == 10 and e.orders[c2].status.value == "New"


def test_if_then_validation_names_the_rule(make_engine):
    e = _engine(make_engine)
    parent = ENTRY._replace(position_effect=PositionEffect.OPEN)
    bad = TP._replace(
        qty=0, activate=False, position_effect=PositionEffect.CLOSE, tif=TimeInForce.DAY
    )
    ev = e.handle(
        CreateGroup(
            GroupKind.OTO, (MemberSpec(parent), MemberSpec(bad)), validators=("sway_if_then",)
        )
    )
    assert ev[0].field == "members[1]" and "GTC" in ev[0].text
    assert not e.orders


def test_trigger_bracket_orders(make_engine):
    # Arrange: Alor TriggerBracketOrders over existing orders: one limit, two inactive stops
    e = _engine(make_engine)
    lim = e.handle(ENTRY)[0].order_id
    s1 = e.handle(SL._replace(activate=False))[0].order_id
    s2 = e.handle(TP._replace(ord_type=OrdType.STOP_LIMIT, stop_price=P("101"), activate=False))[
        0
    ].order_id
    ev = e.handle(
        CreateGroup(
            GroupKind.TRIGGER_BRACKET_ORDERS,
            (
                MemberSpec(order_id=lim, role="limit"),
                MemberSpec(order_id=s1),
                MemberSpec(order_id=s2),
            ),
        )
    )
    g = e.groups.get(ev[0].group_id)
    # Act: the limit fills; the stops become active; the upper stop fills
    _step(e, [], ("trade", "100", 10))
    assert (e.orders[s1].status.value, e.orders[s2].status.value) == ("New", "New")
    _step(e, [], ("trade", "101", 10))
    # Assert
    assert e.orders[s2].status.value == "Filled"
    assert e.orders[s1].status.value == "Canceled"
    assert g.status.value == "Filled"


def test_order_id_oco_is_one_way(make_engine):
    e = _engine(make_engine)
    a = e.handle(TP)[0].order_id
    b = e.handle(SL)[0].order_id
    e.handle(CreateGroup(GroupKind.ORDER_ID_OCO, (MemberSpec(order_id=b), MemberSpec(order_id=a))))
    # Act: the order that names the other fills: nothing happens to the named one
    _step(e, [], ("trade", "101", 10))
    # Assert
    assert e.orders[a].status.value == "Filled"
    assert e.orders[b].status.value == "New"


def test_one_order_in_three_groups_of_different_policies(make_engine):
    # Arrange: X in OCO with Y, in OUO with Z, in IgnoreCancel with W
    e = _engine(make_engine)
    x = e.handle(TP)[0].order_id
    y, z, w = (e.handle(SL._replace(stop_price=P(p)))[0].order_id for p in ("99", "98", "97"))
    for kind, other in ((GroupKind.OCO, y), (GroupKind.OUO, z), (GroupKind.IGNORE_CANCEL, w)):
        e.handle(CreateGroup(kind, (MemberSpec(order_id=x), MemberSpec(order_id=other))))
    # Act: X fills 4
    _step(e, [], ("trade", "101", 4))
    # Assert
    assert e.orders[y].status.value == "Canceled"
    assert e.orders[z].qty == 6 and e.orders[z].status.value == "New"
    assert e.orders[w].status.value == "Canceled"


def test_group_deleted_mid_life_changes_no_order(make_engine):
    e = _engine(make_engine)
    g, (tp, sl) = _exits(e, GroupKind.OCO)
    ev = e.handle(DeleteGroup(g.group_id))
    assert ev[0].change == "deleted" and g.status.value == "Canceled"
    _step(e, [], ("trade", "101", 10))
    assert e.orders[tp].status.value == "Filled" and e.orders[sl].status.value == "New"
    # a closed group can no longer be changed or deleted
    again = e.handle(DeleteGroup(g.group_id))
    assert again[0].reason.value == "group.not_active"


def test_group_edited_mid_life_takes_the_new_policy(make_engine):
    e = _engine(make_engine)
    g, (tp, sl) = _exits(e, GroupKind.ON_EXECUTE_OR_CANCEL)
    e.handle(EditGroup(g.group_id, kind=GroupKind.IGNORE_CANCEL))
    e.handle(CancelOrder(tp))
    assert e.orders[sl].status.value == "New"
    assert g.status.value == "Active"


def test_deleted_if_then_group_leaves_then_orders_held_without_quantity(make_engine):
    e = _engine(make_engine)
    parent = ENTRY._replace(position_effect=PositionEffect.OPEN)
    then = TP._replace(qty=0, activate=False, position_effect=PositionEffect.CLOSE)
    ev = e.handle(CreateGroup(GroupKind.OTO, (MemberSpec(parent), MemberSpec(then))))
    g = e.groups.get(ev[0].group_id)
    child = g.members[1].order_id
    e.handle(DeleteGroup(g.group_id))
    _step(e, [], ("trade", "100", 10))
    assert e.orders[child].status.value == "Held" and e.orders[child].qty == 0


def test_parent_expired_at_session_close_cancels_children(make_engine):
    from condor.engine.calendars import schedule_for
    from condor.engine.clock import SimClock

    # Arrange: 2013-10-07 15:00 New York (19:00 UTC), a DAY entry that never fills
    clock = SimClock(1381172400 * 10**9)
    acct = builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)})
    e = make_engine(acct, schedules=schedule_for, clock=clock)
    g, ids = _bracket(e, ENTRY._replace(tif=TimeInForce.DAY))
    # Act: the clock passes the 16:00 close
    from condor.domain.orders.commands import AdvanceClock

    ev = e.handle(AdvanceClock(1381176000 * 10**9 + 1))
    # Assert
    assert _statuses(e, ids) == ("Expired", "Canceled", "Canceled")
    assert g.status.value == "Canceled"
    expired = next(
        x for x in ev if getattr(x, "exec_type", None) and x.exec_type.value == "Expired"
    )
    assert expired.ts_ns == 1381176000 * 10**9


def test_bracket_whose_exits_cannot_close_anything_is_refused(make_engine):
    # Arrange: Alice is long 1,000 (no short to cover): a short-sale bracket would leave its
    # BuyToCover exits nothing to close once the entry fills (it only reduces the long)
    e = _engine(make_engine)
    entry = SubmitOrder("A", "IBM", Side.SELL_SHORT, OrdType.LIMIT, 10, price=P("100"))
    tp = SubmitOrder("A", "IBM", Side.BUY_TO_COVER, OrdType.LIMIT, 10, price=P("99"))
    sl = SubmitOrder("A", "IBM", Side.BUY_TO_COVER, OrdType.STOP_MARKET, 10, stop_price=P("101"))
    # Act
    ev = e.handle(
        CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(entry, role="entry"),
                MemberSpec(tp, role="take_profit"),
                MemberSpec(sl, role="stop_loss"),
            ),
        )
    )
    # Assert
    assert [type(x).__name__ for x in ev] == ["CommandRejected"]
    assert ev[0].field == "members[1]" and "short position" in ev[0].text
    assert not e.orders
