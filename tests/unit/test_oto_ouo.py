"""OTO-OUO: an OTO whose children all close the position the parent opens (Sway IF-THEN with
position-attached THEN orders, seed 002): the parent's full fill releases them sized to it, and
a child's fill reduces the others, so one exit filling cancels the rest and leaves the position
flat; a parent canceled after a partial fill releases them sized to what filled."""

from __future__ import annotations

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind, rules_for
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, PositionEffect, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731

ENTRY = SubmitOrder(
    "A", "IBM", Side.BUY, OrdType.LIMIT, 10, price=P("100"), tif=TimeInForce.GTC,
    position_effect=PositionEffect.OPEN,
)  # fmt: skip
EXIT = dict(qty=0, activate=False, position_effect=PositionEffect.CLOSE, tif=TimeInForce.GTC)
TP = SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, price=P("101"), **EXIT)
SL = SubmitOrder("A", "IBM", Side.SELL, OrdType.STOP_MARKET, stop_price=P("99"), **EXIT)


def _group(e):
    ev = e.handle(
        CreateGroup(
            GroupKind.OTO_OUO, (MemberSpec(ENTRY), MemberSpec(TP), MemberSpec(SL)),
            validators=("sway_if_then",),
        )
    )  # fmt: skip
    g = e.groups.get(ev[0].group_id)
    return g, [m.order_id for m in g.members]


def _trade(e, price: str, qty: int) -> None:
    e.on_trade(TradeTick("IBM", e.now + 1, P(price), qty))


def test_rules_are_oto_plus_reduce_among_children():
    rules = rules_for(GroupKind.OTO_OUO, 3, ["", "", ""])
    assert [(r.on.value, r.action.value, r.sources, r.targets) for r in rules] == [
        ("full_fill", "release", (0,), (1, 2)),
        ("final", "release", (0,), (1, 2)),
        ("final", "cancel", (0,), (1, 2)),
        ("fill", "reduce", (1, 2), (1, 2)),
    ]


def test_one_exit_fills_the_other_is_canceled_position_flat(make_engine):
    # Arrange: no position before the entry
    e = make_engine(builders.account("A", "alice"))
    g, (_p, tp, sl) = _group(e)
    # Act: the entry fills, then the take-profit
    _trade(e, "100", 10)
    assert (e.orders[tp].qty, e.orders[sl].qty) == (10, 10)
    assert (e.orders[tp].status.value, e.orders[sl].status.value) == ("New", "New")
    _trade(e, "101", 10)
    # Assert
    assert e.orders[tp].status.value == "Filled"
    assert e.orders[sl].status.value == "Canceled"
    assert e.accounts["A"].positions["IBM"].qty == 0
    assert g.status.value == "Filled"


def test_partial_parent_canceled_releases_what_filled(make_engine):
    e = make_engine(builders.account("A", "alice"))
    _g, (p, tp, sl) = _group(e)
    # Act: 4 of 10 fill, the rest is canceled, then the stop-loss fires
    _trade(e, "100", 4)
    e.handle(CancelOrder(p))
    assert (e.orders[tp].qty, e.orders[sl].qty) == (4, 4)
    _trade(e, "98", 4)
    # Assert
    assert e.orders[sl].status.value == "Filled"
    assert e.orders[tp].status.value == "Canceled"
    assert e.accounts["A"].positions["IBM"].qty == 0


def test_partial_exit_fill_reduces_the_other(make_engine):
    e = make_engine(builders.account("A", "alice"))
    _g, (_p, tp, sl) = _group(e)
    _trade(e, "100", 10)
    _trade(e, "101", 3)
    assert e.orders[tp].cum_qty == 3
    assert e.orders[sl].qty == 7 and e.orders[sl].status.value == "New"


# -- price-linked children (SubmitOrder.price_offset) -----------------------------------------
def _linked_group(e, tp_offset: int, sl_offset: int):
    tp = TP._replace(price=None, price_offset=tp_offset)
    sl = SL._replace(stop_price=None, price_offset=sl_offset)
    ev = e.handle(
        CreateGroup(GroupKind.OTO_OUO, (MemberSpec(ENTRY), MemberSpec(tp), MemberSpec(sl)),
                    validators=("sway_if_then",))
    )  # fmt: skip
    g = e.groups.get(ev[0].group_id)
    return [m.order_id for m in g.members]


def test_price_linked_children_are_priced_from_the_parent_fill(make_engine):
    # Arrange: take-profit 150 ticks above the fill, stop-loss 100 ticks below
    e = make_engine(builders.account("A", "alice"))
    _p, tp, sl = _linked_group(e, 150, -100)
    assert e.orders[tp].price is None and e.orders[sl].stop_price is None
    # Act: the entry (limit 100.00) fills at its limit
    _trade(e, "99.50", 10)
    # Assert
    assert e.orders[tp].price == P("101.50") and e.orders[tp].status.value == "New"
    assert e.orders[sl].stop_price == P("99.00") and e.orders[sl].status.value == "New"


def test_price_linked_average_is_rounded_half_up_to_a_tick(make_engine):
    e = make_engine(builders.account("A", "alice"))
    e.on_quote(QuoteTick("IBM", e.now + 1, P("99.90"), P("99.99"), 1, 1))
    # Act: the entry takes 1 @ 99.99, then rests and gets 1 @ 100.00 (average 99.995)
    p, tp, _sl = _linked_group(e, 100, -100)
    e.on_quote(QuoteTick("IBM", e.now + 1, P("99.90"), P("100.00"), 1, 1))
    assert e.orders[p].cum_cost == P("99.99") + P("100.00")
    e.handle(CancelOrder(p))
    # Assert: 99.995 rounds to 100.00
    assert e.orders[tp].price == P("101.00") and e.orders[tp].qty == 2


def test_price_offset_needs_a_held_order(make_engine):
    e = make_engine(builders.account("A", "alice"))
    ev = e.handle(ENTRY._replace(price_offset=10))
    assert ev[0].reason.value == "validation.invalid_field" and ev[0].field == "price_offset"
    assert not e.orders


def test_linked_order_activated_without_a_fill_is_canceled(make_engine):
    from condor.domain.orders.commands import ActivateOrder

    e = make_engine(builders.account("A", "alice", positions={"IBM": (10, "100", IBM)}))
    o = e.handle(SL._replace(qty=5, stop_price=None, price_offset=-10))[0].order_id
    ev = e.handle(ActivateOrder(o))
    assert e.orders[o].status.value == "Canceled"
    assert ev[-1].reason.value == "validation.missing_field"
