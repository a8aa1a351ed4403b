"""Random linked groups under random fills: cascades end and groups stay coherent.

Property (spec sections 2-3; engine/groups.py and domain/groups/book.py invariants): with groups
of every cancel/reduce kind built over live orders (members shared between groups), brackets
and OTOs created with new orders, and random quotes, prints, crossing orders, cancels, amends,
replaces and group deletions,
- every ``handle`` / ``on_quote`` / ``on_trade`` returns (cascades terminate; a watchdog
  turns a runaway cascade into a failure);
- the engine's invariants hold; no order is overfilled, Filled means CumQty == OrderQty, a
  working order has CumQty < OrderQty, ended orders hold nothing, a working order is in exactly
  one venue structure;
- a closed group (Filled or Canceled) never activates or grows a member afterwards: no
  ``Triggered``/"activated" or "released" report whose rule cause names a group that had closed
  before the event that fired the rule;
- a closed group's id is in no order's ``groups``; an Active group's active members all list it
  and its removed members do not;
- a bracket never leaves the position open the other way: the fills of its exits never add up
  to more than its entry's fills (until the user deletes the bracket).

Plus the seed scenario (spec section 3) as a plain test with ``explain``.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, DeleteGroup, MemberSpec
from condor.domain.groups.model import GroupStatus, Rule, RuleEvent
from condor.domain.groups.model import RuleAction as A
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CauseKind, CommandRejected, ExecutionReport
from condor.domain.orders.group_events import GroupUpdated

import builders

# CONDOR_LONG=1 runs ten times as many examples (the quick run keeps the suite near a minute)
LONG = 10 if os.environ.get("CONDOR_LONG") else 1

IBM = builders.IBM
SYM = IBM.symbol
MID = 10_000
PRICES = st.integers(MID - 6, MID + 6)
WATCHDOG_S = 10


@contextmanager
def watchdog(what: str):
    """Fail instead of hanging when a cascade does not end."""

    def _boom(signum, frame):
        raise AssertionError(f"{what} did not return within {WATCHDOG_S} s: runaway cascade")

    old = signal.signal(signal.SIGALRM, _boom)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_engine(e) -> None:
    e.check_invariants()
    for oid, o in e.orders.items():
        assert 0 <= o.cum_qty <= o.qty, f"order {oid} overfilled: {o.cum_qty} of {o.qty}"
        if o.status is OrdStatus.FILLED:
            assert o.cum_qty == o.qty, f"order {oid} Filled with {o.cum_qty} of {o.qty}"
        if o.status.is_working:
            assert o.cum_qty < o.qty, f"order {oid} working with nothing left"
        if o.status.is_terminal:
            held = (o.hold_cash, o.hold_pos, getattr(o, "hold_net", 0))
            assert oid not in e.live and not any(held), f"ended order {oid} holds {held}"
        else:
            assert e.live.get(oid) is o, f"live order {oid} not in the live index"
    v = e.venues[SYM]
    for o in e.live.values():
        if o.status.is_working:
            places = (
                bool(o.priority)
                + (o.order_id in v.triggers.entries)
                + (o in v.pending_markets)
                + (o.order_id in v.parked)
            )
            assert places == 1, f"working order {o.order_id} is in {places} venue places"
        else:
            assert not o.priority and o.order_id not in v.triggers.entries, o
    for aid, a in e.accounts.items():
        mine = [o for o in e.live.values() if o.account == aid]
        assert a.held_cash.get("USD", 0) == sum(o.hold_cash for o in mine), f"{aid} held cash"
        p = a.positions.get(SYM)
        if p is not None:  # sells hold long lots they will sell, buys short lots to buy back
            assert p.held_long == sum(o.hold_pos for o in mine if not o.side.is_buy)
            assert p.held_short == sum(o.hold_pos for o in mine if o.side.is_buy)


def check_groups(e) -> None:
    for gid, g in e.groups.groups.items():
        if g.status is GroupStatus.ACTIVE:
            assert g.closed_ns is None
            for m in g.members:
                groups = e.orders[m.order_id].groups or ()
                if m.active:
                    assert gid in groups, f"active member {m.order_id} lost group {gid}"
                else:
                    assert gid not in groups, f"removed member {m.order_id} still in {gid}"
        else:
            assert g.closed_ns is not None
    for oid, o in e.orders.items():
        for gid in o.groups or ():
            g = e.groups.get(gid)
            assert g is not None and g.status is GroupStatus.ACTIVE, (
                f"order {oid} still lists closed group {gid}"
            )


# -- the machine ----------------------------------------------------------------------------------
CANCEL_KINDS = [
    GroupKind.OCO,
    GroupKind.OUO,
    GroupKind.OUO_PROPORTIONAL,
    GroupKind.ON_EXECUTE_OR_CANCEL,
    GroupKind.IGNORE_CANCEL,
    GroupKind.ORDER_ID_OCO,
    GroupKind.OCO_FINAL,
]

order_specs = st.fixed_dictionaries(
    {
        "account": st.sampled_from(["A", "B"]),
        "side": st.sampled_from([Side.BUY, Side.SELL, Side.SELL_SHORT]),
        "kind": st.sampled_from(["limit", "limit", "limit", "stop", "market", "ioc", "held"]),
        "qty": st.integers(1, 10),
        "price": PRICES,
    }
)
bracket_specs = st.fixed_dictionaries(
    {
        "account": st.sampled_from(["A", "B"]),
        "buy": st.booleans(),
        "market": st.booleans(),
        "qty": st.integers(1, 10),
        "entry": PRICES,
        "tp": st.lists(st.integers(-3, 6), min_size=0, max_size=2),  # ticks beyond the entry
        "sl": st.one_of(st.none(), st.integers(1, 5)),  # ticks below (buy) the entry
        "split": st.integers(1, 9),
    }
).filter(lambda s: s["tp"] or s["sl"] is not None)


class CascadeMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        # A can always sell (big long position): over-selling exits are not stopped by risk.
        # B's position is small, so risk refusals (canceled releases, refused exits) happen.
        self.e = builders.engine(
            builders.account("A", "alice", usd=10**8, positions={SYM: (10**5, "100", IBM)}),
            builders.account("B", "bob", usd=10**8, positions={SYM: (25, "100", IBM)}),
            builders.account("C", "carol", usd=10**8, positions={SYM: (10**5, "100", IBM)}),
        )
        self.ts = 0
        self.closed: dict[str, int] = {}  # group id -> seq of the event that closed it
        self.brackets: list[tuple[str, int, tuple[int, ...]]] = []
        self.protected: set[int] = set()  # bracket members: no user growth or activation
        self.filled_before: dict[int, int] = {}  # replacing order id -> lots its chain filled

    def _tick(self) -> int:
        self.ts += 1_000
        return self.ts

    def _run(self, what: str, fn, arg):
        with watchdog(what):
            events = fn(arg)
        assert isinstance(events, (list, tuple))
        self._check_events(events)
        return events

    def _check_events(self, events) -> None:
        seqs = [ev.seq for ev in events]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        for ev in events:
            if isinstance(ev, GroupUpdated):
                if ev.change in ("closed", "deleted"):
                    assert ev.group_id not in self.closed, f"group {ev.group_id} closed twice"
                    assert ev.status in ("Filled", "Canceled")
                    self.closed[ev.group_id] = ev.seq
                else:
                    assert ev.group_id not in self.closed, f"closed group {ev.group_id} {ev.change}"
                continue
            if not isinstance(ev, ExecutionReport):
                continue
            c = ev.cause
            if c is None or c.kind is not CauseKind.RULE:
                continue
            grows = (ev.exec_type is ExecType.TRIGGERED and ev.text == "activated") or (
                ev.exec_type is ExecType.RESTATED and (ev.text or "").startswith("released")
            )
            if grows and c.group_id in self.closed:
                # a rule fired by the closing event itself (a custom "fill -> release, closes")
                # still runs; one fired by a later event must not
                assert self.closed[c.group_id] > c.trigger.seq, (
                    f"closed group {c.group_id} released order {ev.order_id} afterwards"
                )

    def _live(self, pred=lambda o: True) -> list[int]:
        return sorted(oid for oid, o in self.e.live.items() if pred(o))

    # -- orders -------------------------------------------------------------------------------
    @rule(spec=order_specs)
    def submit(self, spec):
        kind = spec["kind"]
        side = spec["side"]
        ot, price, stop = OrdType.LIMIT, spec["price"], None
        if kind == "market":
            ot, price = OrdType.MARKET, None
        elif kind == "stop":
            ot, price, stop = OrdType.STOP_MARKET, None, spec["price"]
        cmd = C.SubmitOrder(
            spec["account"], SYM, side, ot, spec["qty"], price=price, stop_price=stop,
            tif=TimeInForce.IOC if kind == "ioc" else TimeInForce.GTC, activate=kind != "held",
        )  # fmt: skip
        self._run("submit", self.e.handle, cmd)

    @rule(account=st.sampled_from(["B", "C"]), buy=st.booleans(), qty=st.integers(1, 15))
    def sweep(self, account, buy, qty):
        """A marketable IOC from another account: client-vs-client fills of resting members."""
        side = Side.BUY if buy else Side.SELL_SHORT
        px = MID + 8 if buy else MID - 8
        cmd = C.SubmitOrder(account, SYM, side, OrdType.LIMIT, qty, price=px, tif=TimeInForce.IOC)
        self._run("sweep", self.e.handle, cmd)

    @precondition(lambda self: self.e.live)
    @rule(data=st.data())
    def cancel(self, data):
        oid = data.draw(st.sampled_from(self._live()))
        self._run("cancel", self.e.handle, C.CancelOrder(oid))

    @precondition(lambda self: self.e.live)
    @rule(data=st.data(), delta=st.integers(-5, 5), reprice=st.booleans())
    def modify(self, data, delta, reprice):
        oid = data.draw(st.sampled_from(self._live()))
        o = self.e.orders[oid]
        if delta > 0 and oid in self.protected:
            delta = -delta  # growing a bracket member by hand is the user's own over-sell
        qty = max(o.cum_qty + 1, o.qty + delta)
        price = data.draw(PRICES) if reprice and o.ord_type is OrdType.LIMIT else None
        stop = data.draw(PRICES) if reprice and o.ord_type is OrdType.STOP_MARKET else None
        if o.ord_type is OrdType.STOP_MARKET and o.triggered:
            stop = None
        self._run(
            "modify", self.e.handle, C.ModifyOrder(oid, qty=qty, price=price, stop_price=stop)
        )

    @precondition(lambda self: self.e.live)
    @rule(data=st.data(), reprice=st.booleans())
    def replace(self, data, reprice):
        oid = data.draw(st.sampled_from(self._live()))
        o = self.e.orders[oid]
        price = data.draw(PRICES) if reprice and o.ord_type is OrdType.LIMIT else None
        qty = None if oid in self.protected else data.draw(st.integers(1, 10))
        events = self._run("replace", self.e.handle, C.ReplaceOrder(oid, qty=qty, price=price))
        new = [ev.order_id for ev in events if getattr(ev, "orig_order_id", None) == oid]
        if new and any(getattr(ev, "change", None) == "member_replaced" for ev in events):
            self._follow(oid, new[0])

    def _follow(self, old: int, new: int) -> None:
        """The groups carried ``old``'s membership over to ``new`` (cancel/replace with a new
        id): track the bracket member by its new id, with what ``old`` filled."""
        self.filled_before[new] = self.filled_before.get(old, 0) + self.e.orders[old].cum_qty
        self.brackets = [
            (gid, new if entry == old else entry, tuple(new if x == old else x for x in exits))
            for gid, entry, exits in self.brackets
        ]
        if old in self.protected:
            self.protected.add(new)

    @precondition(
        lambda self: any(
            o.status is OrdStatus.HELD and oid not in self.protected
            for oid, o in self.e.live.items()
        )
    )
    @rule(data=st.data())
    def activate(self, data):
        held = self._live(lambda o: o.status is OrdStatus.HELD and o.order_id not in self.protected)
        oid = data.draw(st.sampled_from(held))
        self._run("activate", self.e.handle, C.ActivateOrder(oid))

    # -- groups -------------------------------------------------------------------------------
    @precondition(lambda self: len(self.e.live) >= 2)
    @rule(data=st.data(), kind=st.sampled_from(CANCEL_KINDS), n=st.integers(2, 4))
    def group_existing(self, data, kind, n):
        live = self._live()
        if kind is GroupKind.ORDER_ID_OCO:
            n = 2
        members = data.draw(st.lists(st.sampled_from(live), min_size=2, max_size=n, unique=True))
        cmd = CreateGroup(kind, tuple(MemberSpec(order_id=i) for i in members))
        events = self._run("group", self.e.handle, cmd)
        assert not any(isinstance(ev, CommandRejected) for ev in events), events

    @precondition(lambda self: len(set(self.e.live) - self.protected) >= 2)
    @rule(data=st.data(), n=st.integers(2, 4))
    def group_custom(self, data, n):
        """Explicit rules, so that a group's own actions fire its further rules (chains);
        never over a bracket's members (a rule releasing an exit is the user's own over-sell)."""
        live = self._live(lambda o: o.order_id not in self.protected)
        members = data.draw(st.lists(st.sampled_from(live), min_size=2, max_size=n, unique=True))
        positions = st.none() | st.lists(
            st.integers(0, len(members) - 1), min_size=1, max_size=2, unique=True
        ).map(tuple)
        rule_st = st.builds(
            Rule, st.sampled_from(list(RuleEvent)),
            st.sampled_from([A.CANCEL, A.REDUCE, A.REMOVE_MEMBER, A.RELEASE]),
            positions, positions, closes=st.booleans(),
        )  # fmt: skip
        rules = tuple(data.draw(st.lists(rule_st, min_size=1, max_size=4)))
        cmd = CreateGroup(GroupKind.CUSTOM, tuple(MemberSpec(order_id=i) for i in members), rules)
        events = self._run("custom group", self.e.handle, cmd)
        assert not any(isinstance(ev, CommandRejected) for ev in events), events

    @rule(spec=bracket_specs)
    def bracket(self, spec):
        acct, buy, q = spec["account"], spec["buy"], spec["qty"]
        d = 1 if buy else -1
        entry = C.SubmitOrder(
            acct, SYM, Side.BUY if buy else Side.SELL_SHORT,
            OrdType.MARKET if spec["market"] else OrdType.LIMIT, q,
            price=None if spec["market"] else spec["entry"], tif=TimeInForce.GTC,
        )  # fmt: skip
        exit_side = Side.SELL if buy else Side.BUY
        members = [MemberSpec(entry, role="entry")]
        tps = spec["tp"]
        if len(tps) == 2:  # two tranches sharing one stop
            split = max(1, min(q - 1, spec["split"] * q // 10)) if q > 1 else None
            sizes = [split, q - split] if split else [q]
        else:
            sizes = [q] * len(tps)
        for off, size in zip(tps, sizes, strict=False):
            tp = C.SubmitOrder(
                acct, SYM, exit_side, OrdType.LIMIT, size, price=spec["entry"] + d * off,
                tif=TimeInForce.GTC,
            )  # fmt: skip
            members.append(MemberSpec(tp, role="take_profit"))
        if spec["sl"] is not None:
            sl = C.SubmitOrder(
                acct, SYM, exit_side, OrdType.STOP_MARKET, q,
                stop_price=spec["entry"] - d * spec["sl"], tif=TimeInForce.GTC,
            )  # fmt: skip
            members.append(MemberSpec(sl, role="stop_loss"))
        events = self._run("bracket", self.e.handle, CreateGroup(GroupKind.BRACKET, tuple(members)))
        created = [ev for ev in events if isinstance(ev, GroupUpdated) and ev.change == "created"]
        if created:
            gid = created[0].group_id
            ids = self.e.groups.get(gid).members
            entry_id, exit_ids = ids[0].order_id, tuple(m.order_id for m in ids[1:])
            self.brackets.append((gid, entry_id, exit_ids))
            self.protected.update((entry_id, *exit_ids))

    @rule(parent=order_specs, child_qty=st.lists(st.integers(1, 10), min_size=1, max_size=2),
          partial=st.booleans(), child_px=PRICES)  # fmt: skip
    def oto(self, parent, child_qty, partial, child_px):
        side = parent["side"]
        p = C.SubmitOrder(parent["account"], SYM, side, OrdType.LIMIT, parent["qty"],
                          price=parent["price"], tif=TimeInForce.GTC)  # fmt: skip
        child_side = Side.SELL if side is Side.BUY else Side.BUY
        members = [MemberSpec(p)] + [
            MemberSpec(
                C.SubmitOrder(
                    parent["account"],
                    SYM,
                    child_side,
                    OrdType.LIMIT,
                    q,
                    price=child_px,
                    tif=TimeInForce.GTC,
                )
            )
            for q in child_qty
        ]
        kind = GroupKind.OTO_PARTIAL if partial else GroupKind.OTO
        self._run("oto", self.e.handle, CreateGroup(kind, tuple(members)))

    @precondition(
        lambda self: any(g.status is GroupStatus.ACTIVE for g in self.e.groups.groups.values())
    )
    @rule(data=st.data())
    def delete_group(self, data):
        active = sorted(
            gid for gid, g in self.e.groups.groups.items() if g.status is GroupStatus.ACTIVE
        )
        gid = data.draw(st.sampled_from(active))
        events = self._run("delete", self.e.handle, DeleteGroup(gid))
        if type(events[0]) is CommandRejected:
            # closing orders that share a position hold through the group would sell it twice
            # once unlinked: the delete is refused and nothing changes
            assert events[0].reason is RejectReason.POSITION_HELD, events
            assert self.e.groups.get(gid).status is GroupStatus.ACTIVE
            return
        assert [ev.change for ev in events] == ["deleted"]
        # a deleted bracket's exits are plain orders from now on (spec section 2): what they
        # do is the user's business, so its guarantee is no longer checked
        self.brackets = [b for b in self.brackets if b[0] != gid]

    # -- market data --------------------------------------------------------------------------
    @rule(bid=PRICES, spread=st.integers(1, 3), bs=st.one_of(st.none(), st.integers(1, 12)),
          asz=st.one_of(st.none(), st.integers(1, 12)))  # fmt: skip
    def quote(self, bid, spread, bs, asz):
        self._run(
            "on_quote", self.e.on_quote, QuoteTick(SYM, self._tick(), bid, bid + spread, bs, asz)
        )

    @rule()
    def clear_quote(self):
        self._run("on_quote", self.e.on_quote, QuoteTick(SYM, self._tick(), None, None))

    @rule(px=PRICES, size=st.integers(1, 15))
    def trade(self, px, size):
        self._run("on_trade", self.e.on_trade, TradeTick(SYM, self._tick(), px, size))

    # -- invariants ---------------------------------------------------------------------------
    @invariant()
    def engine_consistent(self):
        check_engine(self.e)

    @invariant()
    def groups_consistent(self):
        check_groups(self.e)

    @invariant()
    def brackets_never_flip_the_position(self):
        orders = self.e.orders
        done = self.filled_before
        for gid, entry, exits in self.brackets:
            filled = orders[entry].cum_qty + done.get(entry, 0)
            out = sum(orders[x].cum_qty + done.get(x, 0) for x in exits)
            assert out <= filled, (
                f"bracket {gid} of entry {entry}: exits {exits} filled {out} > entry filled {filled}: "
                f"{[orders[x] for x in (entry, *exits)]}"
            )


CascadeMachine.TestCase.settings = settings(
    max_examples=400 * LONG,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_group_cascades = CascadeMachine.TestCase


# -- the seed scenario (spec section 3) ------------------------------------------------------------
def test_seed_linked_groups_on_execute_or_cancel(make_engine):
    # Arrange: five resting bids of A; groupA = {1, 2, 3}, groupB = {3, 4, 5}
    e = make_engine(
        builders.account("A", "alice"),
        builders.account("B", "bob", positions={SYM: (100, "100", IBM)}),
    )
    prices = ("100.00", "99.00", "98.00", "97.00", "96.00")
    ids = []
    for p in prices:
        ev = e.handle(C.SubmitOrder("A", SYM, Side.BUY, OrdType.LIMIT, 10,
                                    price=builders.px(IBM, p), tif=TimeInForce.GTC))  # fmt: skip
        ids.append(ev[0].order_id)
    o1, o2, o3, o4, o5 = ids
    kind = GroupKind.ON_EXECUTE_OR_CANCEL
    ga = e.handle(CreateGroup(kind, tuple(MemberSpec(order_id=i) for i in (o1, o2, o3))))
    gb = e.handle(CreateGroup(kind, tuple(MemberSpec(order_id=i) for i in (o3, o4, o5))))
    group_a, group_b = ga[0].group_id, gb[0].group_id
    # Act: B sells 10 @ 100.00 into order1
    events = e.handle(C.SubmitOrder("B", SYM, Side.SELL, OrdType.LIMIT, 10,
                                    price=builders.px(IBM, "100.00")))  # fmt: skip
    # Assert: 1 Filled; 2 and 3 canceled by groupA; 4 and 5 canceled by groupB
    status = {i: e.orders[i].status for i in ids}
    assert status == {
        o1: OrdStatus.FILLED,
        o2: OrdStatus.CANCELED,
        o3: OrdStatus.CANCELED,
        o4: OrdStatus.CANCELED,
        o5: OrdStatus.CANCELED,
    }
    assert e.groups.get(group_a).status is GroupStatus.FILLED
    assert e.groups.get(group_b).status is GroupStatus.CANCELED
    cancels = [(ev.order_id, ev.cause.group_id) for ev in events
               if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.CANCELED]  # fmt: skip
    assert cancels == [(o2, group_a), (o3, group_a), (o4, group_b), (o5, group_b)]
    # explain(order4): canceled by groupB because order3 was canceled by groupA because order1
    # filled 10 @ 100.00 on B's sell
    chain = e.explain(o4)
    assert [step["order_id"] for step in chain] == [o4, o3, o1]
    assert chain[0]["exec_type"] == "Canceled"
    assert chain[0]["cause"]["group_id"] == group_b
    assert chain[0]["cause"]["rule"] == "OnExecuteOrCancel"
    assert chain[1]["exec_type"] == "Canceled" and chain[1]["cause"]["group_id"] == group_a
    root = chain[2]
    assert root["exec_type"] == "Trade" and root["ord_status"] == "Filled"
    assert (root["last_qty"], root["last_px"]) == (10, builders.px(IBM, "100.00"))
    assert root["cause"]["kind"] == "command"  # B's SubmitOrder started it
    check_groups(e)
    check_engine(e)


def test_bracket_exit_filling_on_release_reduces_its_sibling(make_engine):
    """Found by this machine: an exit that filled while the bracket's own release activated it
    did not reduce its sibling (Group.evaluate ignored events caused by the group's own rules;
    before that, the later release of the stop undid the reduction), so the exits sold more
    than the entry bought."""
    # Arrange: a long-standing position of 1,000; the feed bids 100.00 for 4 only
    e = make_engine(builders.account("A", positions={SYM: (1000, "100.00", IBM)}))
    e.on_quote(QuoteTick(SYM, 1, 10_000, 10_001, 4, 100))
    gtc = dict(tif=TimeInForce.GTC)
    entry = C.SubmitOrder("A", SYM, Side.BUY, OrdType.MARKET, 10, **gtc)
    tp = C.SubmitOrder("A", SYM, Side.SELL, OrdType.LIMIT, 10, price=10_000, **gtc)
    sl = C.SubmitOrder("A", SYM, Side.SELL, OrdType.STOP_MARKET, 10, stop_price=9_990, **gtc)
    # Act: the entry fills at once; the take-profit, released, sells 4 into the bid
    e.handle(CreateGroup(GroupKind.BRACKET, (MemberSpec(entry, role="entry"),
                                             MemberSpec(tp, role="take_profit"),
                                             MemberSpec(sl, role="stop_loss"))))  # fmt: skip
    assert (e.orders[1].cum_qty, e.orders[2].cum_qty) == (10, 4)
    # Assert: the stop-loss now covers the 6 lots still open, not 10
    assert e.orders[3].qty == 6
    # and when the market falls through the stop, the exits sell 10 in all, not 14
    e.on_trade(TradeTick(SYM, 2, 9_985, 50))
    e.on_quote(QuoteTick(SYM, 3, 9_980, 9_985))
    assert e.orders[2].cum_qty + e.orders[3].cum_qty <= 10


def test_reducing_a_bracket_entry_resizes_its_exits(make_engine):
    """Found by this machine: after the user reduced a bracket's entry (10 -> 5), its full fill
    released the exits at their creation size (10): the release was sized
    ``base_qty * cum // qty`` with the amended ``qty``, so the take-profit sold 10."""
    # Arrange: a bracket buying 10 @ 100.00, take-profit 101.00, stop-loss 99.00
    e = make_engine(builders.account("A", positions={SYM: (1000, "100.00", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    e.handle(CreateGroup(GroupKind.BRACKET, (
        MemberSpec(C.SubmitOrder("A", SYM, Side.BUY, OrdType.LIMIT, 10, price=10_000, **gtc),
                   role="entry"),
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.LIMIT, 10, price=10_100, **gtc),
                   role="take_profit"),
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.STOP_MARKET, 10, stop_price=9_900,
                                 **gtc), role="stop_loss"),
    )))  # fmt: skip
    # Act: the user halves the entry, which then fills; later the take-profit price trades
    e.handle(C.ModifyOrder(1, qty=5))
    e.on_trade(TradeTick(SYM, 1, 10_000, 5))
    e.on_trade(TradeTick(SYM, 2, 10_100, 50))
    # Assert: the exits closed what the entry bought, no more
    assert e.orders[1].cum_qty == 5
    assert e.orders[2].cum_qty + e.orders[3].cum_qty <= 5


def test_stop_loss_partial_fill_shrinks_two_take_profit_tranches(make_engine):
    """Found by this machine: a stop-loss fill of 1 on a 2-lot bracket with two 1-lot
    take-profit tranches reduced each tranche by 1 * 1 // 2 = 0 (rounded down per target), so
    the tranches later sold 2 more: 3 lots out of a 2-lot entry."""
    # Arrange: buy 2 @ 100.00; take-profits 1 @ 101.00 and 1 @ 102.00; stop-loss 2 @ 99.00
    e = make_engine(builders.account("A", positions={SYM: (1000, "100.00", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    sell = dict(account="A", symbol=SYM, side=Side.SELL, ord_type=OrdType.LIMIT, qty=1, **gtc)
    e.handle(CreateGroup(GroupKind.BRACKET, (
        MemberSpec(C.SubmitOrder(**{**sell, "side": Side.BUY, "qty": 2, "price": 10_000}),
                   role="entry"),
        MemberSpec(C.SubmitOrder(**sell, price=10_100), role="take_profit"),
        MemberSpec(C.SubmitOrder(**sell, price=10_200), role="take_profit"),
        MemberSpec(C.SubmitOrder(**{**sell, "ord_type": OrdType.STOP_MARKET, "qty": 2},
                                 stop_price=9_900), role="stop_loss"),
    )))  # fmt: skip
    e.on_trade(TradeTick(SYM, 1, 10_000, 2))  # the entry fills, the exits are released
    # Act: the stop elects on a print of 1 lot and sells 1; then the price rallies
    e.on_trade(TradeTick(SYM, 2, 9_890, 1))
    e.on_trade(TradeTick(SYM, 3, 10_200, 5))
    # Assert: 2 lots bought, at most 2 sold by the exits
    assert e.orders[1].cum_qty == 2
    assert sum(e.orders[i].cum_qty for i in (2, 3, 4)) <= 2


def test_partial_release_keeps_a_held_exits_reduction(make_engine):
    """Found by this machine: a Held exit reduced by its sibling's fill (10 -> 6) was then
    released with the entry's filled quantity (6) as its size instead of what was left to close
    (2), so the exits sold 10 on a 6-lot entry."""
    # Arrange: a bracket buying 10 @ 100.00 (take-profit 100.40, stop-loss 99.00); 6 fill
    e = make_engine(builders.account("A", positions={SYM: (1000, "100.00", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    e.handle(CreateGroup(GroupKind.BRACKET, (
        MemberSpec(C.SubmitOrder("A", SYM, Side.BUY, OrdType.LIMIT, 10, price=10_000, **gtc),
                   role="entry"),
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.LIMIT, 10, price=10_040, **gtc),
                   role="take_profit"),
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.STOP_MARKET, 10, stop_price=9_900,
                                 **gtc), role="stop_loss"),
    )))  # fmt: skip
    e.on_trade(TradeTick(SYM, 1, 10_000, 6))
    e.on_quote(QuoteTick(SYM, 2, 10_050, 10_060, 4, 100))  # the market rallies; 4 bid at 100.50
    # Act: the user cancels the rest of the entry: the exits are released sized 6; the
    # take-profit sells 4 into the bid at once
    e.handle(C.CancelOrder(1))
    assert (e.orders[1].cum_qty, e.orders[2].cum_qty) == (6, 4)
    # Assert: the stop-loss protects the 2 lots still open
    assert e.orders[3].qty - e.orders[3].cum_qty == 2
    # and when the market falls through the stop, the exits have sold 6 in all, not 10
    e.on_trade(TradeTick(SYM, 3, 9_890, 50))
    e.on_quote(QuoteTick(SYM, 4, 9_880, 9_890))
    assert sum(e.orders[i].cum_qty for i in (2, 3)) <= 6


def test_deleting_a_group_whose_sells_share_a_hold_is_refused(make_engine):
    """Found by this machine: an OCO take-profit and stop on a 10-lot long hold 10 together;
    deleting the group used to leave two independent Sells of 10 on 10 lots."""
    # Arrange: long 10; an OCO of two new Sells of 10 (take-profit 101.00, stop 99.00)
    e = make_engine(builders.account("A", positions={SYM: (10, "100.00", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    created = e.handle(CreateGroup(GroupKind.OCO, (
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.LIMIT, 10, price=10_100, **gtc)),
        MemberSpec(C.SubmitOrder("A", SYM, Side.SELL, OrdType.STOP_MARKET, 10, stop_price=9_900,
                                 **gtc)),
    )))  # fmt: skip
    gid = created[0].group_id
    # Act: the user deletes the group
    refused = e.handle(DeleteGroup(gid))
    # Assert: refused, nothing changed; once the stop is canceled the delete goes through
    assert [type(ev) for ev in refused] == [CommandRejected]
    assert refused[0].reason is RejectReason.POSITION_HELD
    assert e.groups.get(gid).status is GroupStatus.ACTIVE
    assert e.accounts["A"].positions[SYM].held_long == 10
    e.handle(C.CancelOrder(order_id=2, account="A"))
    assert [ev.change for ev in e.handle(DeleteGroup(gid))] == ["deleted"]
    e.on_trade(TradeTick(SYM, 1, 10_100, 10))
    assert e.accounts["A"].positions[SYM].qty == 0


def test_canceling_the_sell_that_holds_for_both_moves_the_hold_to_its_sibling(make_engine):
    """The OCO's first Sell holds the position for both; when the user cancels it, the other
    takes the hold over, so a third Sell cannot count on the same lots."""
    e = make_engine(builders.account("A", positions={SYM: (10, "100.00", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    sell = dict(account="A", symbol=SYM, side=Side.SELL, qty=10, **gtc)
    e.handle(CreateGroup(GroupKind.OCO, (
        MemberSpec(C.SubmitOrder(**sell, ord_type=OrdType.LIMIT, price=10_100)),
        MemberSpec(C.SubmitOrder(**sell, ord_type=OrdType.STOP_MARKET, stop_price=9_900)),
    )))  # fmt: skip
    assert (e.orders[1].hold_pos, e.orders[2].hold_pos) == (10, 0)
    e.handle(C.CancelOrder(order_id=1, account="A"))
    assert e.orders[2].hold_pos == 10
    third = e.handle(C.SubmitOrder(**sell, ord_type=OrdType.LIMIT, price=10_200))
    assert third[0].reason is RejectReason.NO_LONG_POSITION


@pytest.mark.parametrize("kind", [GroupKind.OTO, GroupKind.ORDER_ID_OCO, GroupKind.BRACKET])
def test_non_exclusive_sells_do_not_share_a_position_hold(make_engine, kind):
    """Found by this machine: Sells of any group with a cancel or reduce rule used to share one
    position hold, but OTO children, OrderIdOCO members (one-way) and a bracket's take-profit
    tranches without a stop can all execute: each must hold its own lots."""
    # Arrange: two Sells of 5 in a group: OTO children of a 1-lot buy and an OrderIdOCO pair
    # (long 5 before), or a bracket's two take-profit tranches of a 10-lot buy (flat before)
    bracket = kind is GroupKind.BRACKET
    e = make_engine(builders.account("A", positions={} if bracket else {SYM: (5, "100", IBM)}))
    gtc = dict(tif=TimeInForce.GTC)
    sell = dict(account="A", symbol=SYM, side=Side.SELL, ord_type=OrdType.LIMIT, qty=5, **gtc)
    buy = dict(sell, side=Side.BUY, price=10_000)
    sells = (
        MemberSpec(C.SubmitOrder(**sell, price=10_200), role="take_profit"),
        MemberSpec(C.SubmitOrder(**sell, price=10_100), role="take_profit"),
    )
    if bracket:
        members = (MemberSpec(C.SubmitOrder(**{**buy, "qty": 10}), role="entry"), *sells)
    elif kind is GroupKind.OTO:
        members = (MemberSpec(C.SubmitOrder(**{**buy, "qty": 1})), *sells)
    else:
        members = sells
    e.handle(CreateGroup(kind, members))
    # Act: the buy (if any) fills; a bracket's owner offers 5 more (accepted today: one
    # tranche holds nothing); then the price trades through every Sell
    e.on_trade(TradeTick(SYM, 1, 10_000, 10))
    if bracket:
        e.handle(C.SubmitOrder(**sell, price=10_300))
    e.on_trade(TradeTick(SYM, 2, 10_300, 50))
    # Assert: Sells never sell more than the long position
    assert e.accounts["A"].positions[SYM].qty >= 0
