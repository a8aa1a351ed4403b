"""Rule chains inside one group (spec section 3: actions are commands like a user's): an event a
group's own rule caused fires that group's rules too, never against the member whose event
started the chain."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.model import GroupStatus, Rule
from condor.domain.groups.model import RuleAction as A
from condor.domain.groups.model import RuleEvent as E
from condor.domain.groups.templates import GroupKind, oto
from condor.domain.market import TradeTick
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.group_events import GroupUpdated
from condor.engine.explain import explain_chain

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _limit(side: Side, qty: int, price: str) -> SubmitOrder:
    return SubmitOrder("A", "IBM", side, OrdType.LIMIT, qty, price=_px(price), tif=TimeInForce.GTC)


def _custom(e, rules, *orders: SubmitOrder):
    events = e.handle(CreateGroup(GroupKind.CUSTOM, tuple(MemberSpec(o) for o in orders), rules))
    g = e.groups.get(next(ev.group_id for ev in events if isinstance(ev, GroupUpdated)))
    return g, [m.order_id for m in g.members]


def _cancels(events) -> list[tuple[int, str | None]]:
    return [
        (ev.order_id, ev.cause.group_id)
        for ev in events
        if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.CANCELED
    ]


def test_a_nested_oto_chain_cancels_to_its_last_generation(make_engine):
    # Arrange: buy 10 -> (full fill) releases a sell 10 -> (its full fill) releases a buy 10,
    # all in one group; the children wait Held
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    rules = (*oto((0,), (1,), partial=False, name="L1"), *oto((1,), (2,), partial=False, name="L2"))
    g, (parent, child, grandchild) = _custom(
        e, rules, _limit(Side.BUY, 10, "99.00"), _limit(Side.SELL, 10, "110.00"),
        _limit(Side.BUY, 10, "95.00"),
    )  # fmt: skip
    assert e.orders[grandchild].status is OrdStatus.HELD
    # Act: the user cancels the parent with nothing filled
    events = e.handle(CancelOrder(parent, account="A"))
    # Assert: the child is canceled by rule L1, and its cancel cancels the grandchild by L2; the
    # group, all of it ended by cancels, closes Canceled
    assert _cancels(events) == [(parent, None), (child, g.group_id), (grandchild, g.group_id)]
    gc = next(
        ev for ev in events if ev.order_id == grandchild and ev.exec_type is ExecType.CANCELED
    )
    assert gc.cause.rule == "L2" and gc.cause.trigger.order_id == child
    assert g.status is GroupStatus.CANCELED
    assert explain_chain(e, grandchild)[1]["order_id"] == child


def test_a_custom_chain_runs_past_its_first_step(make_engine):
    # Arrange: "fill of 0 -> cancel 1" and "cancel of 1 -> cancel 2", all three working
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    rules = (
        Rule(E.FILL, A.CANCEL, sources=(0,), targets=(1,), name="first"),
        Rule(E.CANCEL, A.CANCEL, sources=(1,), targets=(2,), name="second"),
    )
    g, (a, b, c) = _custom(
        e, rules, _limit(Side.BUY, 10, "100.00"), _limit(Side.SELL, 10, "110.00"),
        _limit(Side.SELL, 10, "111.00"),
    )  # fmt: skip
    # Act: a trade prints through the buy
    events = e.on_trade(TradeTick("IBM", T0, _px("99.99"), 10))
    # Assert: both steps ran; the group ended by an execution's chain closes Filled
    assert e.orders[a].status is OrdStatus.FILLED
    assert _cancels(events) == [(b, g.group_id), (c, g.group_id)]
    assert g.status is GroupStatus.FILLED


def test_a_chain_never_turns_back_on_the_order_that_started_it(make_engine):
    # Arrange: OnExecuteOrCancel without its closing rule (so the group stays Active after a
    # partial fill): any fill or cancel cancels the others
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    rules = (
        Rule(E.FILL, A.CANCEL, name="fill"),
        Rule(E.CANCEL, A.CANCEL, name="cancel"),
    )
    g, (a, b, c) = _custom(
        e, rules, _limit(Side.BUY, 10, "100.00"), _limit(Side.SELL, 10, "110.00"),
        _limit(Side.SELL, 10, "111.00"),
    )  # fmt: skip
    # Act: 4 of the buy's 10 fill
    events = e.on_trade(TradeTick("IBM", T0, _px("99.99"), 4))
    # Assert: the sells are canceled; their cancels (rule "cancel") do not cancel the buy,
    # which started the chain and keeps working for its 6 lots
    assert _cancels(events) == [(b, g.group_id), (c, g.group_id)]
    buy = e.orders[a]
    assert buy.status is OrdStatus.PARTIALLY_FILLED and buy.qty - buy.cum_qty == 6
    assert g.status is GroupStatus.ACTIVE
