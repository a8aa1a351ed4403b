"""A bracket's stop-loss that sweeps several price levels in one go shrinks the take-profit
tranches by exactly what it sold, although the reductions of its fills are queued and run only
after the sweep: each fill shares out only what the earlier fills' queued reductions left
(regression: the property machine of test_group_cascades found a bracket whose exits could
sell 11 lots of a 10-lot entry; the shares of later fills went again to a tranche an earlier
fill had already used up)."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731


def _order(side, ord_type, qty, **kw) -> SubmitOrder:
    return SubmitOrder("A", "IBM", side, ord_type, qty, tif=TimeInForce.GTC, **kw)


def test_stop_sweep_shrinks_split_take_profits_by_exactly_what_it_sold():
    # Arrange: B bids 2 @ 99.93, 1 @ 99.92, 4 @ 99.91; A's bracket: market entry 10,
    # take-profits 1 and 9 @ 99.99, stop-loss 10 @ 99.95
    e = builders.engine(builders.account("A", "alice"), builders.account("B", "bob"))
    for qty, px in ((2, "99.93"), (1, "99.92"), (4, "99.91")):
        e.handle(SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, qty, price=P(px),
                             tif=TimeInForce.GTC))  # fmt: skip
    ev = e.handle(CreateGroup(GroupKind.BRACKET, (
        MemberSpec(_order(Side.BUY, OrdType.MARKET, 10), role="entry"),
        MemberSpec(_order(Side.SELL, OrdType.LIMIT, 1, price=P("99.99")), role="take_profit"),
        MemberSpec(_order(Side.SELL, OrdType.LIMIT, 9, price=P("99.99")), role="take_profit"),
        MemberSpec(_order(Side.SELL, OrdType.STOP_MARKET, 10, stop_price=P("99.95")),
                   role="stop_loss"),
    )))  # fmt: skip
    g = e.groups.get(ev[0].group_id)
    entry, tp1, tp2, sl = (e.orders[m.order_id] for m in g.members)
    # Act: a print of 10 at 99.94 fills the entry; the exits are released inside that cascade
    # and the stop, below its 99.95 trigger already, sells at once into B's bids (7 lots), its
    # three fills' reductions queued behind the release that is still running
    e.on_market(TradeTick("IBM", e.now + 1, P("99.94"), 10))
    assert entry.cum_qty == 10
    # Assert: the take-profits keep exactly the 3 lots the stop did not sell
    assert sl.cum_qty == 7
    open_tps = sum(o.qty - o.cum_qty for o in (tp1, tp2) if not o.status.is_terminal)
    assert open_tps == 3
    # and a later buyer at the take-profit price can take no more than that
    e.on_market(TradeTick("IBM", e.now + 1, P("99.99"), 50))
    assert tp1.cum_qty + tp2.cum_qty + sl.cum_qty <= 10
    e.check_invariants()
