"""Stops and trailing stops on the venue (a mixin of ``Engine``): arming, water marks, election.

Rules (spec section 1, "Triggers"; section 4 for the per-event order, see ``matching``):
- a stop watches its basis (``o.basis``, else Last where the instrument has trades, else Ask for
  a buy and Bid for a sell); Alor's explicit comparison (More, MoreOrEqual: upward) wins over
  the side; a strict comparison moves the threshold one tick (half a tick on Mid, which is
  compared doubled: bid + ask).
- a stop armed while the market is already through it elects at once; otherwise it waits in
  the venue's trigger index and is touched only by events that cross it.
- a trailing stop starts its water mark at arming (or once its activation price is reached),
  keeps it through a modify, and moves its stop only when the mark improves.
- an elected stop keeps its id, records ``triggered``, becomes a market or limit order (a
  trailing stop limit at its stop plus or minus the limit offset, its holds re-taken at that
  limit: canceled when the account cannot cover it) and is matched at once.
"""

from __future__ import annotations

from condor.domain.book.triggers import ACTIVATE, BASES, NEVER_DOWN
from condor.domain.orders.enums import ExecType, OrdType, TriggerBasis, TriggerCondition
from condor.domain.orders.events import Cause, CauseKind
from condor.domain.orders.status import Transition as T

B_LAST, B_BID, B_ASK, B_MID = 0, 1, 2, 3
"""Indexes of the trigger bases in the trigger index's per-basis arrays (``BASES``)."""


class StopTriggers:
    def _basis(self, o, v) -> TriggerBasis:
        if o.basis is not None:
            return o.basis
        if v.inst.has_trades:
            return TriggerBasis.LAST
        return TriggerBasis.ASK if o.side.is_buy else TriggerBasis.BID

    def _basis_price(self, v, basis: TriggerBasis) -> int | None:
        ext = v.ext
        if basis is TriggerBasis.LAST:
            return ext.last
        if basis is TriggerBasis.BID:
            return ext.bid
        if basis is TriggerBasis.ASK:
            return ext.ask
        return ext.mid2()

    def _arm_stop(self, o, v, cause: Cause) -> None:
        """Index a pending stop; elect it at once if the market is already through it."""
        basis = self._basis(o, v)
        cur = self._basis_price(v, basis)
        tr = v.triggers
        if o.trail is not None:
            t = o.trail
            is_sell = not o.side.is_buy
            if t.water is None:
                if t.activation is not None and not (
                    cur is not None and (cur >= t.activation if is_sell else cur <= t.activation)
                ):
                    tr.add(o, basis, is_sell, t.activation, ACTIVATE)
                    return
                if cur is None:
                    tr.add(o, basis, True, NEVER_DOWN // 4, ACTIVATE)
                    return
                self._start_trail(o, v, basis, cur, cause)
                return
            # re-armed (modified) with its water mark: the stop follows the new offset from
            # it, and elects at once if the market is already through
            stop = _trail_stop(o, t.water)
            if cur is not None and (cur <= stop if is_sell else cur >= stop):
                o.stop_price = stop
                self._elect(o, v, cause)
                return
            moved = stop != o.stop_price
            self._index_trail(o, v, basis)
            if moved:
                self._trail_updated(o, cause)
            return
        up = _is_up(o)
        mid = basis is TriggerBasis.MID
        thr = o.stop_price * 2 if mid else o.stop_price  # Mid: compared with bid + ask
        if o.strict:  # one unit of the (doubled) grid: More 100.00 on Mid fires at 100.005
            thr = thr + 1 if up else thr - 1
        if cur is not None and ((cur >= thr) if up else (cur <= thr)):
            self._elect(o, v, cause)
            return
        tr.add(o, basis, up, thr, doubled=mid)

    def _start_trail(self, o, v, basis: TriggerBasis, price: int, cause: Cause) -> None:
        o.trail.water = price
        self._index_trail(o, v, basis)
        self._trail_updated(o, cause)

    def _index_trail(self, o, v, basis: TriggerBasis) -> None:
        t = o.trail
        is_sell = not o.side.is_buy
        o.stop_price = _trail_stop(o, t.water)
        v.triggers.add(o, basis, not is_sell, o.stop_price)
        v.triggers.track_water(o, basis, is_sell, t.water)

    def _move_trails(self, v, b: int, price: int, cause: Cause) -> None:
        tr = v.triggers
        basis = BASES[b]
        for o in tr.pop_passed_water(b, price):
            o.trail.water = price
            is_sell = not o.side.is_buy
            stop = _trail_stop(o, price)
            if stop != o.stop_price:
                tr.remove(o)
                o.stop_price = stop
                tr.add(o, basis, not is_sell, stop)
                tr.track_water(o, basis, is_sell, price)
                self._trail_updated(o, cause)
            else:
                tr.track_water(o, basis, is_sell, price)

    def _elect(self, o, v, cause: Cause) -> None:
        """A stop's condition holds: it becomes a market or limit order and works now."""
        v.triggers.untrack_water(o)
        o.triggered = True
        if o.ord_type is OrdType.TRAILING_STOP_LIMIT:
            lo = o.trail.limit_offset or 0
            # a sell's offset past its stop prices it at the lowest valid price, one tick
            o.price = o.stop_price + lo if o.side.is_buy else max(1, o.stop_price - lo)
        o.apply(T.TRIGGER, self.clock.now_ns())
        self._report(o, ExecType.TRIGGERED, cause, text="stop triggered")
        if o.status.is_working:
            if o.ord_type is OrdType.TRAILING_STOP_LIMIT and not self._rehold_priced(o, cause):
                return  # its limit costs more than the account can hold: canceled
            self._execute(o, v, cause)

    def _run_triggers(self, v, b: int, price: int, md) -> None:
        tr = v.triggers
        cause = None
        if tr.wm_sell_min[b] < price or tr.wm_buy_max[b] > price:
            cause = Cause(CauseKind.MARKET, market=md, basis=BASES[b])
            self._move_trails(v, b, price, cause)
        while tr.up_min[b] <= price or tr.down_max[b] >= price:
            hit = tr.pop_crossed(b, price)
            if hit is None:
                break
            o, kind = hit
            if cause is None:
                cause = Cause(CauseKind.MARKET, market=md, basis=BASES[b])
            if not o.status.is_working:
                continue
            if kind == ACTIVATE:
                real = price // 2 if b == B_MID else price
                self._start_trail(o, v, BASES[b], real, cause)
                continue
            self._elect(o, v, cause)
            self._drain()

    # -- market data --------------------------------------------------------------------


def _trail_stop(o, water: int) -> int:
    """The stop price (ticks) of trailing stop ``o`` at water mark ``water``: the offset below
    it for a sell, above it for a buy."""
    off = o.trail.offset_ticks(water)
    return water + off if o.side.is_buy else water - off


def _is_up(o) -> bool:
    c = o.condition
    if c is None:
        return o.side.is_buy
    return c is TriggerCondition.MORE or c is TriggerCondition.MORE_OR_EQUAL
