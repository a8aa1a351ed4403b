"""Conditional activation of Held orders (a mixin of ``Engine``): an order submitted with an
``ActivationSpec`` is created Held and starts working, through the same path as an OTO release
(``_activate``), as soon as its time and price conditions hold.

Invariants:
- ``activations`` maps order id -> spec for Held orders still waiting; ``_act_watch`` maps a
  symbol -> the waiting order ids whose price conditions read it (insertion-ordered dicts, so
  evaluation runs in order-id order: deterministic). An order that ends or is released another
  way is dropped lazily.
- conditions are evaluated right after submission, after every market event of a watched
  symbol (``on_market``), and at the spec's time (a K_ACTIVATE timer), never elsewhere; a
  release is caused by that command, market event or timer (``explain`` shows it).
"""

from __future__ import annotations

from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders.activation import ActivationSpec, PriceCondition, holds
from condor.domain.orders.enums import OrdStatus, TriggerBasis, TriggerCondition
from condor.domain.orders.events import Cause, CauseKind
from condor.engine.sessions import K_ACTIVATE

R = RejectReason
MAX_PRICE_CONDITIONS = 4


def check_activation(spec, venues) -> None:
    """Validate an ``ActivationSpec`` (types, known symbols, positive prices, at most four price
    conditions). Raises DomainError naming ``activation``."""
    f = "activation"
    if not isinstance(spec, ActivationSpec):
        raise DomainError(R.INVALID_FIELD, "activation has the wrong type", f)
    if spec.at_ns is not None and (not isinstance(spec.at_ns, int) or spec.at_ns < 0):
        raise DomainError(R.INVALID_FIELD, "activation time must be ns since the epoch", f)
    if not isinstance(spec.prices, tuple) or len(spec.prices) > MAX_PRICE_CONDITIONS:
        raise DomainError(R.INVALID_FIELD, "at most four price conditions", f)
    for i, c in enumerate(spec.prices):
        ok = (
            isinstance(c, PriceCondition)
            and isinstance(c.basis, TriggerBasis)
            and c.basis is not TriggerBasis.MID
            and isinstance(c.condition, TriggerCondition)
            and isinstance(c.price, int)
            and not isinstance(c.price, bool)
            and c.price > 0
            and isinstance(c.or_previous, bool)
        )
        if not ok:
            raise DomainError(R.INVALID_FIELD, f"price condition {i} is malformed", f)
        if c.symbol not in venues:
            raise DomainError(R.UNKNOWN_INSTRUMENT, f"unknown instrument {c.symbol!r}", f)


class ActivationRules:
    def _price_of(self, symbol: str, basis: TriggerBasis) -> int | None:
        ext = self.venues[symbol].ext
        if basis is TriggerBasis.BID:
            return ext.bid
        if basis is TriggerBasis.ASK:
            return ext.ask
        return ext.last

    def _arm_activation(self, o, spec: ActivationSpec, cause: Cause) -> None:
        """Register a Held order's conditions; release it now if they already hold."""
        if holds(spec, self.clock.now_ns(), self._price_of):
            self._activate(o, None, cause)
            return
        self.activations[o.order_id] = spec
        for c in spec.prices:
            self._act_watch.setdefault(c.symbol, {})[o.order_id] = None
        if spec.at_ns is not None:
            self._push_timer(spec.at_ns, K_ACTIVATE, o.order_id)

    def _try_activate(self, order_id: int, cause: Cause) -> None:
        spec = self.activations.get(order_id)
        o = self.orders.get(order_id)
        if spec is None or o is None or o.status is not OrdStatus.HELD:
            self._forget_activation(order_id)
            return
        if holds(spec, self.clock.now_ns(), self._price_of):
            self._forget_activation(order_id)
            self._activate(o, None, cause)
            self._drain()

    def _forget_activation(self, order_id: int) -> None:
        spec = self.activations.pop(order_id, None)
        if spec is None:
            return
        for c in spec.prices:
            w = self._act_watch.get(c.symbol)
            if w is not None:
                w.pop(order_id, None)
                if not w:
                    del self._act_watch[c.symbol]

    def _activation_timer(self, order_id: int, ts: int) -> None:
        self.clock.advance_to(ts)
        self._try_activate(order_id, Cause(CauseKind.TIMER, timer="activation_time"))

    def _activations_after_market(self, ev, out):
        """Release the orders whose price conditions read ``ev.symbol`` and now hold; returns
        ``out`` extended with the events this produced."""
        waiting = self._act_watch.get(ev.symbol)
        if not waiting:
            return out
        self._out = new = []
        cause = Cause(CauseKind.MARKET, market=ev)
        for oid in tuple(waiting):
            self._try_activate(oid, cause)
        if not new:
            return out
        self._publish(new)
        return [*out, *new]
