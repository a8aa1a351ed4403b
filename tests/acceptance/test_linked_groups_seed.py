"""The seed's linked-groups example (seed 003, spec section 3), end to end in the engine:
groupA = {1, 2, 3}, groupB = {3, 4, 5}, both OnExecuteOrCancel. order1 fills -> 2 and 3 are
canceled (groupA Filled) -> 3's cancel fires groupB -> 4 and 5 are canceled (groupB Canceled)."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM


def test_linked_groups_cascade_and_explain(make_engine):
    # Arrange: five live orders of one account, two groups sharing order 3
    acct = builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)})
    e = make_engine(acct)
    px = [builders.px(IBM, p) for p in ("5.00", "6.00", "7.00", "8.00", "9.00")]
    ids = [
        e.handle(
            SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=p, tif=TimeInForce.GTC)
        )[0].order_id
        for p in px
    ]
    o1, o2, o3, o4, o5 = ids
    a = e.handle(
        CreateGroup(
            GroupKind.ON_EXECUTE_OR_CANCEL, tuple(MemberSpec(order_id=i) for i in (o1, o2, o3))
        )
    )[0].group_id
    b = e.handle(
        CreateGroup(
            GroupKind.ON_EXECUTE_OR_CANCEL, tuple(MemberSpec(order_id=i) for i in (o3, o4, o5))
        )
    )[0].group_id
    # Act: trade #881 prints 10 @ 5.00, filling order1
    ev = e.on_trade(TradeTick("IBM", 1_700_000_000_000_000_000, px[0], 10, trade_id="881"))
    # Assert: statuses and group states
    status = {i: e.orders[i].status.value for i in ids}
    assert status == {o1: "Filled", o2: "Canceled", o3: "Canceled", o4: "Canceled", o5: "Canceled"}
    assert e.groups.get(a).status.value == "Filled"
    assert e.groups.get(b).status.value == "Canceled"
    # the cascade ran in order: 1 filled, 2 and 3 canceled by A, then 4 and 5 by B
    order_events = [(x.order_id, x.exec_type.value) for x in ev if hasattr(x, "exec_type")]
    assert order_events == [
        (o1, "Trade"),
        (o2, "Canceled"),
        (o3, "Canceled"),
        (o4, "Canceled"),
        (o5, "Canceled"),
    ]
    # explain(order4): canceled by groupB because order3 was canceled by groupA because
    # order1 filled 10 @ 5.00 on trade #881
    chain = e.explain(o4)
    assert [s["order_id"] for s in chain] == [o4, o3, o1]
    assert chain[0]["cause"]["group_id"] == b and chain[0]["cause"]["rule"] == "OnExecuteOrCancel"
    assert chain[1]["cause"]["group_id"] == a
    root = chain[2]["cause"]["market"]
    assert root["trade_id"] == "881" and root["price"] == px[0] and root["size"] == 10
    assert chain[2]["last_qty"] == 10 and chain[2]["last_px"] == px[0]
