"""Activation conditions: an order held inactive (Held) until a time and/or price condition
holds, then released to work (TradeStation ``MarketActivationRules`` / ``TimeActivationRules``,
wire-formats.md 1.5).

Invariant: pure data and a pure evaluation; prices are int ticks of the condition's own
symbol, times int ns UTC. ``holds`` reads prices through a callable, so the domain does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from condor.domain.orders.enums import TriggerBasis, TriggerCondition


class PriceCondition(NamedTuple):
    """``basis`` price (Last, Bid, Ask) of ``symbol`` compared with ``price`` ticks by
    ``condition`` (More, Less, MoreOrEqual, LessOrEqual). ``or_previous``: joined to the
    conditions before it with OR (False: AND); the first condition's flag is ignored, and the
    chain is evaluated left to right (TradeStation ``LogicOperator``)."""

    symbol: str
    basis: TriggerBasis
    condition: TriggerCondition
    price: int
    or_previous: bool = False


class ActivationSpec(NamedTuple):
    """When a Held order starts working: once the clock reaches ``at_ns`` (None: no time
    condition) and the ``prices`` chain holds (empty: no price condition). Both given: both."""

    at_ns: int | None = None
    prices: tuple[PriceCondition, ...] = ()


def compare(value: int, condition: TriggerCondition, price: int) -> bool:
    if condition is TriggerCondition.MORE:
        return value > price
    if condition is TriggerCondition.LESS:
        return value < price
    if condition is TriggerCondition.MORE_OR_EQUAL:
        return value >= price
    return value <= price


def prices_hold(
    conds: tuple[PriceCondition, ...], price_of: Callable[[str, TriggerBasis], int | None]
) -> bool:
    """The chain's truth; a condition whose price is unknown (no quote or trade yet) is false."""
    result = True
    for i, c in enumerate(conds):
        v = price_of(c.symbol, c.basis)
        ok = v is not None and compare(v, c.condition, c.price)
        if i == 0:
            result = ok
        elif c.or_previous:
            result = result or ok
        else:
            result = result and ok
    return result


def holds(
    spec: ActivationSpec, now_ns: int, price_of: Callable[[str, TriggerBasis], int | None]
) -> bool:
    """True when every part of ``spec`` holds at ``now_ns`` with the prices ``price_of`` gives."""
    if spec.at_ns is not None and now_ns < spec.at_ns:
        return False
    return not spec.prices or prices_hold(spec.prices, price_of)
