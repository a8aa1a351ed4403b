"""Admission of a new order: validation of the command and the session rules.

Invariant: these functions only read state and raise ``DomainError`` (reason, field, text); they
never change anything, so a refused command leaves the engine exactly as it was.

Session rules (spec section 4; TradeStation seed 001 texts are produced by the dialect from the
reasons): with a session schedule,
- after the regular close (POST), a DAY order that is not extended-hours is refused
  (NO_DAY_ORDERS_AFTER_CLOSE), and market and stop orders are refused
  (NO_MARKET_ORDERS_OUTSIDE_REGULAR);
- extended-hours orders must be limit orders;
- OPG orders are accepted only before the regular open (OPG_AFTER_OPEN);
- IOC and FOK orders (FIX 59=3/4: what does not execute at once is canceled) are accepted only
  when they may work now: in the regular session, or in PRE/POST when extended-hours; else they
  are refused (SESSION_CLOSED) rather than left to wait for the open (a Held one released
  while the market is closed to it is canceled then, ``Matching._work``);
- while the market is CLOSED or in PRE, other orders are accepted and wait (parked) for a session
  in which they may work; a DAY order then expires at the close of that session.
"""

from __future__ import annotations

from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import (
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.sessions import SessionPhase
from condor.domain.values import CL_ORD_ID_MAX, MAX_UNITS

R = RejectReason


def _typed(value, kind, field: str, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DomainError(R.INVALID_FIELD, f"{field} has the wrong type", field)


def reference_px(ext) -> int | None:
    """The highest price an ``ExternalMarket`` shows now (bid, ask, last; ticks), or None
    (no feed): what a market or trailing order's value is checked at (``check_units``)."""
    if ext is None:
        return None
    seen = [p for p in (ext.bid, ext.ask, ext.last) if p is not None]
    return max(seen) if seen else None


def check_units(qty: int, prices: dict[str, int | None], ref_px: int | None = None) -> None:
    """Refuse a quantity (lots), a price field (ticks) or an order value (lots x the highest of
    ``prices`` and ``ref_px``, in tick-lots) above ``MAX_UNITS``: the journal stores them as
    64-bit integers, and a value it cannot store would fail the commit and stop the writer.
    Raises DomainError(INVALID_FIELD) naming the field."""
    if qty > MAX_UNITS:
        raise DomainError(R.INVALID_FIELD, "quantity is too large", "quantity")
    top = ref_px or 0
    for field, p in prices.items():
        if p is not None:
            if abs(p) > MAX_UNITS:
                raise DomainError(R.INVALID_FIELD, f"{field} is too large", field)
            top = max(top, p)
    if qty * top > MAX_UNITS:
        raise DomainError(
            R.INVALID_FIELD,
            "order value too large: quantity x price exceeds 2**63 - 1 ticks x lots",
            "quantity",
        )


def validate_submit(cmd: SubmitOrder, inst, now_ns: int, ext=None) -> None:
    """Check field presence, types and ranges of a SubmitOrder; ``ext`` (the venue's
    ``ExternalMarket``, optional) gives the price a market or trailing order's value is checked
    at (``check_units``). Raises DomainError."""
    _typed(cmd.side, Side, "side")
    _typed(cmd.ord_type, OrdType, "ord_type")
    _typed(cmd.tif, TimeInForce, "time_in_force")
    _typed(cmd.price, int, "price", True)
    _typed(cmd.stop_price, int, "stop_price", True)
    _typed(cmd.expire_ns, int, "expire_time", True)
    _typed(cmd.display_qty, int, "display_qty", True)
    _typed(cmd.basis, TriggerBasis, "basis", True)
    _typed(cmd.condition, TriggerCondition, "condition", True)
    _typed(cmd.position_effect, PositionEffect, "position_effect", True)
    _typed(cmd.extended, bool, "extended")
    _typed(cmd.activate, bool, "activate")
    _typed(cmd.price_offset, int, "price_offset", True)
    _typed(cmd.post_only, bool, "post_only")
    if cmd.post_only and (
        cmd.ord_type is not OrdType.LIMIT or cmd.tif in (TimeInForce.IOC, TimeInForce.FOK)
    ):
        raise DomainError(
            R.INVALID_FIELD, "post-only needs a Limit order that may rest (not IOC/FOK)",
            "post_only",
        )  # fmt: skip
    linked = cmd.price_offset is not None
    if linked and cmd.activate:
        raise DomainError(
            R.INVALID_FIELD, "a price offset needs an order that a group releases", "price_offset"
        )
    if cmd.trail is not None:
        _typed(cmd.trail, TrailSpec, "trail")
        _typed(cmd.trail.kind, TrailKind, "trail")
        _typed(cmd.trail.offset, int, "trail")
        _typed(cmd.trail.activation, int, "activation", True)
        _typed(cmd.trail.limit_offset, int, "limit_offset", True)
    if cmd.basis is TriggerBasis.MID and cmd.ord_type.is_trailing:
        raise DomainError(R.UNSUPPORTED, "trailing stops cannot trail the mid", "basis")
    ot = cmd.ord_type
    if not isinstance(cmd.qty, int) or isinstance(cmd.qty, bool):
        raise DomainError(R.INVALID_FIELD, "quantity must be a whole number of lots", "quantity")
    if cmd.qty < 0 or (cmd.qty == 0 and not _position_attached(cmd)):
        raise DomainError(R.NON_POSITIVE_QTY, "quantity must be positive", "quantity")
    if ot is OrdType.BLOCK_TRADE:
        raise DomainError(R.UNSUPPORTED, "block trades use SubmitBlockTrade", "ord_type")
    if ot.has_limit:
        if cmd.price is None and not (linked and ot is OrdType.LIMIT):
            raise DomainError(R.MISSING_FIELD, f"{ot.value} order needs a limit price", "price")
        if cmd.price is not None and cmd.price <= 0:
            raise DomainError(R.INVALID_FIELD, "limit price must be positive", "price")
    elif cmd.price is not None and ot is not OrdType.TRAILING_STOP_LIMIT:
        raise DomainError(R.INVALID_FIELD, f"{ot.value} order takes no limit price", "price")
    if ot is OrdType.STOP_MARKET or ot is OrdType.STOP_LIMIT:
        if cmd.stop_price is None and not linked:
            raise DomainError(R.MISSING_FIELD, f"{ot.value} order needs a stop price", "stop_price")
        if cmd.stop_price is not None and cmd.stop_price <= 0:
            raise DomainError(R.INVALID_FIELD, "stop price must be positive", "stop_price")
    elif not ot.is_trailing and cmd.stop_price is not None:
        raise DomainError(R.INVALID_FIELD, f"{ot.value} order takes no stop price", "stop_price")
    if ot.is_trailing:
        tr = cmd.trail
        if tr is None:
            raise DomainError(R.MISSING_FIELD, "trailing stop needs a trailing offset", "trail")
        if tr.offset <= 0:
            raise DomainError(R.INVALID_FIELD, "trailing offset must be positive", "trail")
        if tr.kind is TrailKind.PERCENT and tr.offset >= 1_000_000:
            raise DomainError(R.INVALID_FIELD, "trailing percent must be below 100", "trail")
        if ot is OrdType.TRAILING_STOP_LIMIT and (tr.limit_offset is None or tr.limit_offset < 0):
            raise DomainError(
                R.MISSING_FIELD, "trailing stop limit needs a limit offset", "limit_offset"
            )
        if tr.activation is not None and tr.activation <= 0:
            raise DomainError(R.INVALID_FIELD, "activation price must be positive", "activation")
    elif cmd.trail is not None:
        raise DomainError(R.INVALID_FIELD, "only trailing stops take a trailing offset", "trail")
    if cmd.condition is not None and not ot.is_stop:
        raise DomainError(R.INVALID_FIELD, "only stop orders take a condition", "condition")
    if cmd.display_qty is not None and not (0 < cmd.display_qty <= max(cmd.qty, 1)):
        raise DomainError(
            R.INVALID_FIELD, "display quantity must be between 1 and the quantity", "display_qty"
        )
    if cmd.display_qty is not None and not ot.has_limit:
        raise DomainError(R.INVALID_FIELD, "display quantity needs a limit order", "display_qty")
    if cmd.tif is TimeInForce.GTD:
        if cmd.expire_ns is None:
            raise DomainError(R.MISSING_FIELD, "GTD order needs an expire time", "expire_time")
        if cmd.expire_ns <= now_ns:
            raise DomainError(R.EXPIRE_TIME_IN_PAST, "expire time is in the past", "expire_time")
    elif cmd.expire_ns is not None:
        raise DomainError(R.INVALID_FIELD, "only GTD orders take an expire time", "expire_time")
    if cmd.tif in (TimeInForce.IOC, TimeInForce.FOK) and ot.is_stop:
        pass  # an IOC/FOK stop works as IOC/FOK once elected
    if cmd.extended and ot is not OrdType.LIMIT:
        raise DomainError(R.INVALID_FIELD, "extended-hours orders must be limit orders", "extended")
    if cmd.cl_ord_id is not None and (not isinstance(cmd.cl_ord_id, str) or not cmd.cl_ord_id):
        raise DomainError(R.INVALID_FIELD, "ClOrdID must be a non-empty string", "cl_ord_id")
    if cmd.cl_ord_id is not None and (
        len(cmd.cl_ord_id) > CL_ORD_ID_MAX or not cmd.cl_ord_id.isprintable()
    ):
        raise DomainError(
            R.INVALID_FIELD,
            f"ClOrdID must have at most {CL_ORD_ID_MAX} printable characters",
            "cl_ord_id",
        )
    tr = cmd.trail
    check_units(
        cmd.qty,
        {
            "price": cmd.price,
            "stop_price": cmd.stop_price,
            "activation": tr.activation if tr is not None else None,
        },
        reference_px(ext) if ot is OrdType.MARKET or ot.is_trailing else None,
    )
    offsets = {
        "display_qty": cmd.display_qty,
        "price_offset": cmd.price_offset,
        "trail": tr.offset if tr is not None else None,
        "limit_offset": tr.limit_offset if tr is not None else None,
    }
    for field, n in offsets.items():
        if n is not None and abs(n) > MAX_UNITS:
            raise DomainError(R.INVALID_FIELD, f"{field} is too large", field)


TO_MARKET_FROM = (OrdType.LIMIT, OrdType.STOP_MARKET, OrdType.STOP_LIMIT)


def check_to_market(o, cmd, phase: SessionPhase | None) -> None:
    """A ModifyOrder with ``ord_type`` (FIX 40 on 35=G): only MARKET, only from a Limit,
    StopMarket or StopLimit order (TradeStation PUT, wire-formats section 1.8), with no price,
    stop price or display quantity, not for an extended-hours or post-only order, and not
    after the regular close (the session rules above). ``o``: the live order; ``phase``: the
    venue's session phase (None: no schedule). Raises DomainError naming the field."""
    _typed(cmd.ord_type, OrdType, "ord_type")
    if cmd.ord_type is not OrdType.MARKET:
        raise DomainError(R.UNSUPPORTED, "an order can only be changed into Market", "ord_type")
    if o.ord_type not in TO_MARKET_FROM:
        raise DomainError(
            R.MODIFY_NOT_ALLOWED, f"a {o.ord_type.value} order cannot become Market", "ord_type"
        )
    for attr, field in (("price", "price"), ("stop_price", "stop_price"),
                        ("display_qty", "display_qty"), ("trail_offset", "trail")):  # fmt: skip
        if getattr(cmd, attr) is not None:
            raise DomainError(R.INVALID_FIELD, f"a Market order takes no {field}", field)
    if o.extended:
        raise DomainError(R.INVALID_FIELD, "extended-hours orders must be limit orders", "ord_type")
    if o.post_only:
        raise DomainError(R.INVALID_FIELD, "a post-only order cannot become Market", "ord_type")
    if phase is SessionPhase.POST:
        raise DomainError(
            R.NO_MARKET_ORDERS_OUTSIDE_REGULAR,
            "no market or stop orders after the regular close",
            "ord_type",
        )


def _position_attached(cmd: SubmitOrder) -> bool:
    """Quantity 0 is allowed for a Held CLOSE child sized by its group (Sway IF-THEN)."""
    return not cmd.activate and cmd.position_effect is PositionEffect.CLOSE


def check_session(cmd: SubmitOrder, phase: SessionPhase | None) -> None:
    """Apply the session rules of this module's docstring. ``phase`` None: no schedule."""
    if phase is None:
        if cmd.tif is TimeInForce.OPG or cmd.tif is TimeInForce.CLS:
            raise DomainError(R.UNSUPPORTED, "OPG/CLS need a session calendar", "time_in_force")
        return
    ot = cmd.ord_type
    if phase is SessionPhase.POST:
        if ot is OrdType.MARKET or ot.is_stop:
            raise DomainError(
                R.NO_MARKET_ORDERS_OUTSIDE_REGULAR,
                "no market or stop orders after the regular close",
                "ord_type",
            )
        if cmd.tif is TimeInForce.DAY and not cmd.extended:
            raise DomainError(
                R.NO_DAY_ORDERS_AFTER_CLOSE,
                "no DAY orders after the regular close",
                "time_in_force",
            )
    works_now = cmd.activate and cmd.activation is None  # a Held order is checked on release
    if (
        works_now
        and (cmd.tif is TimeInForce.IOC or cmd.tif is TimeInForce.FOK)
        and not (
            phase is SessionPhase.REGULAR or (cmd.extended and phase is not SessionPhase.CLOSED)
        )
    ):
        raise DomainError(
            R.SESSION_CLOSED,
            f"{cmd.tif.value} orders execute at once: not while the market is closed to them",
            "time_in_force",
        )
    if cmd.tif is TimeInForce.OPG and phase not in (SessionPhase.PRE, SessionPhase.CLOSED):
        raise DomainError(R.OPG_AFTER_OPEN, "OPG orders only before the open", "time_in_force")
    if cmd.tif is TimeInForce.CLS and phase is SessionPhase.POST:
        raise DomainError(R.SESSION_CLOSED, "CLS orders only before the close", "time_in_force")
