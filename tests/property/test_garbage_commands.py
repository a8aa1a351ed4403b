"""Garbage in, one rejection out: wild commands never break the engine.

Property (handlers.py module invariant, spec section 3): whatever a caller sends, ``handle``
returns; a refused command yields exactly one ``CommandRejected`` and changes nothing (orders,
live index, ClOrdID index, holds, cash, positions, book, trigger index, market queue, groups,
timers); the engine's invariants hold after every command, accepted or not.

"Wild" means what a broken dialect could hand over in engine units: negative, zero and huge
integers, None where a value is required, unknown accounts, symbols and ids, and enum
combinations that make no sense (a market order with a price, a trailing spec on a limit...).
Values of the wrong Python type (lists, strings for ints) are out of scope: the dialect schemas
stop them.

The regressions at the end are the crashes this machine found (None as a side, an order type,
a trailing offset, a group kind or a group's members raised out of the engine, some after the
order was registered and cash held).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup, MemberSpec
from condor.domain.groups.model import Rule, RuleAction, RuleEvent
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import (
    OrdStatus,
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.orders.events import CommandRejected, ExecutionReport

import builders

# CONDOR_LONG=1 runs ten times as many examples (the quick run keeps the suite near a minute)
LONG = 10 if os.environ.get("CONDOR_LONG") else 1

IBM = builders.IBM
BTC = builders.BTC

# -- wild values ------------------------------------------------------------------------------
HUGE = (2**62, 2**63 - 1, 2**64, 10**30, -(10**30), -(2**63))
wild_int = st.one_of(
    st.integers(-3, 3),
    st.integers(-(2**40), 2**40),
    st.sampled_from(HUGE),
)
opt_wild_int = st.one_of(st.none(), wild_int)
# prices near the market as well, so that some garbage commands are accepted and trade
near_px = st.integers(9_900, 10_100)
price = st.one_of(st.none(), near_px, wild_int)
qty = st.one_of(st.none(), st.integers(1, 20), wild_int)
accounts = st.one_of(st.sampled_from(["A", "B"]), st.sampled_from(["Z", "", None]))
# the account check of cancel/modify/replace: None (no check) is the common case
check_accounts = st.sampled_from([None, None, None, "A", "B", "Z"])
symbols = st.one_of(st.just("IBM"), st.sampled_from(["BTCUSDT", "NOPE", "", None]))


def sparse(s):
    """An amend field: mostly absent (None = keep), sometimes wild."""
    return st.one_of(st.none(), st.none(), s)


owners = st.sampled_from([None, "alice", "bob", "mallory"])
cl_ids = st.sampled_from([None, None, "", "c1", "c2", "dup"])
# the seed creates orders 1-8; commands create more
order_ids = st.one_of(
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(1, 30),
    st.integers(-2, 0),
    st.none(),
    st.sampled_from(HUGE),
)

sides = st.one_of(st.sampled_from(list(Side)), st.none())
ord_types = st.one_of(st.sampled_from(list(OrdType)), st.none())
tifs = st.one_of(st.sampled_from(list(TimeInForce)), st.none())
trail_specs = st.one_of(
    st.none(),
    st.builds(
        C.TrailSpec,
        kind=st.one_of(st.sampled_from(list(TrailKind)), st.none()),
        offset=opt_wild_int,
        activation=opt_wild_int,
        limit_offset=opt_wild_int,
    ),
)


@st.composite
def submits(draw) -> C.SubmitOrder:
    return C.SubmitOrder(
        account=draw(accounts),
        symbol=draw(symbols),
        side=draw(sides),
        ord_type=draw(ord_types),
        qty=draw(qty),
        price=draw(price),
        stop_price=draw(price),
        tif=draw(tifs),
        expire_ns=draw(opt_wild_int),
        extended=draw(st.booleans()),
        display_qty=draw(opt_wild_int),
        cl_ord_id=draw(cl_ids),
        trail=draw(trail_specs),
        basis=draw(st.one_of(st.none(), st.sampled_from(list(TriggerBasis)))),
        condition=draw(st.one_of(st.none(), st.sampled_from(list(TriggerCondition)))),
        activate=draw(st.one_of(st.booleans(), st.none())),
        position_effect=draw(st.one_of(st.none(), st.sampled_from(list(PositionEffect)))),
        owner=draw(owners),
    )


member_index = st.integers(-2, 5)
rules = st.builds(
    Rule,
    on=st.sampled_from(list(RuleEvent)),
    action=st.sampled_from(list(RuleAction)),
    sources=st.one_of(st.none(), st.tuples(member_index), st.tuples(member_index, member_index)),
    targets=st.one_of(st.none(), st.tuples(member_index), st.tuples(member_index, member_index)),
    closes=st.booleans(),
    when_filled=st.sampled_from([None, True, False]),
    requires_release=st.booleans(),
)


def member_specs(order_ids):
    return st.builds(
        MemberSpec,
        order=st.one_of(st.none(), submits()),
        order_id=order_ids,
        role=st.sampled_from(["", "entry", "take_profit", "stop_loss", "limit", "x"]),
    )


validator_names = st.lists(
    st.sampled_from(
        ["live", "owned", "same_account_instrument", "sway_oco", "sway_if_then", "ts_brk",
         "bracket_prices", "nope"]
    ),
    max_size=2,
).map(tuple)  # fmt: skip
new_group_ids = st.sampled_from([None, "g1", "g2", "g3", "g-seed", ""])
group_ids = st.sampled_from(["g-seed", "g1", "g2", "g3", "", "nope"])


commands = st.one_of(
    submits(),
    st.builds(C.CancelOrder, order_id=order_ids, account=check_accounts),
    st.builds(
        C.ModifyOrder,
        order_id=order_ids,
        qty=sparse(qty),
        price=sparse(price),
        stop_price=sparse(price),
        display_qty=sparse(opt_wild_int),
        trail_offset=sparse(opt_wild_int),
        account=check_accounts,
    ),
    st.builds(
        C.ReplaceOrder,
        order_id=order_ids,
        qty=sparse(qty),
        price=sparse(price),
        stop_price=sparse(price),
        cl_ord_id=cl_ids,
        account=check_accounts,
        activate=st.sampled_from([None, True, False]),
    ),
    st.builds(C.ActivateOrder, order_id=order_ids, qty=opt_wild_int),
    st.builds(C.CancelAllOrders, account=accounts, symbol=symbols),
    st.builds(
        C.SubmitBlockTrade,
        buy_account=accounts,
        sell_account=accounts,
        symbol=symbols,
        qty=st.one_of(st.integers(1, 20), wild_int),
        price=st.one_of(near_px, wild_int),
    ),
    st.builds(
        CreateGroup,
        kind=st.sampled_from(list(GroupKind)),
        members=st.lists(member_specs(order_ids), max_size=4).map(tuple),
        rules=st.one_of(st.none(), st.lists(rules, max_size=3).map(tuple)),
        validators=validator_names,
        owner=owners,
        group_id=new_group_ids,
    ),
    st.builds(
        EditGroup,
        group_id=group_ids,
        members=st.one_of(st.none(), st.lists(member_specs(order_ids), max_size=3).map(tuple)),
        kind=st.one_of(st.none(), st.sampled_from(list(GroupKind))),
        rules=st.one_of(st.none(), st.lists(rules, max_size=2).map(tuple)),
        validators=validator_names,
        owner=owners,
    ),
    st.builds(DeleteGroup, group_id=group_ids, owner=owners),
    st.builds(C.AdvanceClock, ts_ns=st.one_of(st.integers(-5, 10**12), st.sampled_from(HUGE))),
)


def holds(o) -> tuple[int, int, int]:
    """An order's holds: cash, position lots, and lots beyond the position (when tracked)."""
    return (o.hold_cash, o.hold_pos, getattr(o, "hold_net", 0))


def position_state(p) -> tuple[int, ...]:
    return (
        p.qty, p.cost, p.realized, p.held_long, p.held_short,
        getattr(p, "shorting", 0), getattr(p, "buying", 0),
    )  # fmt: skip


# -- state snapshot -----------------------------------------------------------------------------
def snapshot(e) -> tuple:
    """Everything a refused command must leave untouched (sequence counters excepted: a
    refused submit consumes an order id by design)."""
    orders = {
        oid: (
            o.status, o.qty, o.cum_qty, o.cum_cost, o.price, o.stop_price, o.display_qty,
            o.visible, o.priority, o.hold_cash, o.hold_pos, getattr(o, "hold_net", 0), o.triggered,
            tuple(o.groups or ()), o.trail.as_dict() if o.trail else None,
        )
        for oid, o in e.orders.items()
    }  # fmt: skip
    accts = {
        aid: (
            {k: v for k, v in a.cash.items() if v},
            {k: v for k, v in a.held_cash.items() if v},
            {s: position_state(p) for s, p in a.positions.items() if any(position_state(p))},
        )
        for aid, a in e.accounts.items()
    }
    venues = {}
    for sym, v in e.venues.items():
        sides = []
        for is_bid in (True, False):
            sides.append(
                tuple(
                    (lvl.price, tuple(o.order_id for o in lvl if o.priority and o.price == lvl.price))
                    for lvl in v.book.levels(is_bid)
                )
            )  # fmt: skip
        venues[sym] = (
            tuple(sides),
            tuple(sorted(v.triggers.entries)),
            tuple(sorted(v.triggers.wm_keys)),
            tuple(o.order_id for o in v.pending_markets),
            tuple(sorted(v.parked)),
            (v.ext.bid, v.ext.ask, v.ext.bid_avail, v.ext.ask_avail, v.ext.last, v.ext.last_avail),
        )
    groups = {
        gid: (
            g.status, g.version, g.kind, g.closed_ns,
            tuple((m.order_id, m.active, m.released, m.role) for m in g.members),
            g.rules,
        )
        for gid, g in e.groups.groups.items()
    }  # fmt: skip
    return (
        orders,
        tuple(sorted(e.live)),
        dict(e.cl_index),
        accts,
        venues,
        groups,
        len(e._timers),
        e.next_timer,
        e.trade_seq,
        e.clock.now_ns(),
        len(e._queue),
    )


def check_engine(e) -> None:
    """The engine's own check plus the cross-structure facts every test here relies on."""
    e.check_invariants()
    for oid, o in e.orders.items():
        assert 0 <= o.cum_qty <= max(o.qty, 0), f"order {oid} overfilled"
        if o.status is OrdStatus.FILLED:
            assert o.cum_qty == o.qty, f"order {oid} Filled with cum {o.cum_qty} of {o.qty}"
        if o.status.is_terminal:
            assert oid not in e.live
            assert not any(holds(o)), f"terminal order {oid} still holds {holds(o)}"
        else:
            assert e.live.get(oid) is o, f"live order {oid} missing from the live index"
        assert min(holds(o)) >= 0, f"order {oid} negative hold {holds(o)}"
    # Venue invariant: a working order is in exactly one place (venue.py).
    for v in e.venues.values():
        for o in e.live.values():
            if o.inst.symbol != v.inst.symbol or not o.status.is_working:
                continue
            places = (
                bool(o.priority)
                + (o.order_id in v.triggers.entries)
                + (o in v.pending_markets)
                + (o.order_id in v.parked)
            )
            assert places == 1, f"working order {o.order_id} is in {places} places"
    for aid, a in e.accounts.items():
        for ccy, held in a.held_cash.items():
            expect = sum(
                o.hold_cash for o in e.live.values() if o.account == aid and o.inst.currency == ccy
            )
            assert held == expect, f"{aid} held {ccy} {held} != live holds {expect}"
        for sym, p in a.positions.items():
            assert p.held_long >= 0 and p.held_short >= 0
            mine = [o for o in e.live.values() if o.account == aid and o.inst.symbol == sym]
            # sells hold the long lots they will sell, buys the short lots they will buy back
            longs = sum(o.hold_pos for o in mine if not o.side.is_buy)
            shorts = sum(o.hold_pos for o in mine if o.side.is_buy)
            assert (p.held_long, p.held_short) == (longs, shorts), f"{aid} {sym} position holds"
            net = {(o.side, o.order_id): getattr(o, "hold_net", 0) for o in mine}
            shorting = sum(n for (side, _), n in net.items() if side is Side.SELL_SHORT)
            buying = sum(n for (side, _), n in net.items() if side is Side.BUY)
            assert (getattr(p, "shorting", 0), getattr(p, "buying", 0)) in (
                (shorting, buying),
                (0, 0),  # an engine that does not track them
            ), f"{aid} {sym} net holds"


def seeded_engine():
    """Two accounts with cash and positions, and orders in every state the ids can hit."""
    e = builders.engine(
        builders.account("A", "alice", positions={"IBM": (100, "100.00", IBM)}),
        builders.account("B", "bob", positions={"IBM": (-50, "100.00", IBM)}),
        instruments=(IBM, BTC),
    )
    px = lambda s: builders.px(IBM, s)  # noqa: E731
    lim = dict(symbol="IBM", ord_type=OrdType.LIMIT, tif=TimeInForce.GTC)
    cmds = [
        C.SubmitOrder("A", side=Side.BUY, qty=10, price=px("99.00"), owner="alice", **lim),
        C.SubmitOrder("B", side=Side.SELL_SHORT, qty=10, price=px("101.00"), owner="bob", **lim),
        C.SubmitOrder(
            "A", "IBM", Side.SELL, OrdType.STOP_MARKET, 5, stop_price=px("95.00"),
            tif=TimeInForce.GTC, owner="alice",
        ),
        C.SubmitOrder(
            "A", side=Side.SELL, qty=5, price=px("105.00"), activate=False, owner="alice",
            cl_ord_id="dup", **lim,
        ),
        C.SubmitOrder("A", side=Side.BUY, qty=3, price=px("101.00"), owner="alice", **lim),
        C.SubmitOrder("B", side=Side.BUY_TO_COVER, qty=4, price=px("98.00"), owner="bob", **lim),
        C.SubmitOrder(
            "B", "IBM", Side.BUY, OrdType.TRAILING_STOP_MARKET, 2,
            trail=C.TrailSpec(TrailKind.TICKS, 50), tif=TimeInForce.GTC, owner="bob",
        ),
        C.SubmitOrder(
            "A", "IBM", Side.BUY, OrdType.LIMIT, 30, price=px("98.50"), display_qty=5,
            owner="alice", tif=TimeInForce.GTC,
        ),
    ]  # fmt: skip
    for c in cmds:
        e.handle(c)
    e.handle(C.CancelOrder(6))
    e.handle(CreateGroup(GroupKind.OCO, (MemberSpec(order_id=1), MemberSpec(order_id=3)),
                         owner="alice", group_id="g-seed"))  # fmt: skip
    e.on_quote(QuoteTick("IBM", 1, px("99.50"), px("100.50"), 7, 9))
    return e


class GarbageMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.e = seeded_engine()
        self.rejections = 0

    @rule(cmd=commands)
    def send(self, cmd):
        e = self.e
        before = snapshot(e)
        events = e.handle(cmd)  # must not raise
        rejected = [ev for ev in events if isinstance(ev, CommandRejected)]
        if rejected:
            self.rejections += 1
            assert len(events) == 1, f"a rejection must come alone: {events}"
            after = snapshot(e)
            assert after == before, _diff(before, after)
        for ev in events:
            if isinstance(ev, ExecutionReport):
                assert ev.cum_qty <= ev.order_qty or ev.ord_status is OrdStatus.HELD

    @invariant()
    def consistent(self):
        check_engine(self.e)


def _diff(before: tuple, after: tuple) -> str:
    names = ("orders", "live", "cl_index", "accounts", "venues", "groups", "timers",
             "next_timer", "trade_seq", "clock", "queue")  # fmt: skip
    out = []
    for n, b, a in zip(names, before, after, strict=True):
        if b != a:
            if isinstance(b, dict):
                keys = sorted(set(b) | set(a), key=str)
                changed = [(k, b.get(k), a.get(k)) for k in keys if b.get(k) != a.get(k)]
                out.append(f"{n}: {changed}")
            else:
                out.append(f"{n}: {b} -> {a}")
    return "state changed by a rejected command: " + "; ".join(out)


GarbageMachine.TestCase.settings = settings(
    max_examples=200 * LONG,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
test_garbage_commands = GarbageMachine.TestCase


# -- regressions: crashes this machine found ------------------------------------------------------
def _buy(**kw) -> C.SubmitOrder:
    d = dict(account="A", symbol="IBM", side=Side.BUY, ord_type=OrdType.LIMIT, qty=10, price=10000)
    d.update(kw)
    return C.SubmitOrder(**d)


FOUND = {
    # was: accepted (order registered, cash held), then AttributeError out of Matching._match
    "submit_side_none": _buy(side=None),
    # was: AttributeError in admission.validate_submit
    "submit_ord_type_none": _buy(ord_type=None),
    # was: TypeError in admission.validate_submit
    "submit_trail_offset_none": _buy(
        ord_type=OrdType.TRAILING_STOP_MARKET, price=None, trail=C.TrailSpec(TrailKind.TICKS, None)
    ),
    # was: AttributeError in templates.rules_for
    "group_kind_none": CreateGroup(None, (MemberSpec(order_id=1),)),
    # was: TypeError in _build_group
    "group_members_none": CreateGroup(GroupKind.OCO, None),
    # was: group and order created, then AttributeError out of Matching._match
    "group_new_member_side_none": CreateGroup(GroupKind.OCO, (MemberSpec(order=_buy(side=None)),)),
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_none_in_a_required_field_is_refused(name):
    # Arrange: an engine with one live order (id 1)
    e = builders.engine()
    e.handle(_buy(price=9_000))
    before = snapshot(e)
    # Act
    events = e.handle(FOUND[name])
    # Assert: one rejection, nothing changed
    assert len(events) == 1 and isinstance(events[0], CommandRejected), events
    assert snapshot(e) == before
    check_engine(e)
