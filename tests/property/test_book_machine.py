"""The client book under random traffic, checked against an independent reference model.

Property (book.py and matching.py module invariants, spec sections 1 and 4): after every
command or market-data event
- the engine's own invariants hold (book never crossed, FIFO within a level, indexes in sync);
- every order has CumQty <= OrderQty, a Filled order CumQty == OrderQty;
- no quantity is created or lost: a client-vs-client trade id has exactly one buy and one sell
  report of equal quantity and price (maker and taker), and the fills reported for an order add
  up to its CumQty;
- the fills, cancels and the book (price levels, queue order, visible quantity) are exactly
  what a small list-based model predicts: price-time priority with resting client orders ahead
  of the feed at an equal price, self-trade prevention (the aggressor skips its own account's
  orders; a limit left crossed against one of them is canceled), IOC/FOK, market
  orders that wait for liquidity, icebergs that go to the back of their level on every refill,
  amends that keep priority on a quantity decrease and lose it on a price change or increase,
  cancel/replace with a new id.

The model is deliberately naive (lists scanned on every step) so it shares no code or data
structure with the engine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from condor.domain.errors import RejectReason as R
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected, ExecutionReport

import builders

# CONDOR_LONG=1 runs ten times as many examples (the quick run keeps the suite near a minute)
LONG = 10 if os.environ.get("CONDOR_LONG") else 1

IBM = builders.IBM
SYM = IBM.symbol
ACCOUNTS = ("A", "B", "C")
MID = 10_000  # 100.00
PRICES = st.integers(MID - 6, MID + 6)


# -- the reference model ------------------------------------------------------------------------
class MOrder:
    __slots__ = ("account", "cum", "display", "is_buy", "live", "oid", "price", "prio", "qty",
                 "tif", "visible")  # fmt: skip

    def __init__(self, oid, account, is_buy, price, qty, tif, display):
        self.oid = oid
        self.account = account
        self.is_buy = is_buy
        self.price = price  # None: market
        self.qty = qty
        self.tif = tif
        self.display = display
        self.cum = 0
        self.visible = 0
        self.prio = 0  # > 0 while resting in the book
        self.live = True

    @property
    def leaves(self) -> int:
        return self.qty - self.cum


class BookModel:
    """Price-time book of client orders plus the feed's last quote and print."""

    def __init__(self):
        self.orders: dict[int, MOrder] = {}
        self.pending: list[MOrder] = []  # market orders waiting for liquidity, oldest first
        self.prio = 0
        self.bid = self.ask = self.bid_avail = self.ask_avail = None
        self.last = None
        self.last_avail = 0
        self.out: list[tuple] = []  # predicted (kind, order id, qty, px, liquidity)

    # queries
    def resting(self, is_buy: bool) -> list[MOrder]:
        rs = [o for o in self.orders.values() if o.prio and o.is_buy == is_buy]
        rs.sort(key=lambda o: (-o.price if is_buy else o.price, o.prio))
        return rs

    def best(self, is_buy: bool) -> int | None:
        rs = self.resting(is_buy)
        return rs[0].price if rs else None

    def front(self, is_buy: bool) -> MOrder:
        return self.resting(is_buy)[0]

    def levels(self, is_buy: bool) -> list[tuple[int, list[tuple[int, int]]]]:
        out: list = []
        for o in self.resting(is_buy):
            if not out or out[-1][0] != o.price:
                out.append((o.price, []))
            out[-1][1].append((o.oid, o.visible))
        return out

    # state changes
    def _rest(self, o: MOrder) -> None:
        self.prio += 1
        o.prio = self.prio

    def _fill(self, o: MOrder, q: int, px: int, liq: str) -> None:
        assert 0 < q <= o.leaves
        o.cum += q
        if o.cum == o.qty:
            o.live = False
        self.out.append(("fill", o.oid, q, px, liq))

    def _fill_passive(self, p: MOrder, q: int, liq: str) -> None:
        after = p.leaves - q
        if after == 0:
            p.prio = 0
        elif q >= p.visible:  # refill (iceberg) or fully shown part gone: back of the queue
            p.visible = after if p.display is None else min(p.display, after)
            self._rest(p)
        else:
            p.visible -= q
        self._fill(p, q, p.price, liq)

    def cancel(self, o: MOrder, why: str = "cancel") -> None:
        o.live = False
        o.prio = 0
        if o in self.pending:
            self.pending.remove(o)
        self.out.append((why, o.oid))

    def _ext_side(self, is_buy: bool):
        ep, eav = (self.ask, self.ask_avail) if is_buy else (self.bid, self.bid_avail)
        use_last = False
        if ep is None and self.bid is None and self.ask is None and self.last_avail:
            ep, eav, use_last = self.last, self.last_avail, True
        return ep, eav, use_last

    def _match(self, o: MOrder) -> None:
        while o.live:
            # self-trade prevention: the aggressor skips its own account's resting orders
            others = [p for p in self.resting(not o.is_buy) if p.account != o.account]
            p = others[0] if others else None
            ep, eav, use_last = self._ext_side(o.is_buy)
            has_ext = ep is not None and (eav is None or eav > 0)
            if p is not None and (not has_ext or (p.price <= ep if o.is_buy else p.price >= ep)):
                px = p.price
            elif has_ext:
                px, p = ep, None
            else:
                px = None
            if (
                px is not None
                and o.price is not None
                and (px > o.price if o.is_buy else px < o.price)
            ):
                px = None
            # a waiting market order of another account is unlimited: it goes first, at the
            # price the aggressor would get without it, else at the aggressor's limit
            contra = [m for m in self.pending if m.is_buy != o.is_buy and m.account != o.account]
            if contra and (px is not None or o.price is not None):
                m = contra[0]
                mpx = o.price if px is None else px
                q = min(o.leaves, m.leaves)
                self._fill(m, q, mpx, "maker")
                if not m.live:
                    self.pending.remove(m)
                self._fill(o, q, mpx, "taker")
                continue
            if px is None:
                break
            if p is not None:
                q = min(o.leaves, p.visible)
                self._fill_passive(p, q, "maker")
                self._fill(o, q, px, "taker")
            else:
                q = o.leaves if eav is None else min(o.leaves, eav)
                if use_last:
                    self.last_avail -= q
                elif eav is not None:
                    if o.is_buy:
                        self.ask_avail = eav - q
                    else:
                        self.bid_avail = eav - q
                self._fill(o, q, px, "external")
        # what is left would rest crossed against the account's own order: cancel it
        best = self.best(not o.is_buy)
        crossed = (
            best is not None
            and o.price is not None
            and (best <= o.price if o.is_buy else best >= o.price)
        )
        if o.live and crossed:
            self.cancel(o, "self_trade")

    def _fok_fillable(self, o: MOrder) -> bool:
        need = o.leaves
        total = 0
        ep, eav, _ = self._ext_side(o.is_buy)
        others = [p for p in self.resting(not o.is_buy) if p.account != o.account]
        if o.price is not None:
            others = [p for p in others if (p.price <= o.price if o.is_buy else p.price >= o.price)]
            if ep is not None and (ep > o.price if o.is_buy else ep < o.price):
                ep = None
        priced = o.price is not None or others or (ep is not None and (eav is None or eav > 0))
        if priced:  # waiting market orders of other accounts fill first
            total += sum(
                m.leaves for m in self.pending if m.is_buy != o.is_buy and m.account != o.account
            )
        by_level: dict[int, list[MOrder]] = {}
        for p in self.resting(not o.is_buy):
            by_level.setdefault(p.price, []).append(p)
        for price, level in by_level.items():
            if o.price is not None and (price > o.price if o.is_buy else price < o.price):
                break
            total += sum(p.leaves for p in level if p.account != o.account)
            if total >= need:
                return True
        ep, eav, _ = self._ext_side(o.is_buy)
        if ep is not None and (o.price is None or (ep <= o.price if o.is_buy else ep >= o.price)):
            if eav is None:
                return True
            total += eav
        return total >= need

    def execute(self, o: MOrder) -> None:
        if o.tif is TimeInForce.FOK and not self._fok_fillable(o):
            self.cancel(o, "fok")
            return
        self._match(o)
        if not o.live:
            return
        if o.tif in (TimeInForce.IOC, TimeInForce.FOK):
            self.cancel(o, "ioc")
            return
        if o.price is None:
            self.pending.append(o)
            return
        o.visible = o.leaves if o.display is None else min(o.display, o.leaves)
        self._rest(o)

    def submit(self, o: MOrder) -> None:
        self.orders[o.oid] = o
        self.execute(o)

    def modify(self, o: MOrder, qty: int, price: int | None) -> None:
        keeps = price == o.price and qty <= o.qty
        o.qty, o.price = qty, price
        if qty == o.cum:
            o.live = False
            o.prio = 0
            if o in self.pending:
                self.pending.remove(o)
            return
        if keeps and o.prio:
            o.visible = min(o.visible, o.leaves)
            return
        if keeps and o in self.pending:  # a waiting market order keeps its place too
            return
        o.prio = 0
        if o in self.pending:
            self.pending.remove(o)
        self.execute(o)

    def _retry_markets(self) -> None:
        waiting, self.pending = self.pending, []
        for o in waiting:
            if o.live:
                self.execute(o)

    def quote(self, bid, ask, bid_size, ask_size) -> None:
        self.bid, self.ask, self.bid_avail, self.ask_avail = bid, ask, bid_size, ask_size
        while self.ask is not None and (b := self.best(True)) is not None and b >= self.ask:
            if self.ask_avail is not None and self.ask_avail <= 0:
                break
            p = self.front(True)
            q = p.visible if self.ask_avail is None else min(p.visible, self.ask_avail)
            if self.ask_avail is not None:
                self.ask_avail -= q
            self._fill_passive(p, q, "maker")
        while self.bid is not None and (a := self.best(False)) is not None and a <= self.bid:
            if self.bid_avail is not None and self.bid_avail <= 0:
                break
            p = self.front(False)
            q = p.visible if self.bid_avail is None else min(p.visible, self.bid_avail)
            if self.bid_avail is not None:
                self.bid_avail -= q
            self._fill_passive(p, q, "maker")
        if self.pending:
            self._retry_markets()

    def trade(self, px: int, size: int) -> None:
        self.last, self.last_avail = px, size
        for is_buy in (True, False):
            while self.last_avail > 0:
                b = self.best(is_buy)
                if b is None or (b < px if is_buy else b > px):
                    break
                p = self.front(is_buy)
                q = min(p.visible, self.last_avail)  # an iceberg shows its visible part
                self.last_avail -= q
                self._fill_passive(p, q, "maker")
        if self.pending:
            self._retry_markets()
        self.last_avail = 0


# -- what the engine said, in the model's terms ---------------------------------------------------
def observed(events) -> list[tuple]:
    out = []
    for ev in events:
        if not isinstance(ev, ExecutionReport):
            continue
        if ev.exec_type is ExecType.TRADE:
            out.append(("fill", ev.order_id, ev.last_qty, ev.last_px, ev.liquidity))
        elif ev.exec_type is ExecType.CANCELED:
            out.append((_CANCEL_KIND.get(ev.reason, "cancel"), ev.order_id))
    return out


_CANCEL_KIND = {
    R.SELF_TRADE: "self_trade",
    R.FOK_NOT_FILLABLE: "fok",
    R.IOC_NO_LIQUIDITY: "ioc",
}


def engine_levels(e, is_buy: bool):
    out = []
    for lvl in e.venues[SYM].book.levels(is_buy):
        live = [(o.order_id, o.visible) for o in lvl if o.priority and o.price == lvl.price]
        out.append((lvl.price, live))
    return out


# -- the machine ----------------------------------------------------------------------------------
KINDS = ("limit", "limit", "limit", "iceberg", "ioc", "fok", "market", "market_ioc", "market_fok")
sides = st.sampled_from([Side.BUY, Side.SELL, Side.SELL_SHORT])
order_specs = st.fixed_dictionaries(
    {
        "account": st.sampled_from(ACCOUNTS),
        "side": sides,
        "kind": st.sampled_from(KINDS),
        "qty": st.integers(1, 12),
        "price": PRICES,
        "display": st.integers(1, 4),
    }
)
sizes = st.one_of(st.none(), st.integers(1, 15))


class BookMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        # Cash and long positions large enough that risk never refuses anything here: the
        # machine is about matching (the accounts machine tests the refusals).
        accts = [
            builders.account(a, a.lower(), usd=10**9, positions={SYM: (10**6, "100.00", IBM)})
            for a in ACCOUNTS
        ]
        self.e = builders.engine(*accts)
        self.m = BookModel()
        self.ts = 0
        self.filled: dict[int, int] = {}  # order id -> lots from TRADE reports
        self.trade_ids: set[int] = set()

    # helpers
    def _tick(self) -> int:
        self.ts += 1_000
        return self.ts

    def _live_ids(self) -> list[int]:
        return sorted(oid for oid, o in self.m.orders.items() if o.live)

    def _apply(self, events, expect_reject: bool = False) -> None:
        rejected = [ev for ev in events if isinstance(ev, CommandRejected)]
        if expect_reject:
            assert len(events) == 1 and rejected, events
            return
        assert not rejected, rejected
        assert observed(events) == self.m.out, f"engine {observed(events)} != model {self.m.out}"
        self.m.out = []
        self._account_fills(events)

    def _account_fills(self, events) -> None:
        by_trade: dict[int, list] = {}
        for ev in events:
            if isinstance(ev, ExecutionReport) and ev.exec_type is ExecType.TRADE:
                assert ev.last_qty > 0
                self.filled[ev.order_id] = self.filled.get(ev.order_id, 0) + ev.last_qty
                by_trade.setdefault(ev.trade_id, []).append(ev)
        for tid, legs in by_trade.items():
            assert tid not in self.trade_ids, f"trade id {tid} reused"
            self.trade_ids.add(tid)
            liq = sorted(ev.liquidity for ev in legs)
            if "taker" in liq:
                assert liq == ["maker", "taker"], legs
                buys = sum(ev.last_qty for ev in legs if ev.side.is_buy)
                sells = sum(ev.last_qty for ev in legs if not ev.side.is_buy)
                assert buys == sells > 0, f"trade {tid}: bought {buys}, sold {sells}"
                assert len({ev.last_px for ev in legs}) == 1
                assert len({ev.account for ev in legs}) == 2, "self trade"
            else:
                assert len(legs) == 1, legs

    # rules: commands
    @rule(spec=order_specs)
    def submit(self, spec):
        kind = spec["kind"]
        market = kind.startswith("market")
        tif = {"ioc": TimeInForce.IOC, "fok": TimeInForce.FOK}.get(
            kind.removeprefix("market_"), TimeInForce.GTC
        )
        display = min(spec["display"], spec["qty"]) if kind == "iceberg" else None
        cmd = C.SubmitOrder(
            spec["account"], SYM, spec["side"],
            OrdType.MARKET if market else OrdType.LIMIT,
            spec["qty"], price=None if market else spec["price"], tif=tif, display_qty=display,
        )  # fmt: skip
        events = self.e.handle(cmd)
        new = [ev for ev in events if ev.exec_type is ExecType.NEW]
        assert len(new) == 1, events
        o = MOrder(
            new[0].order_id, spec["account"], spec["side"].is_buy, cmd.price, cmd.qty, tif, display
        )
        self.m.submit(o)
        self._apply(events)

    @precondition(lambda self: self.m.orders)
    @rule(data=st.data(), live=st.integers(0, 5))
    def cancel(self, data, live):
        dead = sorted(o for o, m in self.m.orders.items() if not m.live)
        if live or not dead:  # mostly live orders; sometimes a finished one (refused)
            if not self._live_ids():
                return
            oid = data.draw(st.sampled_from(self._live_ids()))
        else:
            oid = data.draw(st.sampled_from(dead))
        events = self.e.handle(C.CancelOrder(oid))
        if not self.m.orders[oid].live:
            self._apply(events, expect_reject=True)
            return
        self.m.cancel(self.m.orders[oid])
        self._apply(events)

    @precondition(lambda self: any(o.live for o in self.m.orders.values()))
    @rule(data=st.data(), how=st.sampled_from(["down", "up", "price", "both", "to_cum"]))
    def modify(self, data, how):
        oid = data.draw(st.sampled_from(self._live_ids()))
        o = self.m.orders[oid]
        qty, price = o.qty, o.price
        if how == "down":
            if o.leaves <= 1:
                return
            qty = data.draw(st.integers(o.cum + 1, o.qty - 1))
        elif how == "up":
            qty = o.qty + data.draw(st.integers(1, 5))
        elif how == "to_cum":
            if o.cum == 0:
                return
            qty = o.cum
        if how in ("price", "both") and o.price is not None:
            price = data.draw(PRICES)
        if how == "both":
            qty = data.draw(st.integers(max(o.cum, 1), o.qty + 3))
        cmd = C.ModifyOrder(oid, qty=qty, price=price if price != o.price else None)
        prio_before, old_qty, old_price = self.e.orders[oid].priority, o.qty, o.price
        events = self.e.handle(cmd)
        self.m.modify(o, qty, price)
        self._apply(events)
        prio_after = self.e.orders[oid].priority
        if prio_before and prio_after:  # rested before and after the amend
            if qty <= old_qty and price == old_price:
                assert prio_after == prio_before, "a quantity decrease lost time priority"
            else:
                assert prio_after > prio_before, "a price change or increase kept priority"
        if how == "to_cum":
            assert self.e.orders[oid].status is OrdStatus.FILLED

    @precondition(lambda self: any(o.live for o in self.m.orders.values()))
    @rule(data=st.data())
    def replace(self, data):
        oid = data.draw(st.sampled_from(self._live_ids()))
        o = self.m.orders[oid]
        qty = data.draw(st.integers(1, 12))
        price = data.draw(PRICES) if o.price is not None else None
        events = self.e.handle(C.ReplaceOrder(oid, qty=qty, price=price))
        if o.display is not None and o.display > qty:
            self._apply(events, expect_reject=True)  # display quantity above the new quantity
            return
        new = [ev for ev in events if ev.exec_type is ExecType.NEW]
        assert len(new) == 1 and new[0].orig_order_id == oid, events
        assert self.e.orders[oid].status is OrdStatus.REPLACED
        n = MOrder(new[0].order_id, o.account, o.is_buy, price, qty, o.tif, o.display)
        # a replace that only lowers the quantity keeps the place in the queue (spec 1)
        keeps, n.prio = o.prio and price == o.price and qty <= o.leaves, o.prio
        n.visible = min(o.visible, qty)
        o.live = False
        o.prio = 0
        if o in self.m.pending:
            if qty <= o.leaves:  # a waiting market order: n waits in o's place
                self.m.pending[self.m.pending.index(o)] = n
                self.m.orders[n.oid] = n
                self._apply(events)
                return
            self.m.pending.remove(o)
        if keeps:
            self.m.orders[n.oid] = n
        else:
            n.prio = n.visible = 0
            self.m.submit(n)
        self._apply(events)

    # rules: market data
    @rule(bid=st.one_of(st.none(), PRICES), spread=st.integers(1, 4), bs=sizes, asz=sizes)
    def quote(self, bid, spread, bs, asz):
        ask = None if bid is None else bid + spread
        if bid is not None and spread == 4:
            bid = None  # one-sided quotes too
        events = self.e.on_quote(QuoteTick(SYM, self._tick(), bid, ask, bs, asz))
        self.m.quote(bid, ask, bs, asz)
        self._apply(events)

    @rule()
    def clear_quote(self):
        events = self.e.on_quote(QuoteTick(SYM, self._tick(), None, None))
        self.m.quote(None, None, None, None)
        self._apply(events)

    @rule(px=PRICES, size=st.integers(1, 15))
    def trade(self, px, size):
        events = self.e.on_trade(TradeTick(SYM, self._tick(), px, size))
        self.m.trade(px, size)
        self._apply(events)

    # invariants
    @invariant()
    def engine_consistent(self):
        e = self.e
        e.check_invariants()
        bid, ask = e.venues[SYM].book.top()
        assert bid is None or ask is None or bid < ask, "book crossed"

    @invariant()
    def quantities(self):
        total_events = 0
        total_cum = 0
        for oid, o in self.e.orders.items():
            assert 0 <= o.cum_qty <= o.qty, f"order {oid}: CumQty {o.cum_qty} > {o.qty}"
            if o.status is OrdStatus.FILLED:
                assert o.cum_qty == o.qty
            assert self.filled.get(oid, 0) == o.cum_qty, f"order {oid} fills != CumQty"
            total_events += self.filled.get(oid, 0)
            total_cum += o.cum_qty
        assert total_events == total_cum

    @invariant()
    def matches_model(self):
        e = self.e
        for is_buy in (True, False):
            assert engine_levels(e, is_buy) == self.m.levels(is_buy), (
                f"{'bids' if is_buy else 'asks'}: engine {engine_levels(e, is_buy)} "
                f"!= model {self.m.levels(is_buy)}"
            )
        assert [o.order_id for o in e.venues[SYM].pending_markets] == [
            o.oid for o in self.m.pending
        ]
        for oid, mo in self.m.orders.items():
            o = e.orders[oid]
            assert o.cum_qty == mo.cum and o.qty == mo.qty, (oid, o, mo.cum, mo.qty)
            assert o.is_live == mo.live, (oid, o.status, mo.live)
            if o.status is OrdStatus.FILLED:
                assert mo.cum == mo.qty


BookMachine.TestCase.settings = settings(
    max_examples=500 * LONG,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_book_machine = BookMachine.TestCase


# -- regressions: bugs this machine found ------------------------------------------------------------
def test_modify_to_cum_qty_with_new_price():
    """Found by this machine: amending to OrderQty == CumQty with a new price raised KeyError
    in OrderBook.cancel (``_modify`` set the new price before taking the order out of its
    level) and left the order corrupted in the book."""
    # Arrange: A's bid 10 @ 100.00 is partially filled 4 by B
    e = builders.engine()
    e.handle(C.SubmitOrder("A", SYM, Side.BUY, OrdType.LIMIT, 10, price=10_000))
    e.handle(C.SubmitOrder("B", SYM, Side.SELL_SHORT, OrdType.LIMIT, 4, price=10_000))
    assert e.orders[1].cum_qty == 4
    # Act: amend down to what is filled, with another price
    events = e.handle(C.ModifyOrder(1, qty=4, price=10_001))
    # Assert: the order is done (Filled at OrderQty == CumQty) and out of the book
    assert events[-1].ord_status is OrdStatus.FILLED
    assert e.venues[SYM].book.top() == (None, None)
    e.check_invariants()


def test_stp_skip_over_a_canceled_entry():
    """Found by this machine: self-trade prevention picked another account's order standing
    behind a lazily canceled entry; ``_fill_passive`` took it for the front and ``pop_front``
    popped the dead entry and asserted, out of ``handle``, leaving the aggressor New in no
    venue structure."""
    # Arrange: A's own ask is best; at the next level C's ask (then canceled) precedes B's
    e = builders.engine(builders.account("A"), builders.account("B"), builders.account("C"))
    gtc = dict(tif=TimeInForce.GTC)
    e.handle(C.SubmitOrder("A", SYM, Side.SELL_SHORT, OrdType.LIMIT, 1, price=10_000, **gtc))
    e.handle(C.SubmitOrder("C", SYM, Side.SELL_SHORT, OrdType.LIMIT, 1, price=10_001, **gtc))
    e.handle(C.SubmitOrder("B", SYM, Side.SELL_SHORT, OrdType.LIMIT, 1, price=10_001, **gtc))
    e.handle(C.CancelOrder(2))
    # Act: A buys up to 100.01: it skips its own ask and should take B's
    events = e.handle(C.SubmitOrder("A", SYM, Side.BUY, OrdType.LIMIT, 1, price=10_001, **gtc))
    # Assert: B's order filled (and A's remainder, none, does not rest)
    fills = [(ev.order_id, ev.last_qty) for ev in events if ev.exec_type is ExecType.TRADE]
    assert fills == [(3, 1), (4, 1)]
    e.check_invariants()
