"""Accounts under random fills: cash, positions, P&L and holds always reconcile with the events.

Property (account.py module invariants): for every account, after every command or market event
- position qty == initial qty + signed sum of the account's fill quantities in the events;
- cash == initial cash - sum(sign * last_px * last_qty * cash_per_tick_lot) over those fills;
- per instrument, average-cost accounting closes: cost - initial cost + cash flow == realized,
  so at any mark M: cash + sum(qty * M * cpt) == initial cash + initial costs + realized
  + sum(qty * M * cpt - cost) (``Position.cost`` is the signed cost of the open quantity);
- realized P&L agrees with an exact (Fraction) average-cost model to within the cash units the
  engine's rounding may move between ``cost`` and ``realized``, and exactly when flat;
- holds are never negative: held cash equals the sum of the live orders' ``hold_cash``, held
  long (short) lots the sum of the live sell (buy) orders' ``hold_pos``; ended orders hold
  nothing;
- a refused command (insufficient funds, no position to sell or cover...) changes nothing.

Fills come from client orders crossing each other, from the feed's quotes and prints, and from
block trades, on two instruments with different cash per tick and lot.
"""

from __future__ import annotations

import os
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from condor.domain.accounts.account import Position
from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected, ExecutionReport

import builders

# CONDOR_LONG=1 runs ten times as many examples (the quick run keeps the suite near a minute)
LONG = 10 if os.environ.get("CONDOR_LONG") else 1

IBM = builders.IBM
ES = Instrument(
    "ES", AssetClass.FUTURE, "CME", Decimal("0.25"), multiplier=Decimal(50), calendar="cme"
)
INSTS = {IBM.symbol: IBM, ES.symbol: ES}
MID = {IBM.symbol: 10_000, ES.symbol: 16_000}  # 100.00 and 4000.00
MAX_QTY = {IBM.symbol: 300, ES.symbol: 3}
INITIAL = {
    # account: (usd, {symbol: (lots, avg price)})
    "A": (100_000, {"IBM": (300, "100.00")}),
    "B": (60_000, {"IBM": (-200, "100.00"), "ES": (1, "4000.00")}),
    "C": (500_000, {"ES": (-2, "4000.00")}),
}
ACCOUNTS = tuple(INITIAL)


def make_accounts():
    """Accounts with open positions (a short's cost negative: the proceeds received)."""
    out = []
    for a, (usd, pos) in INITIAL.items():
        acct = builders.account(a, a.lower(), usd=usd)
        for s, (lots, px) in pos.items():
            inst = INSTS[s]
            cost = inst.notional(inst.price_to_ticks(Decimal(px)), lots)  # signed like lots
            acct.positions[s] = Position(s, lots, cost)
        out.append(acct)
    return out


def holds(o) -> tuple[int, int, int]:
    """An order's holds: cash, position lots, and lots beyond the position (when tracked)."""
    return (o.hold_cash, o.hold_pos, getattr(o, "hold_net", 0))


def position_state(p) -> tuple[int, ...]:
    return (
        p.qty, p.cost, p.realized, p.held_long, p.held_short,
        getattr(p, "shorting", 0), getattr(p, "buying", 0),
    )  # fmt: skip


class ExactBook:
    """Average-cost position kept with Fractions: what realized P&L is without rounding."""

    def __init__(self, qty: int, cost: int):
        self.qty = qty
        self.cost = Fraction(cost)
        self.realized = Fraction(0)
        self.closes_since_flat = 0

    def fill(self, signed: int, notional: int) -> None:
        q = self.qty
        if q == 0 or (q > 0) == (signed > 0):
            self.qty += signed
            self.cost += notional if signed > 0 else -notional
            return
        closing = min(abs(signed), abs(q))
        avg = self.cost / q  # signed cost per signed lot
        fill_px = Fraction(notional, abs(signed))
        # long: sell at fill_px what cost avg; short: buy back at fill_px what brought avg
        self.realized += (fill_px - avg) * closing * (1 if q > 0 else -1)
        self.cost -= avg * (closing if q > 0 else -closing)
        self.qty += signed
        self.closes_since_flat += 1
        rest = abs(signed) - closing
        if rest:
            self.cost = fill_px * rest * (1 if signed > 0 else -1)
        if self.qty == 0:
            self.cost = Fraction(0)
            self.closes_since_flat = 0


sides = st.sampled_from(list(Side))


class AccountsMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.e = builders.engine(*make_accounts(), instruments=(IBM, ES))
        self.ts = 0
        self.init = {}
        self.flow = {}  # (account, symbol) -> cash units received (sells +, buys -)
        self.exact = {}
        for aid, a in self.e.accounts.items():
            self.init[aid] = (
                dict(a.cash),
                {s: (p.qty, p.cost) for s, p in a.positions.items()},
            )
            for s in INSTS:
                p = a.positions.get(s)
                qty, cost = (p.qty, p.cost) if p else (0, 0)
                self.flow[(aid, s)] = 0
                self.exact[(aid, s)] = ExactBook(qty, cost)
        self.fills: dict[tuple[str, str], int] = {k: 0 for k in self.flow}

    def _tick(self) -> int:
        self.ts += 1_000
        return self.ts

    def _snapshot(self):
        e = self.e
        return (
            {
                aid: (
                    {k: v for k, v in a.cash.items() if v},
                    {k: v for k, v in a.held_cash.items() if v},
                    {s: position_state(p) for s, p in a.positions.items() if any(position_state(p))},
                )
                for aid, a in e.accounts.items()
            },
            {oid: (o.status, o.qty, o.cum_qty, *holds(o)) for oid, o in e.orders.items()},
            sorted(e.live),
        )  # fmt: skip

    def _run(self, fn, *args):
        before = self._snapshot()
        events = fn(*args)
        rejected = [ev for ev in events if isinstance(ev, CommandRejected)]
        if rejected:
            assert len(events) == 1, events
            assert self._snapshot() == before, "a refused command changed the accounts"
        for ev in events:
            if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.TRADE:
                inst = INSTS[ev.symbol]
                notional = ev.last_px * ev.last_qty * inst.cash_per_tick_lot
                sign = ev.side.sign
                key = (ev.account, ev.symbol)
                self.flow[key] -= sign * notional
                self.fills[key] += sign * ev.last_qty
                self.exact[key].fill(sign * ev.last_qty, notional)
        return events

    def _live(self):
        return sorted(self.e.live)

    # -- rules --------------------------------------------------------------------------------
    @rule(
        account=st.sampled_from(ACCOUNTS),
        symbol=st.sampled_from(list(INSTS)),
        side=sides,
        market=st.booleans(),
        tif=st.sampled_from([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC]),
        off=st.integers(-3, 3),
        frac=st.floats(0.01, 1.0),
    )
    def submit(self, account, symbol, side, market, tif, off, frac):
        qty = max(1, int(MAX_QTY[symbol] * frac))
        price = None if market else MID[symbol] + off
        cmd = C.SubmitOrder(
            account, symbol, side, OrdType.MARKET if market else OrdType.LIMIT, qty,
            price=price, tif=tif,
        )  # fmt: skip
        self._run(self.e.handle, cmd)

    @precondition(lambda self: self.e.live)
    @rule(data=st.data())
    def cancel(self, data):
        oid = data.draw(st.sampled_from(self._live()))
        self._run(self.e.handle, C.CancelOrder(oid))

    @precondition(lambda self: self.e.live)
    @rule(data=st.data(), grow=st.integers(-50, 200), off=st.one_of(st.none(), st.integers(-8, 8)))
    def modify(self, data, grow, off):
        oid = data.draw(st.sampled_from(self._live()))
        o = self.e.orders[oid]
        qty = max(o.cum_qty + 1, o.qty + grow * MAX_QTY[o.symbol] // 300)
        price = None if off is None or o.price is None else MID[o.symbol] + off
        self._run(self.e.handle, C.ModifyOrder(oid, qty=qty, price=price))

    @precondition(lambda self: any(o.price is not None for o in self.e.live.values()))
    @rule(data=st.data(), frac=st.floats(0.01, 1.0), off=st.integers(-8, 8))
    def replace(self, data, frac, off):
        limits = [oid for oid in self._live() if self.e.orders[oid].price is not None]
        oid = data.draw(st.sampled_from(limits))
        sym = self.e.orders[oid].symbol
        qty = max(1, int(MAX_QTY[sym] * frac))
        self._run(self.e.handle, C.ReplaceOrder(oid, qty=qty, price=MID[sym] + off))

    @rule(
        # distinct accounts first; the same one now and then (refused: no self trade)
        pair=st.sampled_from([(b, s) for b in ACCOUNTS for s in ACCOUNTS if b != s] + [("A", "A")]),
        symbol=st.sampled_from(list(INSTS)),
        off=st.integers(-20, 20),
        frac=st.floats(0.01, 1.0),
    )
    def block_trade(self, pair, symbol, off, frac):
        buyer, seller = pair
        qty = max(1, int(MAX_QTY[symbol] * frac))
        cmd = C.SubmitBlockTrade(buyer, seller, symbol, qty, MID[symbol] + off)
        self._run(self.e.handle, cmd)

    @rule(
        symbol=st.sampled_from(list(INSTS)),
        off=st.integers(-8, 8),
        spread=st.integers(1, 3),
        bs=st.one_of(st.none(), st.integers(1, 300)),
        asz=st.one_of(st.none(), st.integers(1, 300)),
    )
    def quote(self, symbol, off, spread, bs, asz):
        bid = MID[symbol] + off
        q = QuoteTick(symbol, self._tick(), bid, bid + spread, bs, asz)
        self._run(self.e.on_quote, q)

    @rule(symbol=st.sampled_from(list(INSTS)))
    def clear_quote(self, symbol):
        self._run(self.e.on_quote, QuoteTick(symbol, self._tick(), None, None))

    @rule(symbol=st.sampled_from(list(INSTS)), off=st.integers(-8, 8), size=st.integers(1, 300))
    def trade(self, symbol, off, size):
        self._run(self.e.on_trade, TradeTick(symbol, self._tick(), MID[symbol] + off, size))

    # -- invariants ---------------------------------------------------------------------------
    @invariant()
    def engine_consistent(self):
        self.e.check_invariants()  # includes: holds never exceed the position they reserve

    @invariant()
    def positions_and_cash_follow_the_fills(self):
        for aid, a in self.e.accounts.items():
            cash0, pos0 = self.init[aid]
            flows = sum(self.flow[(aid, s)] for s in INSTS)
            assert a.cash["USD"] == cash0["USD"] + flows, f"{aid} cash"
            for s in INSTS:
                q0 = pos0.get(s, (0, 0))[0]
                p = a.positions.get(s)
                qty = p.qty if p else 0
                assert qty == q0 + self.fills[(aid, s)], f"{aid} {s} position"

    @invariant()
    def pnl_reconciles(self):
        e = self.e
        for aid, a in e.accounts.items():
            cash0, pos0 = self.init[aid]
            realized = 0
            cost0_total = 0
            open_pnl = 0
            mtm = 0
            for s, inst in INSTS.items():
                p = a.positions.get(s)
                qty, cost, real = (p.qty, p.cost, p.realized) if p else (0, 0, 0)
                cost0 = pos0.get(s, (0, 0))[1]
                # per instrument: cost moved + cash moved == realized
                assert cost - cost0 + self.flow[(aid, s)] == real, f"{aid} {s} accounting"
                # the cost of the open quantity has the sign of the position
                assert (qty > 0) == (cost > 0) and (qty < 0) == (cost < 0), (aid, s, qty, cost)
                ex = self.exact[(aid, s)]
                assert ex.qty == qty
                slack = ex.closes_since_flat
                assert abs(ex.realized - real) <= slack, f"{aid} {s}: {real} vs {ex.realized}"
                assert abs(ex.cost - cost) <= slack
                if qty == 0:
                    assert real == ex.realized and cost == 0
                ext = e.venues[s].ext
                mark = ext.last or ext.bid or MID[s]
                value = qty * mark * inst.cash_per_tick_lot
                mtm += value
                open_pnl += value - cost
                realized += real
                cost0_total += cost0
            equity = a.cash["USD"] + mtm
            assert equity == cash0["USD"] + cost0_total + realized + open_pnl, f"{aid} equity"

    @invariant()
    def holds_match_live_orders(self):
        e = self.e
        for oid, o in e.orders.items():
            assert min(holds(o)) >= 0, f"order {oid} negative hold {holds(o)}"
            if o.status.is_terminal:
                assert not any(holds(o)), f"ended order {oid} still holds {holds(o)}"
        for aid, a in e.accounts.items():
            live = [o for o in e.live.values() if o.account == aid]
            held = a.held_cash.get("USD", 0)
            assert held >= 0, f"{aid} negative held cash"
            assert held == sum(o.hold_cash for o in live), f"{aid} held cash"
            for s in INSTS:
                p = a.positions.get(s)
                state = position_state(p) if p else (0,) * 7
                _, _, _, hl, hs, shorting, buying = state
                assert min(hl, hs, shorting, buying) >= 0, f"{aid} {s} negative position hold"
                mine = [o for o in live if o.inst.symbol == s]
                # sells hold long lots they will sell, buys short lots they will buy back
                assert hl == sum(o.hold_pos for o in mine if not o.side.is_buy), f"{aid} long"
                assert hs == sum(o.hold_pos for o in mine if o.side.is_buy), f"{aid} short"
                # what short sales (buys) will sell (buy) beyond that, where the engine tracks it
                net = [getattr(o, "hold_net", 0) for o in mine]
                sells = [n for o, n in zip(mine, net, strict=True) if o.side is Side.SELL_SHORT]
                buys = [n for o, n in zip(mine, net, strict=True) if o.side is Side.BUY]
                assert shorting == sum(sells) and buying == sum(buys), f"{aid} {s} net holds"


AccountsMachine.TestCase.settings = settings(
    max_examples=400 * LONG,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_accounts_machine = AccountsMachine.TestCase


# -- regressions: bugs these machines found ---------------------------------------------------------
def test_refused_modify_of_market_order_keeps_its_holds():
    """Found by this machine: a market order accepted before any price was known holds no
    cash; when a modify of it was refused, ``_modify`` re-reserved the old quantity at the
    current reference price, so DomainError escaped from ``Engine.handle`` and the order was
    left working without holds."""
    # Arrange: $1,000 and a market buy of 50 sent into an empty market (no hold possible)
    e = builders.engine(builders.account("A", "alice", usd=1_000), builders.account("B"))
    e.handle(C.SubmitOrder("A", "IBM", Side.BUY, OrdType.MARKET, 50))
    e.on_trade(TradeTick("IBM", 1, 10_000, 1))  # 1 lot fills at 100.00: a price is known now
    o = e.orders[1]
    assert (o.cum_qty, o.hold_cash) == (1, 0)
    # Act: ask for more than the account can pay for
    events = e.handle(C.ModifyOrder(1, qty=60))
    # Assert: refused, nothing changed
    assert [type(ev) for ev in events] == [CommandRejected]
    assert (o.qty, o.hold_cash, e.accounts["A"].held_cash.get("USD", 0)) == (50, 0, 0)
    e.check_invariants()


def test_modify_after_the_position_moved_does_not_raise():
    """Found by this machine: once a fill elsewhere took away the short a BuyToCover was
    accepted against, any ModifyOrder of it (even a decrease) raised DomainError out of
    ``handle`` and left the order working with no hold. (The engine now also refuses the buy
    that would take the held short away.)"""
    # Arrange: B is short 200 and works a BuyToCover 100; B then tries to buy 300 in a block
    b = builders.account("B", "bob")
    b.positions["IBM"] = Position("IBM", -200, -IBM.notional(10_000, 200))
    e = builders.engine(builders.account("A", positions={"IBM": (300, "100.00", IBM)}), b)
    e.handle(C.SubmitOrder("B", "IBM", Side.BUY_TO_COVER, OrdType.LIMIT, 100, price=9_900))
    e.handle(C.SubmitBlockTrade("B", "A", "IBM", 300, 10_000))
    # Act: reduce the order
    events = e.handle(C.ModifyOrder(1, qty=50))
    # Assert: an answer (accepted or refused), and the holds still add up
    assert events
    e.check_invariants()
    p = e.accounts["B"].positions["IBM"]
    assert p.held_short == sum(o.hold_pos for o in e.live.values() if o.side.is_buy)


def test_short_sale_fill_leaves_a_sell_holding_a_position_gone():
    """Found by this machine: a SellShort accepted while the account was flat held cash, not
    long lots; once the account went long and a Sell reserved those lots, the short sale's fill
    sold them, so the Sell held lots of a flat position (the engine's own check: held_long >
    long) and, filled, opened a short with a Sell."""
    # Arrange: C is flat and rests a short sale of 10; C then buys 10 and offers them (Sell)
    e = builders.engine(
        builders.account("A", positions={"IBM": (100, "100.00", IBM)}),
        builders.account("B"),
        builders.account("C"),
    )
    gtc = dict(tif=TimeInForce.GTC)
    e.handle(C.SubmitOrder("C", "IBM", Side.SELL_SHORT, OrdType.LIMIT, 10, price=10_000, **gtc))
    e.handle(C.SubmitBlockTrade("C", "A", "IBM", 10, 10_000))
    e.handle(C.SubmitOrder("C", "IBM", Side.SELL, OrdType.LIMIT, 10, price=10_001, **gtc))
    # Act: B lifts the short sale, then the Sell
    e.handle(C.SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 10, price=10_000, **gtc))
    e.check_invariants()
    e.handle(C.SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 10, price=10_001, **gtc))
    # Assert: a Sell never opens a short
    assert e.accounts["C"].positions["IBM"].qty >= 0


def test_market_buy_sent_blind_cannot_overdraw_a_cash_account():
    """Found by this machine (risk gap): a market buy sent when no price was known took no
    cash hold and filled later with no check: a $100 cash account ended at -$4,900."""
    # Arrange: a cash account with $100, an empty market
    e = builders.engine(builders.account("A", "alice", usd=100), builders.account("B"))
    # Act: a market buy of 50 waits for liquidity, then the feed offers 100.00
    e.handle(C.SubmitOrder("A", "IBM", Side.BUY, OrdType.MARKET, 50))
    e.on_quote(QuoteTick("IBM", 1, 9_999, 10_000))
    # Assert: never more spent than the account had
    assert e.accounts["A"].cash["USD"] >= 0


def test_market_buy_sweeping_past_its_hold_cannot_overdraw():
    """Found by this machine (risk gap): a market buy held cash at the touch (1 lot offered at
    100.00) and swept the book up to 105.00 with no further check: $1,000 ended at -$45."""
    # Arrange: $1,000; the feed offers 1 @ 100.00, B offers 9 @ 105.00
    e = builders.engine(builders.account("A", "alice", usd=1_000), builders.account("B"))
    e.on_quote(QuoteTick("IBM", 1, 9_999, 10_000, 1, 1))
    e.handle(C.SubmitOrder("B", "IBM", Side.SELL_SHORT, OrdType.LIMIT, 9, price=10_500))
    # Act: buy 10 at market
    e.handle(C.SubmitOrder("A", "IBM", Side.BUY, OrdType.MARKET, 10))
    # Assert: never more spent than the account had
    assert e.accounts["A"].cash["USD"] >= 0
