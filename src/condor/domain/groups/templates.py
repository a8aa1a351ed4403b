"""Named group kinds as tuples of rules (spec section 2, table of kinds).

Invariant: a template is a pure function of member positions; it holds no behaviour of its own,
so every kind runs through the one evaluator in ``model.Group.evaluate``.
"""

from __future__ import annotations

from enum import Enum

from condor.domain.groups.model import Rule
from condor.domain.groups.model import RuleAction as A
from condor.domain.groups.model import RuleEvent as E


class GroupKind(str, Enum):
    OCO = "OCO"  # FIX 1385=1; TradeStation OCO: any fill cancels the others
    OCO_FINAL = "OCO-final"  # Sway OCO: a final state of one cancels the others
    OUO = "OUO"  # FIX 1385=3; TradeStation BRK: a fill reduces the others
    OUO_PROPORTIONAL = "OUO-proportional"
    OTO = "OTO"  # FIX 1385=2; Sway IF-THEN; TradeStation OSO: full fill releases children
    OTO_PARTIAL = "OTO-partial"  # each parent fill releases children pro rata (Nautilus)
    OTO_OUO = "OTO-OUO"  # OTO whose children close one position: a child's fill reduces the rest
    BRACKET = "Bracket"  # OTOCO: entry releases exits, exits linked OUO
    ON_EXECUTE_OR_CANCEL = "OnExecuteOrCancel"  # Alor
    IGNORE_CANCEL = "IgnoreCancel"  # Alor
    TRIGGER_BRACKET_ORDERS = "TriggerBracketOrders"  # Alor
    ORDER_ID_OCO = "OrderIdOCO"  # AlphaPoint: fill of member 0 cancels member 1
    CUSTOM = "Custom"  # explicit rules from the native API


def rules_for(kind: GroupKind, n: int, roles: list[str]) -> tuple[Rule, ...]:
    """Rules of ``kind`` for ``n`` members with ``roles`` (used by BRACKET: "entry",
    "take_profit", "stop_loss"; OTO: the first member is the parent). Raises ValueError for a
    kind that needs explicit rules (CUSTOM) or a member count the kind cannot take."""
    k = kind.value
    if kind is GroupKind.OCO:
        return (Rule(E.FILL, A.CANCEL, name=k, closes=True),)
    if kind is GroupKind.OCO_FINAL:
        return (Rule(E.FINAL, A.CANCEL, name=k, closes=True),)
    if kind is GroupKind.OUO:
        return (Rule(E.FILL, A.REDUCE, name=k),)
    if kind is GroupKind.OUO_PROPORTIONAL:
        return (Rule(E.FILL, A.REDUCE_PROPORTIONAL, name=k),)
    if kind is GroupKind.OTO or kind is GroupKind.OTO_PARTIAL:
        _need(n >= 2, kind)
        return oto((0,), tuple(range(1, n)), partial=kind is GroupKind.OTO_PARTIAL, name=k)
    if kind is GroupKind.OTO_OUO:
        _need(n >= 2, kind)
        children = tuple(range(1, n))
        return (
            *oto((0,), children, partial=False, name=k),
            Rule(E.FILL, A.REDUCE, sources=children, targets=children, name=k),
        )
    if kind is GroupKind.BRACKET:
        return bracket(roles)
    if kind is GroupKind.ON_EXECUTE_OR_CANCEL:
        # Alor reads an expired order as canceled: expiry acts as a cancel
        return (
            Rule(E.FILL, A.CANCEL, name=k, closes=True),
            Rule(E.CANCEL, A.CANCEL, name=k),
            Rule(E.EXPIRE, A.CANCEL, name=k),
            Rule(E.REPLACE, A.CANCEL, name=k),
        )
    if kind is GroupKind.IGNORE_CANCEL:
        return (
            Rule(E.FILL, A.CANCEL, name=k, closes=True),
            Rule(E.CANCEL, A.REMOVE_MEMBER, name=k),
            Rule(E.EXPIRE, A.REMOVE_MEMBER, name=k),
            Rule(E.REPLACE, A.REMOVE_MEMBER, name=k),
        )
    if kind is GroupKind.TRIGGER_BRACKET_ORDERS:
        return trigger_bracket(roles)
    if kind is GroupKind.ORDER_ID_OCO:
        _need(n == 2, kind)
        return (Rule(E.FILL, A.CANCEL, sources=(0,), targets=(1,), name=k, closes=True),)
    raise ValueError(f"group kind {k} needs explicit rules")


def _need(ok: bool, kind: GroupKind) -> None:
    if not ok:
        raise ValueError(f"group kind {kind.value}: wrong number of members")


def oto(
    parents: tuple[int, ...], children: tuple[int, ...], partial: bool, name: str
) -> tuple[Rule, ...]:
    """Parent fill(s) release the children; a parent that ends after a partial fill releases
    them sized to what filled; one that ends with nothing filled cancels them (spec section 2,
    position-attached children)."""
    trigger = E.FILL if partial else E.FULL_FILL
    return (
        Rule(trigger, A.RELEASE, sources=parents, targets=children, name=name),
        Rule(E.FINAL, A.RELEASE, sources=parents, targets=children, name=name, when_filled=True),
        Rule(E.FINAL, A.CANCEL, sources=parents, targets=children, name=name, when_filled=False),
    )


def bracket(roles: list[str]) -> tuple[Rule, ...]:
    """Entry (role "entry", first) releases the exits on its full fill (or, ended after a
    partial fill, sized to it); exits are linked OUO: a take-profit fill reduces the stop-losses
    by its quantity, a stop-loss fill reduces the take-profits in proportion to their sizes (so
    several take-profit tranches share one stop)."""
    entry = tuple(i for i, r in enumerate(roles) if r == "entry")
    tps = tuple(i for i, r in enumerate(roles) if r == "take_profit")
    sls = tuple(i for i, r in enumerate(roles) if r == "stop_loss")
    if len(entry) != 1 or not (tps or sls) or len(entry) + len(tps) + len(sls) != len(roles):
        raise ValueError("bracket needs one entry and exits with roles take_profit / stop_loss")
    name = GroupKind.BRACKET.value
    rules = list(oto(entry, tps + sls, partial=False, name=name))
    if tps and sls:
        rules.append(Rule(E.FILL, A.REDUCE, sources=tps, targets=sls, name=name))
        act = A.REDUCE if len(tps) == 1 else A.REDUCE_PROPORTIONAL
        rules.append(Rule(E.FILL, act, sources=sls, targets=tps, name=name))
    if len(sls) > 1:
        rules.append(Rule(E.FILL, A.REDUCE, sources=sls, targets=sls, name=name))
    return tuple(rules)


def trigger_bracket(roles: list[str]) -> tuple[Rule, ...]:
    """Alor TriggerBracketOrders: the limit (role "limit") releases the inactive stops on its
    full fill; released stops are OnExecuteOrCancel among themselves."""
    limits = tuple(i for i, r in enumerate(roles) if r == "limit")
    stops = tuple(i for i, r in enumerate(roles) if r != "limit")
    if len(limits) != 1 or not stops:
        raise ValueError("TriggerBracketOrders needs one limit order and at least one stop")
    name = GroupKind.TRIGGER_BRACKET_ORDERS.value
    among = dict(sources=stops, targets=stops, name=name, requires_release=True)
    return (
        *oto(limits, stops, partial=False, name=name),
        Rule(E.FILL, A.CANCEL, closes=True, **among),
        Rule(E.CANCEL, A.CANCEL, **among),
        Rule(E.EXPIRE, A.CANCEL, **among),
        Rule(E.REPLACE, A.CANCEL, **among),
    )
