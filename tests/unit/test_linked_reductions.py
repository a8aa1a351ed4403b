"""One fill reduces an order once, however many groups link it to the filled order (spec
section 2: OUO "``fill`` -> ``reduce`` the others by the filled quantity"; section 3: linked
groups each fire their rules). Two OUO groups over the same pair ask twice for the same
reduction; applying both would take twice the fill from the sibling, which neither group
asks for. Each group's reduction still runs and settles its own bookkeeping; the engine
takes from the sibling the largest reduction any of them asks for that fill."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import ExecutionReport

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _sell(price: str) -> SubmitOrder:
    return SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=_px(price),
                       tif=TimeInForce.GTC)  # fmt: skip


def _engine(make_engine):
    return make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))


def _group(e, kind: GroupKind, *ids: int) -> None:
    e.handle(CreateGroup(kind, tuple(MemberSpec(order_id=i) for i in ids)))


def _restated(events, oid: int) -> list[str]:
    return [ev.text for ev in events if isinstance(ev, ExecutionReport)
            and ev.order_id == oid and ev.exec_type is ExecType.RESTATED]  # fmt: skip


def test_a_fill_reduces_a_sibling_linked_by_two_ouo_groups_once(make_engine):
    # Arrange: sells A at 102 and B at 103, in two OUO groups
    e = _engine(make_engine)
    a, b = (e.handle(_sell(p))[0].order_id for p in ("102.00", "103.00"))
    _group(e, GroupKind.OUO, a, b)
    _group(e, GroupKind.OUO, a, b)
    # Act: A fills 3, then 2 more
    first = e.on_trade(TradeTick("IBM", T0, _px("102.00"), 3))
    after_first = e.orders[b].qty
    second = e.on_trade(TradeTick("IBM", T0 + 1, _px("102.00"), 2))
    # Assert: B loses each fill once
    assert (after_first, e.orders[b].qty) == (7, 5)
    assert (_restated(first, b), _restated(second, b)) == (["reduced by 3"], ["reduced by 2"])
    assert e.orders[b].status is OrdStatus.NEW
    assert all(not g.pending for g in e.groups)


def test_ouo_and_proportional_ouo_over_one_sibling_take_the_larger_reduction(make_engine):
    # Arrange: A, B and C sell 10 each; OUO {A, B} and proportional OUO {A, B, C}
    e = _engine(make_engine)
    a, b, c = (e.handle(_sell(p))[0].order_id for p in ("102.00", "103.00", "104.00"))
    _group(e, GroupKind.OUO, a, b)
    _group(e, GroupKind.OUO_PROPORTIONAL, a, b, c)
    # Act: A fills 4 (OUO asks B for 4; the proportional group asks B and C for 4 each)
    e.on_trade(TradeTick("IBM", T0, _px("102.00"), 4))
    # Assert
    assert (e.orders[b].qty, e.orders[c].qty) == (6, 6)
    assert all(not g.pending for g in e.groups)
