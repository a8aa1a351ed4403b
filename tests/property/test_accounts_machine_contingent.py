"""Accounts under contingent orders: the reconciliation of ``test_accounts_machine`` holds too
when stops, trailing stops, icebergs, Held orders, GTD expiry and order groups (OCO, OUO,
brackets, groups over existing orders, deleted groups) move the holds.

Same invariants as ``AccountsMachine`` (positions and cash follow the fills; average-cost P&L
reconciles; held cash and lots equal the sum of the live orders' holds; ended orders hold
nothing; a refused command changes nothing), plus the engine's own ``check_invariants``: a
Sell never holds more long lots than the account has (so it never opens a short).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from test_accounts_machine import ACCOUNTS, INSTS, LONG, MAX_QTY, MID, AccountsMachine

from condor.domain.groups import commands as G
from condor.domain.groups.templates import GroupKind
from condor.domain.market import TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce, TrailKind

STOPS = [
    OrdType.STOP_MARKET,
    OrdType.STOP_LIMIT,
    OrdType.TRAILING_STOP_MARKET,
    OrdType.TRAILING_STOP_LIMIT,
]
EXCLUSIVE = [GroupKind.OCO, GroupKind.OUO, GroupKind.OCO_FINAL, GroupKind.ON_EXECUTE_OR_CANCEL]


def _qty(symbol: str, frac: float) -> int:
    return max(1, int(MAX_QTY[symbol] * frac))


class ContingentAccountsMachine(AccountsMachine):
    def _stop_cmd(self, account, symbol, side, kind, off, qty, tif, life, activate=True):
        mid = MID[symbol]
        # a buy stop above the market, a sell stop below it (off may put it through)
        stop = mid + off if side.is_buy else mid - off
        price = stop + (2 if side.is_buy else -2) if kind is OrdType.STOP_LIMIT else None
        trail = None
        if kind.is_trailing:
            stop = None
            trail = C.TrailSpec(TrailKind.TICKS, max(1, abs(off)), None,
                                2 if kind is OrdType.TRAILING_STOP_LIMIT else None)  # fmt: skip
        expire = self.ts + life * 1_000 if tif is TimeInForce.GTD else None
        return C.SubmitOrder(
            account, symbol, side, kind, qty, price=price, stop_price=stop, tif=tif,
            expire_ns=expire, trail=trail, activate=activate,
        )  # fmt: skip

    @rule(
        account=st.sampled_from(ACCOUNTS),
        symbol=st.sampled_from(list(INSTS)),
        side=st.sampled_from(list(Side)),
        kind=st.sampled_from(STOPS),
        off=st.integers(-2, 6),
        frac=st.floats(0.01, 1.0),
        tif=st.sampled_from([TimeInForce.GTC, TimeInForce.GTD]),
        life=st.integers(1, 6),
        activate=st.booleans(),
    )
    def submit_stop(self, account, symbol, side, kind, off, frac, tif, life, activate):
        cmd = self._stop_cmd(
            account,
            symbol,
            side,
            kind,
            off,
            _qty(symbol, frac),
            tif,
            life,
            activate or kind is OrdType.STOP_MARKET,
        )
        self._run(self.e.handle, cmd)

    @rule(
        account=st.sampled_from(ACCOUNTS),
        symbol=st.sampled_from(list(INSTS)),
        side=st.sampled_from(list(Side)),
        off=st.integers(-3, 3),
        frac=st.floats(0.01, 1.0),
        show=st.floats(0.01, 1.0),
        tif=st.sampled_from([TimeInForce.GTC, TimeInForce.GTD]),
        life=st.integers(1, 6),
    )
    def submit_iceberg(self, account, symbol, side, off, frac, show, tif, life):
        qty = _qty(symbol, frac)
        cmd = C.SubmitOrder(
            account, symbol, side, OrdType.LIMIT, qty, price=MID[symbol] + off, tif=tif,
            expire_ns=self.ts + life * 1_000 if tif is TimeInForce.GTD else None,
            display_qty=max(1, int(qty * show)),
        )  # fmt: skip
        self._run(self.e.handle, cmd)

    @precondition(lambda self: any(o.status is OrdStatus.HELD for o in self.e.live.values()))
    @rule(data=st.data())
    def activate(self, data):
        held = [oid for oid in self._live() if self.e.orders[oid].status is OrdStatus.HELD]
        self._run(self.e.handle, C.ActivateOrder(data.draw(st.sampled_from(held))))

    @precondition(lambda self: any(o.ord_type.is_stop for o in self.e.live.values()))
    @rule(data=st.data(), off=st.integers(-4, 6))
    def modify_stop(self, data, off):
        stops = [oid for oid in self._live() if self.e.orders[oid].ord_type.is_stop]
        o = self.e.orders[data.draw(st.sampled_from(stops))]
        if o.trail is not None:
            cmd = C.ModifyOrder(o.order_id, trail_offset=max(1, abs(off)))
        else:
            mid = MID[o.symbol]
            cmd = C.ModifyOrder(o.order_id, stop_price=mid + off if o.side.is_buy else mid - off)
        self._run(self.e.handle, cmd)

    @rule(
        account=st.sampled_from(ACCOUNTS),
        symbol=st.sampled_from(list(INSTS)),
        kind=st.sampled_from(EXCLUSIVE),
        closing=st.sampled_from([Side.SELL, Side.BUY_TO_COVER]),
        fracs=st.tuples(st.floats(0.01, 1.0), st.floats(0.01, 1.0)),
        off=st.integers(0, 4),
        stop_kind=st.sampled_from([OrdType.STOP_MARKET, OrdType.TRAILING_STOP_MARKET]),
    )
    def exits(self, account, symbol, kind, closing, fracs, off, stop_kind):
        """Take-profit and stop-loss on one position, as one exclusive group."""
        mid = MID[symbol]
        tp = mid + off if closing is Side.SELL else mid - off
        q1, q2 = (_qty(symbol, f) for f in fracs)
        if kind in (GroupKind.OCO_FINAL,):
            q2 = q1
        take = C.SubmitOrder(account, symbol, closing, OrdType.LIMIT, q1, price=tp,
                             tif=TimeInForce.GTC)  # fmt: skip
        stop = self._stop_cmd(account, symbol, closing, stop_kind, off + 1, q2,
                              TimeInForce.GTC, 1)  # fmt: skip
        cmd = G.CreateGroup(kind, (G.MemberSpec(take, role="take_profit"),
                                   G.MemberSpec(stop, role="stop_loss")))  # fmt: skip
        self._run(self.e.handle, cmd)

    @rule(
        account=st.sampled_from(ACCOUNTS),
        symbol=st.sampled_from(list(INSTS)),
        long=st.booleans(),
        frac=st.floats(0.01, 1.0),
        off=st.integers(-2, 4),
        market=st.booleans(),
    )
    def bracket(self, account, symbol, long, frac, off, market):
        mid = MID[symbol]
        qty = _qty(symbol, frac)
        entry_side, exit_side = (
            (Side.BUY, Side.SELL) if long else (Side.SELL_SHORT, Side.BUY_TO_COVER)
        )
        sign = 1 if long else -1
        entry = C.SubmitOrder(
            account, symbol, entry_side, OrdType.MARKET if market else OrdType.LIMIT, qty,
            price=None if market else mid + sign * off, tif=TimeInForce.GTC,
        )  # fmt: skip
        tp = C.SubmitOrder(account, symbol, exit_side, OrdType.LIMIT, qty,
                           price=mid + sign * (off + 3), tif=TimeInForce.GTC)  # fmt: skip
        sl = C.SubmitOrder(account, symbol, exit_side, OrdType.STOP_MARKET, qty,
                           stop_price=mid - sign * (off + 3), tif=TimeInForce.GTC)  # fmt: skip
        cmd = G.CreateGroup(GroupKind.BRACKET, (
            G.MemberSpec(entry, role="entry"), G.MemberSpec(tp, role="take_profit"),
            G.MemberSpec(sl, role="stop_loss"),
        ))  # fmt: skip
        self._run(self.e.handle, cmd)

    @precondition(lambda self: len(self.e.live) >= 2)
    @rule(data=st.data(), kind=st.sampled_from([*EXCLUSIVE[:2], GroupKind.IGNORE_CANCEL]))
    def group_existing(self, data, kind):
        """A group over orders that already exist (Alor): their holds do not change."""
        ids = data.draw(
            st.lists(st.sampled_from(self._live()), min_size=2, max_size=3, unique=True)
        )
        cmd = G.CreateGroup(kind, tuple(G.MemberSpec(order_id=i) for i in ids))
        self._run(self.e.handle, cmd)

    @precondition(lambda self: any(True for _ in self._active_groups()))
    @rule(data=st.data())
    def delete_group(self, data):
        gid = data.draw(st.sampled_from(sorted(self._active_groups())))
        self._run(self.e.handle, G.DeleteGroup(gid))

    def _active_groups(self):
        return [g.group_id for g in self.e.groups if g.status.value == "Active"]

    @precondition(lambda self: self.e.live)
    @rule(account=st.sampled_from(ACCOUNTS))
    def cancel_all(self, account):
        self._run(self.e.handle, C.CancelAllOrders(account))

    @rule(steps=st.integers(1, 4))
    def advance(self, steps):
        """Time passes: GTD orders expire."""
        self.ts += steps * 1_000
        self._run(self.e.handle, C.AdvanceClock(self.ts))

    @rule(symbol=st.sampled_from(list(INSTS)), off=st.integers(-8, 8), size=st.integers(1, 300))
    def trade_far(self, symbol, off, size):
        """Prints further out: stops elect, trailing stops move."""
        px = MID[symbol] + 2 * off
        self._run(self.e.on_trade, TradeTick(symbol, self._tick(), px, size))

    # -- invariants beyond the base machine's ------------------------------------------------
    @invariant()
    def cash_accounts_never_overdrawn(self):
        for a in self.e.accounts.values():
            if a.leverage == 1:
                assert a.available_cash("USD") >= 0, (a.account_id, a.cash, a.held_cash)

    @invariant()
    def priced_orders_hold_what_their_limit_costs(self):
        """A working order with a limit holds its cost exactly: a buy its leaves, a short sale
        the lots it sells short; a BuyToCover, together with its exclusive siblings, what the
        dearest of them costs (they share one hold)."""
        e = self.e
        for o in e.live.values():
            if o.status is OrdStatus.HELD or o.price is None:
                continue
            need = o.inst.notional(o.price, o.qty - o.cum_qty)
            if o.side is Side.BUY:
                assert o.hold_cash == need, (o, o.hold_cash, need)
            elif o.side is Side.SELL_SHORT:
                assert o.hold_cash == o.inst.notional(o.price, o.hold_net), (o, o.hold_cash)
            elif o.side is Side.BUY_TO_COVER:
                together = o.hold_cash + sum(s.hold_cash for _, s in e._exclusive_siblings(o))
                assert together >= need, (o, o.hold_cash, need)
            else:
                assert o.hold_pos <= o.qty - o.cum_qty


ContingentAccountsMachine.TestCase.settings = settings(
    max_examples=200 * LONG,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_contingent_accounts_machine = ContingentAccountsMachine.TestCase
