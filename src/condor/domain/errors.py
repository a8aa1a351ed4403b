"""Reject reasons: one enum for the whole system, grouped by subsystem (exchange-core style).

Invariant: every rejection the engine emits carries exactly one ``RejectReason``, the name of the
offending field (or ``None`` when no single field is at fault) and a human-readable text.
Dialects translate the reason into their own wire messages; they never parse the text.
"""

from __future__ import annotations

from enum import Enum


class RejectReason(str, Enum):
    """Why a command was refused. The prefix names the subsystem that refused it."""

    # validation of the request itself (nothing was created)
    INVALID_FIELD = "validation.invalid_field"
    MISSING_FIELD = "validation.missing_field"
    UNKNOWN_INSTRUMENT = "validation.unknown_instrument"
    UNKNOWN_ACCOUNT = "validation.unknown_account"
    PRICE_OFF_TICK = "validation.price_off_tick"
    QTY_OFF_LOT = "validation.qty_off_lot"
    NON_POSITIVE_QTY = "validation.non_positive_qty"
    DUPLICATE_CL_ORD_ID = "validation.duplicate_cl_ord_id"
    UNSUPPORTED = "validation.unsupported"
    # order lifecycle
    UNKNOWN_ORDER = "order.unknown_order"
    ORDER_NOT_WORKING = "order.not_working"
    ORDER_TERMINAL = "order.terminal"
    MODIFY_NOT_ALLOWED = "order.modify_not_allowed"
    # sessions
    SESSION_CLOSED = "session.closed"
    NO_DAY_ORDERS_AFTER_CLOSE = "session.no_day_orders_after_close"
    NO_MARKET_ORDERS_OUTSIDE_REGULAR = "session.no_market_orders_outside_regular"
    EXPIRE_TIME_IN_PAST = "session.expire_time_in_past"
    OPG_AFTER_OPEN = "session.opg_after_open"
    # risk / accounts
    INSUFFICIENT_FUNDS = "risk.insufficient_funds"
    NO_LONG_POSITION = "risk.no_long_position"
    NO_SHORT_POSITION = "risk.no_short_position"
    POSITION_HELD = "risk.position_held"
    # matching
    FOK_NOT_FILLABLE = "matching.fok_not_fillable"
    IOC_NO_LIQUIDITY = "matching.ioc_no_liquidity"
    POST_ONLY_WOULD_TAKE = "matching.post_only_would_take"
    SELF_TRADE = "matching.self_trade_prevented"
    NO_LIQUIDITY = "matching.no_liquidity"
    # groups
    GROUP_INVALID = "group.invalid"
    GROUP_MEMBER_INVALID = "group.member_invalid"
    GROUP_NOT_ACTIVE = "group.not_active"
    UNKNOWN_GROUP = "group.unknown_group"
    # permissions
    NOT_AUTHORIZED = "auth.not_authorized"


class DomainError(Exception):
    """Raised inside the domain when a command cannot be applied.

    Attributes: ``reason`` (RejectReason), ``field`` (str | None, the request field at fault),
    ``text`` (human-readable explanation). The engine turns it into a rejection event; it never
    escapes the engine.
    """

    def __init__(self, reason: RejectReason, text: str, field: str | None = None) -> None:
        super().__init__(text)
        self.reason = reason
        self.field = field
        self.text = text

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"DomainError({self.reason.value}, field={self.field!r}, text={self.text!r})"


class IllegalTransition(Exception):
    """An order was asked to move along a transition its status table does not allow.

    This is a programming error, never a user error: the engine validates before it applies.
    """
