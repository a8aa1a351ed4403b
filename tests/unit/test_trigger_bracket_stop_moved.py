"""Moving a stop of an Alor TriggerBracketOrders group the way seed 003 advises ("change the
group type to IgnoreCancel first and only then change the order included in it and then add
the newly created order back to the group"): the modify gives the stop a new order id and, in
IgnoreCancel, takes the old one out of the group; the PUT that returns the group to
TriggerBracketOrders with the new id is judged, for the new id, as the member it replaced.

- the limit filled and the group released the stops: the new stop is working (the old one
  was), the ``inactive_stops`` check reads it as the member the group released, and it keeps
  that member's release, so it and the other stop still cancel each other;
- a working stop that replaced an order which was never in the group is still refused.
(A stop moved before the limit fills stays inactive: a modify keeps ``activate: false``.)"""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, EditGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import ReplaceOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected, ExecutionReport

import builders

IBM = builders.IBM
GTC = TimeInForce.GTC
TBO = GroupKind.TRIGGER_BRACKET_ORDERS
CHECK = ("inactive_stops",)


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    return make_engine(builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)}))


def _trade(e, price: str, size: int) -> list:
    return e.on_trade(TradeTick("IBM", e.now + 1, _px(price), size))


BUY = SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=_px("100"), tif=GTC)
STOP = SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, 10, stop_price=_px("97"),
                   tif=GTC, activate=False)  # fmt: skip


def _group(e):
    """TriggerBracketOrders over a buy limit and two inactive sell stops (97 and 96)."""
    lim = e.handle(BUY)[0].order_id
    s1 = e.handle(STOP)[0].order_id
    s2 = e.handle(STOP._replace(stop_price=_px("96")))[0].order_id
    ms = (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=s1), MemberSpec(order_id=s2))
    ev = e.handle(CreateGroup(TBO, ms, validators=CHECK))
    return e.groups.get(ev[0].group_id), (lim, s1, s2)


def _new_id(events, old: int) -> int:
    return next(r.order_id for r in events if isinstance(r, ExecutionReport) and r.order_id != old)


def _move_stop(e, g, lim, s1, s2, to: str) -> tuple[int, list]:
    """Seed 003: IgnoreCancel, modify s1 (new id), PUT back as TriggerBracketOrders."""
    ms = (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=s1), MemberSpec(order_id=s2))
    assert e.handle(EditGroup(g.group_id, members=ms, kind=GroupKind.IGNORE_CANCEL))[0].change == (
        "edited"
    )
    new = _new_id(e.handle(ReplaceOrder(s1, stop_price=_px(to))), s1)
    back = (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=new),
            MemberSpec(order_id=s2))  # fmt: skip
    return new, e.handle(EditGroup(g.group_id, members=back, kind=TBO, validators=CHECK))


def test_a_released_stop_moved_through_ignore_cancel_returns_to_the_group(make_engine):
    # Arrange: the limit fills and releases both stops; a working stop that never was in the
    # group is moved too
    e = _engine(make_engine)
    g, (lim, s1, s2) = _group(e)
    _trade(e, "100", 10)
    assert e.orders[s1].status is OrdStatus.NEW
    other = e.handle(STOP._replace(activate=True))[0].order_id
    outsider = _new_id(e.handle(ReplaceOrder(other, stop_price=_px("95"))), other)
    # Act: move the 97 stop up to 98 the seed's way; then try to add the outsider
    new, events = _move_stop(e, g, lim, s1, s2, "98")
    ms = (MemberSpec(order_id=lim, role="limit"), MemberSpec(order_id=new),
          MemberSpec(order_id=s2), MemberSpec(order_id=outsider))  # fmt: skip
    refused = e.handle(EditGroup(g.group_id, members=ms, kind=TBO, validators=CHECK))
    # Assert: the outsider is refused naming it, the group is TriggerBracketOrders over the
    # new stop
    assert [type(x) for x in refused] == [CommandRejected]
    assert (refused[0].reason, refused[0].field) == (
        RejectReason.GROUP_MEMBER_INVALID, "members[3]")  # fmt: skip
    assert [getattr(x, "change", None) for x in events] == ["edited"], events
    assert (g.kind, [m.order_id for m in g.active_members]) == (TBO.value, [lim, new, s2])
    assert e.orders[new].status is OrdStatus.NEW
    # Act 2: the moved stop triggers and fills
    _trade(e, "98", 10)
    _trade(e, "98", 10)
    # Assert 2: the other stop is canceled (the moved stop kept the group's release)
    assert (e.orders[new].status, e.orders[s2].status) == (OrdStatus.FILLED, OrdStatus.CANCELED)
    assert g.status.value == "Filled"
