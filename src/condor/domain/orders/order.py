"""The order aggregate.

Invariant: ``0 <= cum_qty <= qty``; ``leaves_qty == qty - cum_qty`` while the order is live and 0
once terminal; ``status`` changes only through ``apply`` (which consults the transition table in
``status.py``); prices are int ticks (``None`` when absent, never 0), quantities int lots.
``cum_cost`` is the sum of ``fill_px * fill_qty`` in ticks x lots, so AvgPx = cum_cost / cum_qty.
"""

from __future__ import annotations

from condor.domain.orders.enums import (
    OrdStatus,
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.orders.status import Transition, next_status


class TrailState:
    """A trailing stop's parameters and running state.

    ``offset`` is ticks for AMOUNT/TICKS and parts-per-million of the water mark for PERCENT;
    ``activation`` (ticks or None) must be reached before trailing starts; ``water`` is the
    high-water mark (sell) or low-water mark (buy) in ticks once active, else None;
    ``limit_offset`` (ticks or None) prices a TrailingStopLimit once elected.
    """

    __slots__ = ("activation", "kind", "limit_offset", "offset", "water")

    def __init__(
        self,
        kind: TrailKind,
        offset: int,
        activation: int | None = None,
        limit_offset: int | None = None,
        water: int | None = None,
    ) -> None:
        self.kind = kind
        self.offset = offset
        self.activation = activation
        self.limit_offset = limit_offset
        self.water = water

    def offset_ticks(self, water: int) -> int:
        """Distance in ticks between the water mark and the stop. A percent offset is rounded
        up to whole ticks (at least one): the conservative direction, so the stop fires only
        once the price has moved at least the percentage from the mark (a sell stop at or
        below ``water * (1 - pct)``, a buy stop at or above ``water * (1 + pct)``), never on a
        smaller move that nearest-tick rounding would let through."""
        if self.kind is TrailKind.PERCENT:
            return max(1, -(-abs(water) * self.offset // 1_000_000))
        return self.offset

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "offset": self.offset,
            "activation": self.activation,
            "limit_offset": self.limit_offset,
            "water": self.water,
        }


class Order:
    """One order. Build with keyword arguments; change only through ``apply``.

    Units: ``qty``, ``cum_qty``, ``display_qty``, ``visible`` in lots; ``price`` (limit),
    ``stop_price`` (trigger) in ticks; ``*_ns`` integer ns UTC. ``groups`` lists the ids of the
    groups the order belongs to (None when none, to save memory on plain orders).
    ``orig_order_id`` is the order a cancel/replace with a new id replaced (None otherwise).
    """

    __slots__ = (
        "account",
        "activated",
        "basis",
        "cl_ord_id",
        "cmd_id",
        "condition",
        "cum_cost",
        "cum_qty",
        "display_qty",
        "expire_ns",
        "extended",
        "groups",
        "hold_cash",
        "hold_net",
        "hold_pos",
        "inst",
        "ord_type",
        "order_id",
        "orig_order_id",
        "owner",
        "position_effect",
        "post_only",
        "price",
        "price_offset",
        "priority",
        "qty",
        "side",
        "status",
        "stop_price",
        "strict",
        "text",
        "tif",
        "trail",
        "triggered",
        "ts_created",
        "ts_updated",
        "visible",
    )

    def __init__(
        self,
        *,
        order_id: int,
        account: str,
        inst,
        side: Side,
        ord_type: OrdType,
        qty: int,
        tif: TimeInForce = TimeInForce.DAY,
        price: int | None = None,
        stop_price: int | None = None,
        cl_ord_id: str | None = None,
        expire_ns: int | None = None,
        extended: bool = False,
        display_qty: int | None = None,
        basis: TriggerBasis | None = None,
        strict: bool = False,
        condition: TriggerCondition | None = None,
        trail: TrailState | None = None,
        position_effect: PositionEffect | None = None,
        owner: str | None = None,
        text: str | None = None,
        ts: int = 0,
        cmd_id: int = 0,
        price_offset: int | None = None,
        post_only: bool = False,
        orig_order_id: int | None = None,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.inst = inst
        self.side = side
        self.ord_type = ord_type
        self.qty = qty
        self.tif = tif
        self.price = price
        self.stop_price = stop_price
        self.cl_ord_id = cl_ord_id
        self.expire_ns = expire_ns
        self.extended = extended
        self.display_qty = display_qty
        self.visible = 0
        self.basis = basis
        self.strict = strict
        self.condition = condition
        self.trail = trail
        self.position_effect = position_effect
        self.owner = owner
        self.text = text
        self.price_offset = price_offset  # ticks from the releasing fill (SubmitOrder)
        self.post_only = post_only  # book or cancel: never takes liquidity (FIX ExecInst=6)
        self.orig_order_id = orig_order_id  # the order this one replaced (cancel/replace)
        self.status = OrdStatus.PENDING_NEW
        self.cum_qty = 0
        self.cum_cost = 0
        self.hold_cash = 0
        self.hold_pos = 0
        self.hold_net = 0
        self.priority = 0
        self.triggered = False
        self.activated = False  # has worked (accepted or activated) at least once
        self.groups: list | None = None
        self.ts_created = ts
        self.ts_updated = ts
        self.cmd_id = cmd_id

    # -- derived ------------------------------------------------------------------------
    @property
    def symbol(self) -> str:
        return self.inst.symbol

    @property
    def leaves_qty(self) -> int:
        """FIX 151 LeavesQty: open quantity; 0 once terminal (and for Held orders it is the
        quantity that will work once released)."""
        if self.status.is_terminal:
            return 0
        return self.qty - self.cum_qty

    @property
    def is_live(self) -> bool:
        """Not terminal (New, PartiallyFilled, Held, PendingNew)."""
        return not self.status.is_terminal

    @property
    def is_working(self) -> bool:
        return self.status is OrdStatus.NEW or self.status is OrdStatus.PARTIALLY_FILLED

    @property
    def is_pending_stop(self) -> bool:
        """A stop not yet elected: it waits in the trigger index, not in the book."""
        return self.ord_type.is_stop and not self.triggered

    def avg_px_ticks(self) -> tuple[int, int]:
        """AvgPx as an exact fraction (cum_cost, cum_qty) in ticks; (0, 0) before any fill."""
        return (self.cum_cost, self.cum_qty)

    # -- the only mutator ---------------------------------------------------------------
    def apply(self, transition: Transition, ts: int, fill_qty: int = 0, fill_px: int = 0) -> None:
        """Move along the transition table and record a fill if there is one.

        For PARTIAL_FILL/FILL, ``fill_qty`` lots at ``fill_px`` ticks are added to CumQty;
        raises ValueError if that would overfill. Raises IllegalTransition for a missing row.
        """
        if transition is Transition.PARTIAL_FILL or transition is Transition.FILL:
            if fill_qty <= 0 or self.cum_qty + fill_qty > self.qty:
                raise ValueError(f"order {self.order_id}: fill {fill_qty} exceeds leaves")
            self.status = next_status(self.status, transition)
            self.cum_qty += fill_qty
            self.cum_cost += fill_qty * fill_px
        else:
            self.status = next_status(self.status, transition)
            if transition is Transition.ACCEPT or transition is Transition.ACTIVATE:
                self.activated = True
        self.ts_updated = ts

    def add_group(self, group_id: str) -> None:
        if self.groups is None:
            self.groups = [group_id]
        elif group_id not in self.groups:
            self.groups.append(group_id)

    def remove_group(self, group_id: str) -> None:
        if self.groups and group_id in self.groups:
            self.groups.remove(group_id)
            if not self.groups:
                self.groups = None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return (
            f"Order({self.order_id} {self.side.value} {self.qty}@{self.price} "
            f"{self.ord_type.value} {self.status.value} cum={self.cum_qty})"
        )
