"""The order status transition table, kept as data (Nautilus style).

Invariant: an order's status changes only through ``next_status(status, transition)``; a pair
missing from ``TRANSITIONS`` raises ``IllegalTransition``. Terminal statuses (Filled, Canceled,
Rejected, Expired, Replaced) have no outgoing rows. Source: spec contingency.md section 1, FIX 39.
"""

from __future__ import annotations

from enum import Enum

from condor.domain.errors import IllegalTransition
from condor.domain.orders.enums import OrdStatus as S


class Transition(str, Enum):
    """What happened to an order (the engine derives the FIX ExecType from it)."""

    ACCEPT = "accept"  # validated and working
    HOLD = "hold"  # validated, kept inactive (activate=false, OTO child)
    REJECT = "reject"
    ACTIVATE = "activate"  # Held -> working
    TRIGGER = "trigger"  # stop elected: status unchanged, order now a market/limit order
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    AMEND = "amend"  # modified in place (same id): price/qty/stop changed
    DEACTIVATE = "deactivate"  # working -> Held (group deleted with sized-later children)
    CANCEL = "cancel"
    EXPIRE = "expire"
    REPLACE = "replace"  # superseded by a new order id


T = Transition

TRANSITIONS: dict[tuple[S, Transition], S] = {
    (S.PENDING_NEW, T.ACCEPT): S.NEW,
    (S.PENDING_NEW, T.HOLD): S.HELD,
    (S.PENDING_NEW, T.REJECT): S.REJECTED,
    # An IOC/FOK/market order can trade during its own acceptance step.
    (S.PENDING_NEW, T.CANCEL): S.CANCELED,
    (S.HELD, T.ACTIVATE): S.NEW,
    (S.HELD, T.AMEND): S.HELD,
    (S.HELD, T.CANCEL): S.CANCELED,
    (S.HELD, T.EXPIRE): S.EXPIRED,
    (S.HELD, T.REPLACE): S.REPLACED,
    (S.HELD, T.HOLD): S.HELD,  # re-held (e.g. quantity cleared when its group is deleted)
    (S.NEW, T.TRIGGER): S.NEW,
    (S.NEW, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.NEW, T.FILL): S.FILLED,
    (S.NEW, T.AMEND): S.NEW,
    (S.NEW, T.CANCEL): S.CANCELED,
    (S.NEW, T.EXPIRE): S.EXPIRED,
    (S.NEW, T.REPLACE): S.REPLACED,
    (S.NEW, T.DEACTIVATE): S.HELD,
    (S.PARTIALLY_FILLED, T.TRIGGER): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, T.FILL): S.FILLED,
    # Amending a partially filled order down to its CumQty completes it (FIX: OrderQty = CumQty).
    (S.PARTIALLY_FILLED, T.AMEND): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, T.CANCEL): S.CANCELED,
    (S.PARTIALLY_FILLED, T.EXPIRE): S.EXPIRED,
    (S.PARTIALLY_FILLED, T.REPLACE): S.REPLACED,
}


def next_status(status: S, transition: Transition) -> S:
    """Return the status after ``transition``; raise IllegalTransition if the table has no row."""
    try:
        return TRANSITIONS[(status, transition)]
    except KeyError:
        raise IllegalTransition(f"{transition.value} not allowed from {status.value}") from None


def is_allowed(status: S, transition: Transition) -> bool:
    """True when the table has a row for ``(status, transition)``."""
    return (status, transition) in TRANSITIONS
