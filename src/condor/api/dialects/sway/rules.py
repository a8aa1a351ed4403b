"""Sway request checks that need engine state and that the engine's group validators
(``sway_oco``, ``sway_if_then``) do not make (wire-formats.md section 3.6, contingency.md
section 2, seed 002).

Invariant: each check only reads engine state and raises SwayError 400 code 33 naming the
order and the rule; a refused request changes nothing. The checks:
- ``check_if_order``: an IF-THEN group whose IF order would reduce the account's opposite
  position. Positions are netted per account and instrument, so such an IF order closes
  (part of) that position instead of opening one, and its THEN orders, which close what the
  IF order opened, would be canceled on release with nothing to close.
- ``check_then_quantity``: a quantity change on a position-attached THEN order. Its quantity
  comes from the IF order's fill (section 3.6 "they activate when the parent fully fills and
  then receive the filled quantity").
- ``check_oco_quantity``: a quantity change that makes an OCO order's quantity differ from
  the other orders of its group (section 3.6 "non-zero and equal quantity").
"""

from __future__ import annotations

from condor.api.dialects.sway.errors import bad_request
from condor.domain.groups.model import GroupStatus
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdStatus, PositionEffect
from condor.domain.orders.order import Order

_THEN_RULE = "a THEN order's quantity comes from the IF order's fill (position attached)"


def check_if_order(e, parent: SubmitOrder) -> None:
    """Refuse the IF order ``parent`` (``orders[0]`` of an IF-THEN group) when it is on the
    side opposite to the account's current net position in its instrument (a buy against a
    short, a sell against a long). An IF order with ``positionEffect`` CLOSE is left to the
    engine's ``sway_if_then`` rule (which names it). Raises SwayError 400 code 33."""
    if parent.position_effect is PositionEffect.CLOSE:
        return
    account = e.accounts.get(parent.account)
    pos = account.positions.get(parent.symbol) if account is not None else None
    if pos is None or pos.qty == 0 or (pos.qty > 0) == parent.side.is_buy:
        return
    held = "long" if pos.qty > 0 else "short"
    raise bad_request(
        f"orders[0]: the IF order would reduce the account's {held} position in "
        f"{parent.symbol}; positions are netted per account and instrument, so its THEN "
        "orders could not close what it opens (place it as a single order)"
    )


def _then_group(e, o: Order):
    """The active IF-THEN group in which ``o`` is a position-attached THEN order, or None."""
    for gid in o.groups or ():
        g = e.groups.get(gid)
        if g is None or g.kind != GroupKind.OTO_OUO.value or g.status is not GroupStatus.ACTIVE:
            continue
        for m in g.members[1:]:
            if m.order_id == o.order_id and m.base_qty == 0:
                return g
    return None


def check_then_quantity(e, o: Order, qty: int | None) -> None:
    """Refuse a new quantity ``qty`` (lots; None = keep) for a position-attached THEN order:
    while it waits (Held without quantity) any quantity; once released, any quantity but its
    current one. Raises SwayError 400 code 33 naming ``quantity``."""
    if qty is None:
        return
    if o.status is OrdStatus.HELD and o.qty == 0:
        raise bad_request(
            f"quantity: order {o.cl_ord_id or o.order_id} waits for its IF order; {_THEN_RULE}, "
            "so send 0 or omit quantity"
        )
    if qty != o.qty and _then_group(e, o) is not None:
        raise bad_request(
            f"quantity: order {o.cl_ord_id or o.order_id} is a THEN order; {_THEN_RULE} "
            f"({o.inst.lots_to_qty(o.qty)}) and cannot be changed"
        )


def check_oco_quantity(e, o: Order, qty: int | None) -> None:
    """Refuse a new quantity ``qty`` (lots; None = keep) for an order of an active Sway OCO
    group when it differs from the quantity of another live order of the group. Raises
    SwayError 400 code 33 naming ``quantity``."""
    if qty is None:
        return
    for gid in o.groups or ():
        g = e.groups.get(gid)
        if g is None or g.kind != GroupKind.OCO_FINAL.value or g.status is not GroupStatus.ACTIVE:
            continue
        for m in g.members:
            other = e.orders.get(m.order_id)
            if not m.active or other is None or other is o or other.status.is_terminal:
                continue
            if other.qty != qty:
                raise bad_request(
                    f"quantity: OCO orders must have equal quantities; order "
                    f"{other.cl_ord_id or other.order_id} of the group has "
                    f"{o.inst.lots_to_qty(other.qty)}"
                )
