"""The ``inactive_stops`` group validator (seed 003, Alor TriggerBracketOrders): the stops of
the group must be inactive (Held); a working stop is refused naming its member, and nothing
changes."""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM


def _orders(e, activate_stop: bool) -> tuple[int, int]:
    lim = e.handle(
        SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=builders.px(IBM, "5.00"))
    )[0].order_id
    stop = e.handle(
        SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10,
                    stop_price=builders.px(IBM, "4.00"), tif=TimeInForce.GTC,
                    activate=activate_stop)
    )[0].order_id  # fmt: skip
    return lim, stop


def _group(lim: int, stop: int) -> CreateGroup:
    return CreateGroup(
        GroupKind.TRIGGER_BRACKET_ORDERS,
        (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=stop, role="stop")),
        validators=("inactive_stops",),
    )


def test_inactive_stop_is_accepted(make_engine):
    e = make_engine(builders.account("A", "alice", positions={"IBM": (100, "5", IBM)}))
    lim, stop = _orders(e, activate_stop=False)
    ev = e.handle(_group(lim, stop))
    assert ev[0].change == "created"


def test_working_stop_is_refused_and_nothing_changes(make_engine):
    e = make_engine(builders.account("A", "alice", positions={"IBM": (100, "5", IBM)}))
    lim, stop = _orders(e, activate_stop=True)
    ev = e.handle(_group(lim, stop))
    assert ev[0].reason is RejectReason.GROUP_MEMBER_INVALID and ev[0].field == "members[1]"
    assert len(e.groups.groups) == 0 and e.orders[stop].groups is None
