"""Session and expiry timers (a mixin of ``Engine``).

Invariant: ``next_timer`` is the earliest timestamp in the timer heap (or a far-future bound);
timers fire in (time, kind, arrival) order before the command or market event at or after their
time, with the clock set to the timer's own time, so an order expires at its exact expiry
instant. Kinds: EXPIRE (GTD time or DAY close of one order) before SESSION (a venue's phase
change) at the same instant, so DAY orders expire at the close before the post-market parks.

Working orders that may not work in the current phase (non-extended orders in PRE/POST, every
order while CLOSED) are parked; they come back, in order-id order, when the phase allows. OPG
orders execute once at the regular open and CLS orders once at the regular close (against the
feed as it then stands); what they leave unfilled expires.
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
        """Schedule the order's end: GTD at its time, DAY at its session's close."""
        if o.tif is TimeInForce.GTD and o.expire_ns is not None:
            self._push_timer(o.expire_ns, K_EXPIRE, o.order_id)
        elif o.tif is TimeInForce.DAY and v.schedule is not None:
            exp = v.schedule.day_order_expiry(self.clock.now_ns(), o.extended)
            o.expire_ns = exp
            if exp is not None:
                self._push_timer(exp, K_EXPIRE, o.order_id)

    def _expire_held(self, o) -> None:
        """A Held GTD order (inactive stop, waiting OTO child) still ends at its ExpireTime
        (FIX 126 is an absolute time, working or not); a DAY order's session starts when it
        starts working, so it is scheduled on activation (``_set_expiry``)."""
        if o.tif is TimeInForce.GTD and o.expire_ns is not None:
            self._push_timer(o.expire_ns, K_EXPIRE, o.order_id)

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
        if old is SessionPhase.REGULAR:
            for o in sorted(v.parked.values(), key=_oid):
                if o.tif is TimeInForce.CLS and o.status.is_working:
                    del v.parked[o.order_id]
                    self._once(o, v, cause)
        working = [
            o
            for o in self.live.values()
            if o.inst.symbol == sym
            and o.status is not OrdStatus.HELD
            and o.order_id not in v.parked
            and not self._may_work(o, v)
        ]
        for o in sorted(working, key=_oid):
            self._unplace_alive(o)
            v.parked[o.order_id] = o
        for o in sorted(v.parked.values(), key=_oid):
            if not o.status.is_working:
                v.parked.pop(o.order_id, None)
            elif o.tif is TimeInForce.OPG and phase is SessionPhase.REGULAR:
                del v.parked[o.order_id]
                self._once(o, v, cause)
            elif self._may_work(o, v):
                del v.parked[o.order_id]
                self._work(o, v, cause)
                self._drain()

    def _once(self, o, v, cause: Cause) -> None:
        """Execute an auction order (OPG/CLS) once against the book and the feed; the rest
        expires."""
        if o.ord_type.is_stop and not o.triggered:
            o.triggered = True
        self._match(o, v, cause)
        if o.status.is_working:
            self._end(o, T.EXPIRE, ExecType.EXPIRED, cause, RejectReason.SESSION_CLOSED,
                      "auction remainder expired")  # fmt: skip
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
