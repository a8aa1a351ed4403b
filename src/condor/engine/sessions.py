"""Session, expiry and auction timers (a mixin of ``Engine``).

Invariant: ``next_timer`` is the earliest timestamp in the timer heap (or a far-future bound);
timers fire in (time, kind, arrival) order before the command or market event at or after their
time, with the clock set to the timer's own time, so an order expires at its exact expiry
instant. Kinds: EXPIRE (GTD time or DAY close of one order) before SESSION (a venue's phase
change) at the same instant, so DAY orders expire at the close before the post-market parks;
AUCTION (an OPG or CLS order's auction) comes after both.

Working orders that may not work in the current phase (non-extended orders in PRE/POST, every
order while CLOSED) are parked; they come back when the phase allows, in their time priority
(spec section 1): ``parked`` keeps the order in which orders were parked, an order sent while
it may not work at its arrival, and orders parked at a phase change in the priority they had
where they waited (book queue, trigger arrival, market-order queue; ``_in_time_priority``). So
a GTC limit that kept its place through a quantity decrease or a replace is still ahead at the
next open, and one that lost it by a price change is still behind.

Auctions (spec section 1: OPG "at the open", CLS "at the close"). An OPG or CLS order stays
parked until its own AUCTION timer: OPG at the regular open of the session it was sent for
(``SessionSchedule.next_open``), CLS at that session's regular close (``day_order_expiry``),
so touching sessions (FX 24x5, crypto 24x7) have an auction every day too. The auction price is
the market's, taken whole (the auction is not limited to one print's or one quote's size, and
client orders do not cross each other in it):
- OPG: the first market-data event of the session at or after the open, a trade at its price
  or a quote at its ask (buys) / bid (sells); the feed has no regular-session price at the open
  instant itself (the first regular print of a tape comes after 09:30:00.000). Until that event
  the order waits (``Venue.opening``); if none comes it expires at the session's regular close.
- CLS: the feed as it stands at the close, its ask/bid, or its last trade when it has no quote;
  a feed with no price since the session's open gives none.
A buy executes when the auction price is at or below its limit, a sell at or above (no limit:
any price); on a cash account a buy fills what it can pay. What is not filled expires (reason
SESSION_CLOSED); an auction report is caused by the market event (OPG) or the close (CLS).
"""

from __future__ import annotations

import heapq

from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders.enums import ExecType, OrdStatus, TimeInForce
from condor.domain.orders.events import Cause, CauseKind
from condor.domain.orders.status import Transition as T
from condor.domain.sessions import SessionPhase

K_EXPIRE, K_SESSION, K_RECHECK = 0, 1, 2
K_ACTIVATE = 3  # a Held order's activation time (engine/activation.py)
K_AUCTION = 4  # an OPG order's open or a CLS order's close
DAY_NS = 86_400 * 10**9
FAR = 1 << 62


class SessionTimers:
    def _push_timer(self, ts: int, kind: int, key) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (ts, kind, self._timer_seq, key))
        if ts < self.next_timer:
            self.next_timer = ts

    def _init_session(self, v) -> None:
        now = self.clock.now_ns()
        v.phase = v.schedule.phase_at(now)
        self._schedule_boundary(v, now)

    def _schedule_boundary(self, v, ts: int) -> None:
        nb = v.schedule.next_boundary(ts)
        if nb is None:
            self._push_timer(ts + DAY_NS, K_RECHECK, v.inst.symbol)
        else:
            self._push_timer(nb, K_SESSION, v.inst.symbol)

    def _set_expiry(self, o, v) -> None:
        """Schedule the order's end: GTD at its time, DAY at its session's close; OPG at its
        session's open (an OPG that never meets a price expires at that session's close) and
        CLS at its session's close (module docstring)."""
        if o.tif is TimeInForce.GTD and o.expire_ns is not None:
            self._push_timer(o.expire_ns, K_EXPIRE, o.order_id)
            return
        sched = v.schedule
        if sched is None:
            return
        now = self.clock.now_ns()
        if o.tif is TimeInForce.DAY:
            o.expire_ns = sched.day_order_expiry(now, o.extended)
        elif o.tif is TimeInForce.OPG:
            at = sched.next_open(now)
            if at is not None:
                self._push_timer(at, K_AUCTION, o.order_id)
                o.expire_ns = sched.day_order_expiry(at, False)
        elif o.tif is TimeInForce.CLS:
            at = sched.day_order_expiry(now, False)
            if at is not None:
                self._push_timer(at, K_AUCTION, o.order_id)
        if o.expire_ns is not None and o.tif in (TimeInForce.DAY, TimeInForce.OPG):
            self._push_timer(o.expire_ns, K_EXPIRE, o.order_id)

    def _expire_held(self, o) -> None:
        """A Held GTD order (inactive stop, waiting OTO child) still ends at its ExpireTime
        (FIX 126 is an absolute time, working or not); a DAY order's session starts when it
        starts working, so it is scheduled on activation (``_set_expiry``)."""
        if o.tif is TimeInForce.GTD and o.expire_ns is not None:
            self._push_timer(o.expire_ns, K_EXPIRE, o.order_id)

    def _waiting_text(self, o, v) -> str | None:
        """The New report's text of an order accepted to wait (README: "an order sent while
        the market is closed waits for the next session in which it may work"), else None."""
        if v.schedule is None or self._may_work(o, v):
            return None
        if o.tif is TimeInForce.OPG:
            return "waiting for the opening auction"
        if o.tif is TimeInForce.CLS:
            return "waiting for the closing auction"
        if o.extended:
            return "waiting for the session to open"
        return "waiting for the regular session"

    def _may_work(self, o, v) -> bool:
        if o.tif is TimeInForce.OPG or o.tif is TimeInForce.CLS:
            return False
        ph = v.phase
        if ph is SessionPhase.REGULAR:
            return True
        if ph is SessionPhase.PRE or ph is SessionPhase.POST:
            return o.extended
        return False

    def _fire_timers(self, upto: int) -> None:
        timers = self._timers
        while timers and timers[0][0] <= upto:
            ts, kind, _, key = heapq.heappop(timers)
            if kind == K_EXPIRE:
                o = self.live.get(key)
                if o is not None and o.expire_ns == ts:
                    self.clock.advance_to(ts)
                    timer = "expire_time" if o.tif is TimeInForce.GTD else "session_close"
                    self._end(o, T.EXPIRE, ExecType.EXPIRED, Cause(CauseKind.TIMER, timer=timer))
                    self._drain()
            elif kind == K_ACTIVATE:
                self._activation_timer(key, ts)
            elif kind == K_AUCTION:
                self._auction_timer(key, ts)
            elif kind == K_SESSION:
                v = self.venues[key]
                self.clock.advance_to(ts)
                self._set_phase(v, v.schedule.phase_at(ts))
                self._schedule_boundary(v, ts)
            else:
                v = self.venues[key]
                now = max(upto, self.clock.now_ns())
                self._set_phase(v, v.schedule.phase_at(now))
                self._schedule_boundary(v, now)
        self.next_timer = timers[0][0] if timers else FAR

    def _set_phase(self, v, phase: SessionPhase) -> None:
        old = v.phase
        if phase is old:
            return
        v.phase = phase
        cause = Cause(CauseKind.TIMER, timer=f"session_{phase.value}")
        sym = v.inst.symbol
        working = [
            o
            for o in self.live.values()
            if o.inst.symbol == sym
            and o.status is not OrdStatus.HELD
            and o.order_id not in v.parked
            and not self._may_work(o, v)
        ]
        for o in _in_time_priority(sorted(working, key=_oid), v):
            self._unplace_alive(o)
            v.parked[o.order_id] = o
        for o in tuple(v.parked.values()):  # parked in time priority (module docstring)
            if not o.status.is_working:
                v.parked.pop(o.order_id, None)
            elif self._may_work(o, v):
                del v.parked[o.order_id]
                self._work(o, v, cause)
                self._drain()

    # -- auctions (module docstring) ------------------------------------------------------
    def _auction_timer(self, order_id: int, ts: int) -> None:
        """An OPG order's open (it now waits for the session's first price) or a CLS order's
        close (it executes against the feed as it stands)."""
        o = self.live.get(order_id)
        if o is None or not o.status.is_working:
            return
        v = self.venues[o.inst.symbol]
        if o.order_id not in v.parked:
            return
        self.clock.advance_to(ts)
        if o.tif is TimeInForce.OPG:
            v.opening[o.order_id] = o
            return
        if o.tif is not TimeInForce.CLS:
            return
        ext = v.ext
        session = v.schedule.session_at(ts - 1)
        fresh = session is not None and ext.ts_ns >= session.open_ns
        price = None
        if fresh:
            quoted = ext.bid is not None or ext.ask is not None
            price = (ext.ask if o.side.is_buy else ext.bid) if quoted else ext.last
        self._auction(o, v, price, Cause(CauseKind.TIMER, timer="closing_auction"))

    def _opening_auction(self, v, trade_px: int | None, cause: Cause) -> None:
        """Execute the OPG orders waiting for the session's first price (``v.opening``) at
        this market event's: ``trade_px`` for a trade, else the quote's ask/bid."""
        ext = v.ext
        for o in sorted(v.opening.values(), key=_oid):
            if not o.status.is_working or o.order_id not in v.parked:
                del v.opening[o.order_id]
                continue
            price = trade_px
            if price is None:
                price = ext.ask if o.side.is_buy else ext.bid
            if price is None:
                continue  # a one-sided quote: wait for this side's price
            del v.opening[o.order_id]
            self._auction(o, v, price, cause)

    def _auction(self, o, v, price: int | None, cause: Cause) -> None:
        """Fill ``o`` (parked OPG/CLS) at the auction ``price`` (ticks) where its limit allows,
        as much as a cash account can pay; the rest expires (SESSION_CLOSED)."""
        del v.parked[o.order_id]
        if o.ord_type.is_stop and not o.triggered:
            o.triggered = True
        limit = o.price
        crosses = price is not None and (
            limit is None or (price <= limit if o.side.is_buy else price >= limit)
        )
        if crosses:
            q = self._affordable(o, price)
            if q > 0:
                self.trade_seq += 1
                self._fill(o, q, price, cause, "external", self.trade_seq)
                self._drain()
        if o.status.is_working:
            text = "auction remainder expired" if crosses else "no auction price within limit"
            if price is None:
                text = "no auction price"
            self._end(o, T.EXPIRE, ExecType.EXPIRED, cause, RejectReason.SESSION_CLOSED, text)
        self._drain()

    def _advance_clock(self, cmd, cause: Cause) -> None:
        now = self.clock.now_ns()
        if not isinstance(cmd.ts_ns, int) or cmd.ts_ns < now:
            err = DomainError(RejectReason.INVALID_FIELD, "the clock never moves backward", "now")
            self._reject("AdvanceClock", err, cause)
            return
        if cmd.ts_ns >= self.next_timer:
            self._fire_timers(cmd.ts_ns)
        self.clock.advance_to(cmd.ts_ns)


def _oid(o) -> int:
    return o.order_id


def _in_time_priority(orders: list, v) -> list:
    """``orders`` (working orders of venue ``v`` in order-id order, about to be parked) with
    those waiting in each structure put back in that structure's own order, in the positions
    they hold in ``orders``: resting limits by book priority (``Order.priority``), stops by
    trigger arrival (the index's ``seq``), market orders by their queue. Re-worked in this
    order, each structure gets its queue back as it was."""
    pend = {id(o): i for i, o in enumerate(v.pending_markets)} if v.pending_markets else {}
    entries = v.triggers.entries
    keys = []
    for o in orders:
        if o.priority:
            keys.append((0, o.priority))
        elif (t := entries.get(o.order_id)) is not None:
            keys.append((1, t.key[1]))
        elif id(o) in pend:
            keys.append((2, pend[id(o)]))
        else:
            keys.append((3, o.order_id))
    out = list(orders)
    for kind in (0, 1, 2):
        slots = [i for i, k in enumerate(keys) if k[0] == kind]
        for i, j in zip(slots, sorted(slots, key=lambda i: keys[i][1]), strict=True):
            out[i] = orders[j]
    return out
