"""Matching on the simulated venue (a mixin of ``Engine``).

Rules (spec section 4), all deterministic:
- An aggressive order (new marketable order, elected stop, activated child) takes the best
  price across resting client orders and the external market. At equal price resting client
  orders go first (they were there), then the feed. It fills at the passive price.
- The feed's quote offers its displayed size at the touch (unlimited when the feed gives no
  size); what is taken within one event is consumed. In a market with no quotes, a trade print
  offers its size at its price to waiting market orders and elected stops during that event only.
  A market order that finds no liquidity waits (``pending_markets``) unless it is IOC/FOK.
- A waiting market order is a client order with an unlimited price: it is ahead of every priced
  order of its side, so an aggressive order of another account (a limit arriving, an elected
  stop, a released child) trades with it first, oldest first, when the order arrives, not at the
  next market-data event. The price is the one the aggressor would get without it (the best of
  the book and the feed within its limit, as "equal price: client orders first"), else the
  aggressor's limit; two market orders do not trade with each other without such a price.
  Post-only and FOK count it as liquidity.
- A resting client limit fills from the feed at its own limit price when the opposite quote
  reaches it, or when a trade prints at it (fill model ``touch``) or through it (``through``).
  Quantity is bounded by the quote's or the trade's size.
- Per market-data event the order is: resting limits against the feed (price-time priority),
  then per trigger basis (a quote: Bid, then Ask, then Mid; a trade: Last) trailing water
  marks and stops in trigger order (nearest threshold first, then arrival), then waiting
  market orders (so a wide quote that crosses a Bid sell stop and an Ask buy stop of one OCO
  elects the sell stop first). After every single fill the cascade queue is drained, so a
  bracket's sibling is reduced or canceled before its own turn: when one event crosses both
  exits of a bracket, the one reached first in this order fills and the other does not.
- A buy on a cash account never fills beyond what it can pay (its hold plus free cash): a
  market order that sweeps past the price it held for is capped and its rest canceled
  (INSUFFICIENT_FUNDS).
- Self-trade prevention: an aggressive order never trades with a resting order of its own
  account: it skips them and takes the best other liquidity (other accounts' orders, then the
  feed, by price). A market order that finds only its own orders waits for the feed; a limit
  order that would then rest crossed against its own order is canceled (cancel newest), with
  reason SELF_TRADE.
- Iceberg: only ``visible`` (<= display quantity) rests; when it is exhausted and quantity
  remains, it is refilled and goes to the back of the queue at its price.
"""

from __future__ import annotations

from condor.domain.book.book import NO_ASK, NO_BID
from condor.domain.book.external import FillModel
from condor.domain.book.triggers import NEVER_DOWN, NEVER_UP
from condor.domain.errors import RejectReason
from condor.domain.market import BookSide, L2Snapshot, QuoteTick
from condor.domain.orders.enums import ExecType, TimeInForce
from condor.domain.orders.events import Cause, CauseKind
from condor.domain.orders.status import Transition as T
from condor.engine.stops import B_ASK, B_BID, B_LAST, B_MID

_EMPTY: tuple = ()


class Matching:
    # -- placing a working order --------------------------------------------------------
    def _work(self, o, v, cause: Cause) -> None:
        """Put a working order where it belongs: parked, trigger index, or matched/rested."""
        if v.schedule is not None and not self._may_work(o, v):
            if o.tif is TimeInForce.IOC or o.tif is TimeInForce.FOK:  # as check_session
                self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.SESSION_CLOSED,
                          f"{o.tif.value}: the market is closed to it")  # fmt: skip
                return
            v.parked[o.order_id] = o
            return
        if o.ord_type.is_stop and not o.triggered:
            self._arm_stop(o, v, cause)
            return
        self._execute(o, v, cause)

    def _execute(self, o, v, cause: Cause) -> None:
        """Match an aggressive order, then rest, wait or cancel what is left. A post-only
        order that would execute now is canceled instead (it never takes liquidity)."""
        if o.post_only and self._would_take(o, v):
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.POST_ONLY_WOULD_TAKE,
                      "post only: the order would take liquidity")  # fmt: skip
            return
        if o.tif is TimeInForce.FOK and not self._fok_fillable(o, v):
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.FOK_NOT_FILLABLE,
                      "fill or kill: not enough liquidity")  # fmt: skip
            return
        self._match(o, v, cause)
        if not o.is_working or self._placed(o, v):
            return  # done, or a cascade inside the match already re-placed it
        if o.tif is TimeInForce.IOC or o.tif is TimeInForce.FOK:
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.IOC_NO_LIQUIDITY,
                      "immediate or cancel: remainder canceled")  # fmt: skip
            return
        if o.price is None:
            v.pending_markets.append(o)
            return
        leaves = o.qty - o.cum_qty
        o.visible = leaves if o.display_qty is None else min(o.display_qty, leaves)
        self._prio += 1
        v.book.add(o, self._prio)

    @staticmethod
    def _would_take(o, v) -> bool:
        """True when ``o`` (a limit order) would execute on arrival: another account's order
        or the external touch (or last trade, on a trades-only market) at or through its
        limit, the same liquidity ``_match`` would take."""
        is_buy = o.side.is_buy
        limit = o.price
        if v.pending_markets and _waiting_contra(v.pending_markets, is_buy, o.account):
            return True  # a waiting market order of another account takes any price
        book = v.book
        p = book.front(not is_buy)
        if p is not None and p.account == o.account:
            p = book.first_other(not is_buy, o.account)
        if p is not None and (p.price <= limit if is_buy else p.price >= limit):
            return True
        ext = v.ext
        ep, eav = (ext.ask, ext.ask_avail) if is_buy else (ext.bid, ext.bid_avail)
        if ep is None and ext.bid is None and ext.ask is None and ext.last_avail:
            ep, eav = ext.last, ext.last_avail
        return (
            ep is not None and (eav is None or eav > 0) and (ep <= limit if is_buy else ep >= limit)
        )

    def _affordable(self, o, px: int) -> int:
        """Lots a buy on a cash account (leverage 1) can still pay for at ``px`` ticks: its own
        remaining hold plus the account's free cash (``_cash_budget``). Margin accounts are not
        capped here."""
        leaves = o.qty - o.cum_qty
        budget = self._cash_budget(o)
        if budget is None or px <= 0:
            return leaves
        return min(leaves, budget // (px * o.inst.cash_per_tick_lot))

    def _cash_budget(self, o) -> int | None:
        """Cash units a buy on a cash account may still spend: its remaining hold plus the
        account's free cash (never below 0); None when not capped (sells, margin accounts)."""
        acct = self.accounts[o.account]
        if not o.side.is_buy or acct.leverage != 1:
            return None
        return max(acct.available_cash(o.inst.currency) + o.hold_cash, 0)

    @staticmethod
    def _placed(o, v) -> bool:
        """The order already sits in the book, the trigger index, the market queue or parking."""
        return bool(
            o.priority
            or o.order_id in v.triggers.entries
            or o.order_id in v.parked
            or (v.pending_markets and o in v.pending_markets)
        )

    def _match(self, o, v, cause: Cause) -> None:
        book = v.book
        ext = v.ext
        is_buy = o.side.is_buy
        limit = o.price
        acct = o.account
        while o.status.is_working:
            leaves = o.qty - o.cum_qty
            p = book.front(not is_buy)
            if p is not None and p.account == acct:
                p = book.first_other(not is_buy, acct)
            if is_buy:
                ep, eav = ext.ask, ext.ask_avail
            else:
                ep, eav = ext.bid, ext.bid_avail
            use_last = False
            if ep is None and ext.bid is None and ext.ask is None and ext.last_avail:
                ep, eav, use_last = ext.last, ext.last_avail, True
            has_ext = ep is not None and (eav is None or eav > 0)
            if p is not None and (not has_ext or (p.price <= ep if is_buy else p.price >= ep)):
                px = p.price
            elif has_ext:
                px, p = ep, None
            else:
                px = None
            if px is not None and limit is not None and (px > limit if is_buy else px < limit):
                px = None
            if v.pending_markets and (px is not None or limit is not None):
                m = _waiting_contra(v.pending_markets, is_buy, acct)
                if m is not None:  # unlimited: ahead of every priced order of its side
                    if not self._cross_waiting(o, m, limit if px is None else px, v, cause):
                        return
                    continue
            if px is None:
                break
            if is_buy and not self._affordable(o, px):
                text = "not enough cash for the next fill"
                self._end(
                    o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.INSUFFICIENT_FUNDS, text
                )
                return
            self.trade_seq += 1
            tid = self.trade_seq
            cap = self._affordable(o, px) if is_buy else leaves
            if p is not None:
                q = min(leaves, p.visible, cap)
                self._fill_passive(p, q, v, cause, tid, "maker")
                self._fill(o, q, px, cause, "taker", tid)
            else:
                q = min(leaves, cap) if eav is None else min(leaves, eav, cap)
                if use_last:
                    ext.last_avail -= q
                elif eav is not None:
                    if is_buy:
                        ext.ask_avail = eav - q
                    else:
                        ext.bid_avail = eav - q
                self._fill(o, q, px, cause, "external", tid)
            self._drain()
        # What is left within the limit on the other side is the account's own: resting would
        # cross the book against itself, so the newest order is canceled.
        if (
            o.status.is_working
            and limit is not None
            and ((book.best_ask <= limit) if is_buy else (book.best_bid >= limit))
        ):
            text = "would trade with an order of the same account"
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.SELF_TRADE, text)

    def _cross_waiting(self, o, m, px: int, v, cause: Cause) -> bool:
        """Trade aggressive ``o`` with ``m``, a market order of another account waiting for
        liquidity (the maker), at ``px`` ticks: the price ``o`` would otherwise get from the
        book or the feed within its limit, else ``o``'s limit (spec section 4: the aggressor
        takes the best price; ``m`` names none). A buy on a cash account trades only what it
        can pay: ``m`` is canceled (INSUFFICIENT_FUNDS) when it can pay nothing, as its own
        match would; returns False when ``o`` is (it stops matching)."""
        if m.side.is_buy and not self._affordable(m, px):
            self._end(m, T.CANCEL, ExecType.CANCELED, cause, RejectReason.INSUFFICIENT_FUNDS,
                      "not enough cash for the next fill")  # fmt: skip
            self._drain()
            return True
        if o.side.is_buy and not self._affordable(o, px):
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, RejectReason.INSUFFICIENT_FUNDS,
                      "not enough cash for the next fill")  # fmt: skip
            return False
        buyer = o if o.side.is_buy else m
        q = min(o.qty - o.cum_qty, m.qty - m.cum_qty, self._affordable(buyer, px))
        self.trade_seq += 1
        tid = self.trade_seq
        if q == m.qty - m.cum_qty:
            v.pending_markets.remove(m)
        self._fill(m, q, px, cause, "maker", tid)
        self._fill(o, q, px, cause, "taker", tid)
        self._drain()
        return True

    def _fill_passive(self, p, q: int, v, cause: Cause, tid: int, liquidity: str) -> None:
        """Fill ``q`` lots of resting order ``p`` at its price (an iceberg whose display is
        used up refills at the back of its level)."""
        book = v.book
        leaves_after = p.qty - p.cum_qty - q
        remove = book.pop_front if book.is_front(p) else book.remove_now
        if leaves_after == 0:
            remove(p)
        elif q >= p.visible:
            remove(p)
            p.visible = leaves_after if p.display_qty is None else min(p.display_qty, leaves_after)
            self._prio += 1
            book.add(p, self._prio)
        else:
            p.visible -= q
        self._fill(p, q, p.price, cause, liquidity, tid)

    def _fill(self, o, q: int, px: int, cause: Cause, liquidity: str, tid: int) -> None:
        leaves_before = o.qty - o.cum_qty
        t = T.FILL if q == leaves_before else T.PARTIAL_FILL
        o.apply(t, self.clock.now_ns(), q, px)
        self.accounts[o.account].apply_fill(o, q, px, leaves_before)
        if t is T.FILL:
            self._retire(o)
        self._report(o, ExecType.TRADE, cause, q, px, tid, liquidity)

    def _fok_fillable(self, o, v) -> bool:
        """FOK (FIX 59=4, all or nothing): True when the whole remaining quantity can execute
        now from the liquidity ``_match`` would take (other accounts' waiting market orders
        first, then their resting orders and the feed's touch, within the limit, cheapest
        first, client orders before the feed at one price),
        and, for a buy on a cash account, within what it can pay (``_cash_budget``, ``_affordable``'s cap)."""
        need = o.qty - o.cum_qty
        is_buy = o.side.is_buy
        limit = o.price
        offers = []  # (price ticks, 0 = client / 1 = feed, lots or None = unlimited)
        in_book = 0
        for level in v.book.levels(not is_buy):
            if limit is not None and (level.price > limit if is_buy else level.price < limit):
                break
            lots = 0
            for p in level:
                if p.priority and p.price == level.price and p.account != o.account:
                    lots += p.qty - p.cum_qty
            if lots:
                offers.append((level.price, 0, lots))
                in_book += lots
                if in_book >= need:
                    break
        ext = v.ext
        ep, eav = (ext.ask, ext.ask_avail) if is_buy else (ext.bid, ext.bid_avail)
        if ep is None and ext.bid is None and ext.ask is None and ext.last_avail:
            ep, eav = ext.last, ext.last_avail
        if (
            ep is not None
            and (limit is None or (ep <= limit if is_buy else ep >= limit))
            and (eav is None or eav > 0)
        ):
            offers.append((ep, 1, eav))
        offers.sort(key=lambda x: (x[0] if is_buy else -x[0], x[1]))
        if v.pending_markets:  # waiting market orders go first, at the best price, else limit
            mpx = offers[0][0] if offers else limit
            if mpx is not None:
                lots = 0
                for m in v.pending_markets:
                    if _is_contra(m, is_buy, o.account):
                        left = m.qty - m.cum_qty
                        lots += self._affordable(m, mpx) if m.side.is_buy else left
                if lots:
                    offers.insert(0, (mpx, 0, lots))
        budget = self._cash_budget(o)
        for px, _, lots in offers:
            take = need if lots is None else min(need, lots)
            if budget is not None and px > 0:
                cost = take * px * o.inst.cash_per_tick_lot
                if cost > budget:
                    return False
                budget -= cost
            need -= take
            if need <= 0:
                return True
        return False

    def _reference_price(self, o, v) -> int | None:
        """The price a hold is computed at: limit, else stop, else the current touch."""
        if o.price is not None:
            return o.price
        if o.stop_price is not None:
            return o.stop_price
        if o.trail is not None and o.trail.activation is not None:
            return o.trail.activation
        ext = v.ext
        if o.side.is_buy:
            if ext.ask is not None:
                return ext.ask
            if v.book.best_ask != NO_ASK:
                return v.book.best_ask
        else:
            if ext.bid is not None:
                return ext.bid
            if v.book.best_bid != NO_BID:
                return v.book.best_bid
        return ext.last

    def on_quote(self, q: QuoteTick):
        """Apply a quote: resting limits, trailing marks, stops, waiting market orders.
        Returns the events produced (an empty tuple when the quote crossed nothing)."""
        v = self.venues[q.symbol]
        ts = q.ts_ns
        out = None
        if ts >= self.next_timer:
            self._out = out = []
            self._fire_timers(ts)
        self.clock.advance_to(ts)
        bid = q.bid
        ask = q.ask
        ext = v.ext
        ext.bid = bid
        ext.ask = ask
        ext.bid_size = ext.bid_avail = q.bid_size
        ext.ask_size = ext.ask_avail = q.ask_size
        ext.ts_ns = ts
        book = v.book
        tr = v.triggers
        if not (
            v.pending_markets
            or v.opening
            or (
                bid is not None
                and (
                    bid >= book.best_ask
                    or tr.up_min[1] <= bid
                    or tr.down_max[1] >= bid
                    or tr.wm_sell_min[1] < bid
                    or tr.wm_buy_max[1] > bid
                )
            )
            or (
                ask is not None
                and (
                    ask <= book.best_bid
                    or tr.up_min[2] <= ask
                    or tr.down_max[2] >= ask
                    or tr.wm_sell_min[2] < ask
                    or tr.wm_buy_max[2] > ask
                )
            )
            or (
                (tr.up_min[3] != NEVER_UP or tr.down_max[3] != NEVER_DOWN)
                and bid is not None
                and ask is not None
            )
        ):
            if out:
                self._drain()
                self._publish(out)
                return out
            return _EMPTY
        if out is None:
            self._out = out = []
        cause = Cause(CauseKind.MARKET, market=q)
        if v.opening:
            self._opening_auction(v, None, cause)
        self._rest_vs_quote(v, cause)
        if bid is not None:
            self._run_triggers(v, B_BID, bid, q)
        if ask is not None:
            self._run_triggers(v, B_ASK, ask, q)
        if (
            bid is not None
            and ask is not None
            and (tr.up_min[3] != NEVER_UP or tr.down_max[3] != NEVER_DOWN)
        ):
            self._run_triggers(v, B_MID, bid + ask, q)
        if v.pending_markets:
            self._retry_markets(v, cause)
        self._drain()
        self._publish(out)
        return out

    def _rest_vs_quote(self, v, cause: Cause) -> None:
        """Resting client bids the feed's ask reaches, then asks its bid reaches."""
        self._rest_side_vs_quote(v, True, cause)
        self._rest_side_vs_quote(v, False, cause)

    def _rest_side_vs_quote(self, v, is_bid: bool, cause: Cause) -> None:
        book = v.book
        ext = v.ext
        while True:
            quote = ext.ask if is_bid else ext.bid
            if quote is None or not (book.best_bid >= quote if is_bid else book.best_ask <= quote):
                return
            av = ext.ask_avail if is_bid else ext.bid_avail
            if av is not None and av <= 0:
                return
            p = book.front(is_bid)  # an iceberg shows ``visible``; its refill queues again
            qf = p.visible if av is None else min(p.visible, av)
            if av is not None:
                if is_bid:
                    ext.ask_avail = av - qf
                else:
                    ext.bid_avail = av - qf
            self.trade_seq += 1
            self._fill_passive(p, qf, v, cause, self.trade_seq, "maker")
            self._drain()

    def on_trade(self, t):
        """Apply a trade print: resting limits (fill model), Last-based stops and trailing
        stops, waiting market orders (quote-less markets). Returns the events produced."""
        v = self.venues[t.symbol]
        ts = t.ts_ns
        out = None
        if ts >= self.next_timer:
            self._out = out = []
            self._fire_timers(ts)
        self.clock.advance_to(ts)
        ext = v.ext
        px = t.price
        ext.last = px
        ext.last_size = t.size
        ext.last_avail = t.size
        ext.ts_ns = ts
        book = v.book
        tr = v.triggers
        through = v.fill_model is FillModel.THROUGH
        bid_hit = (book.best_bid > px) if through else (book.best_bid >= px)
        ask_hit = (book.best_ask < px) if through else (book.best_ask <= px)
        if v.fill_model is FillModel.QUEUE:  # resting limits fill from the L3 queue only
            bid_hit = ask_hit = False
        if not (
            bid_hit
            or ask_hit
            or tr.up_min[0] <= px
            or tr.down_max[0] >= px
            or tr.wm_sell_min[0] < px
            or tr.wm_buy_max[0] > px
            or v.pending_markets
            or v.opening
        ):
            ext.last_avail = 0
            if out:
                self._drain()
                self._publish(out)
                return out
            return _EMPTY
        if out is None:
            self._out = out = []
        cause = Cause(CauseKind.MARKET, market=t)
        if v.opening:
            self._opening_auction(v, px, cause)
        if bid_hit or ask_hit:
            self._rest_vs_trade(v, px, through, cause)
        self._run_triggers(v, B_LAST, px, t)
        if v.pending_markets:
            self._retry_markets(v, cause)
        ext.last_avail = 0
        self._drain()
        self._publish(out)
        return out

    def _rest_vs_trade(self, v, px: int, through: bool, cause: Cause) -> None:
        book = v.book
        ext = v.ext
        # The book is never crossed, so a print can reach resting orders on one side only.
        for is_bid in (True, False):
            while ext.last_avail > 0:
                best = book.best_bid if is_bid else book.best_ask
                if is_bid:
                    hit = best != NO_BID and (best > px if through else best >= px)
                else:
                    hit = best != NO_ASK and (best < px if through else best <= px)
                if not hit:
                    break
                p = book.front(is_bid)  # an iceberg shows ``visible``; its refill queues again
                qf = min(p.visible, ext.last_avail)
                ext.last_avail -= qf
                self.trade_seq += 1
                self._fill_passive(p, qf, v, cause, self.trade_seq, "maker")
                self._drain()

    def _retry_markets(self, v, cause: Cause) -> None:
        """Give waiting market orders the new liquidity, oldest first."""
        waiting = v.pending_markets
        v.pending_markets = []
        for o in waiting:
            if o.status.is_working:
                self._execute(o, v, cause)

    def _on_l2(self, ev):
        """Apply an L2 snapshot or level change: the venue keeps the depth and the feed's top
        of book becomes a quote (best level's price and total size) applied as ``on_quote``.
        Liquidity beyond the top level is not taken by one order in one event: the remainder
        of a market order waits for the next event (documented limit of the L2 model)."""
        v = self.venues[ev.symbol]
        depth = v.l2
        if type(ev) is L2Snapshot:
            depth.load(ev.bids, ev.asks)
        else:
            depth.set(ev.side is BookSide.BID, ev.price, ev.size)
        top = depth.top()
        if top == v.l2_top:  # no new quote; timers due by now still fire at their own time
            out = _EMPTY
            if ev.ts_ns >= self.next_timer:
                self._out = out = []
                self._fire_timers(ev.ts_ns)
                self._drain()
                self._publish(out)
            self.clock.advance_to(ev.ts_ns)
            return out
        v.l2_top = top
        return self.on_quote(QuoteTick(ev.symbol, ev.ts_ns, *top))


def _is_contra(m, is_buy: bool, account: str) -> bool:
    """Waiting market order ``m`` may trade with an aggressive order of side ``is_buy`` and
    account ``account``: other side, other account (self-trade prevention), still working."""
    return m.side.is_buy is not is_buy and m.account != account and m.status.is_working


def _waiting_contra(waiting: list, is_buy: bool, account: str):
    """The oldest market order in ``waiting`` that ``_is_contra``, or None."""
    for m in waiting:
        if _is_contra(m, is_buy, account):
            return m
    return None
