"""TradeStation's error format: ``{"Message": "...", "StatusCode": n}`` (wire-formats.md 1.10),
and the texts that engine reasons become (seed 000/001, sections 1.6-1.10).

Invariant: every error on a ``/v2`` route leaves as this body with
``application/json; charset=utf-8`` (JSONP: inside the callback, HTTP 200). A refused command
changed nothing (engine invariant), so every 4xx here leaves state as it was.
"""

from __future__ import annotations

from condor.api.errors import ApiError
from condor.domain.errors import RejectReason

R = RejectReason

UNAUTHORIZED = "Unauthorized"
NOT_AUTHORIZED_ACCOUNT = (
    "Order failed. Reason: Request originator is not authorized to trade this account"
)
INVALID_INPUT = "Please provide valid order input."
MISSING_FIELD = "Invalid Request. Order input is incomplete, missing field"
INVALID_ORDER_TYPE = "Invalid order type."
MISSING_SYMBOL = "Missing order symbol."
INVALID_LIMIT = "Invalid limit price."
MISSING_TIF = "Order failed. Reason: Missing TIF"
BUILD = "Failed to build order: "
TRAIL_STOP_ONLY = "Order failed. Reason: Trailing stop is valid for stop orders only"
TRAIL_POINTS = "Failed to build order: Invalid trailing stop number by points"
TRAIL_PERCENT = "Failed to build order confirmation: Invalid trailing stop number by percentage"
GROUP_INPUT = "Please provide valid group order input."
GROUP_TYPE = "Please provide valid group order type."
GROUP_EACH = "Please provide each order input for the group order."
GROUP_PAIR = "Group order must include at least one pair of orders."
NOT_OPEN = "Not an open order."
INVALID_ORDER_ID = "Invalid order ID."
INVALID_ACCOUNT = "Invalid account."
MISSING_TYPE = "Missing order type."
MISSING_QTY = "Missing order quantity."
MISSING_LIMIT = "Missing order limit price."
REPLACE_FAILED = "Failed to Cancel/Replace order."
FAILED = "Order failed. Reason: "
GROUP_NOT_PLACED = "Order failed. Reason: another order of the group failed"
OCO_ONE_ACCOUNT = "Failed to build order: all orders of an OCO group must be in one account"
INVALID_USER = "Invalid user ID."
INTERNAL = "Internal server error."

SESSION_TEXTS = {
    R.NO_DAY_ORDERS_AFTER_CLOSE: "No Day orders after 4:00PM Eastern",
    R.NO_MARKET_ORDERS_OUTSIDE_REGULAR: "No market or stop orders after 4:00 PM  Eastern",
}
"""The seed's texts (000 BRK response), verbatim: note the two spaces before "Eastern"."""

_BUILD_REASONS = frozenset(
    {
        R.INVALID_FIELD,
        R.MISSING_FIELD,
        R.UNKNOWN_INSTRUMENT,
        R.UNKNOWN_ACCOUNT,
        R.PRICE_OFF_TICK,
        R.QTY_OFF_LOT,
        R.NON_POSITIVE_QTY,
        R.DUPLICATE_CL_ORD_ID,
        R.UNSUPPORTED,
        R.GROUP_INVALID,
        R.GROUP_MEMBER_INVALID,
    }
)


class TSError(Exception):
    """An error answered as ``{"Message", "StatusCode"}`` with HTTP ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict:
        return {"Message": self.message, "StatusCode": self.status}


def bad(message: str) -> TSError:
    return TSError(400, message)


def failed_text(reason: RejectReason | str | None, detail: str) -> str:
    """The Order Result message of an order the engine refused after giving it an id."""
    r = _reason(reason)
    return FAILED + SESSION_TEXTS.get(r, detail) if r is not None else FAILED + detail


def is_build_failure(reason: RejectReason | str | None) -> bool:
    """True for a refusal of the input itself (400, no order id), False for a refusal of a
    well-formed order (session, risk, matching: 200 with OrderStatus Failed)."""
    r = _reason(reason)
    return r is None or r in _BUILD_REASONS


def from_api_error(e: ApiError) -> TSError:
    """A native ApiError (runtime rejection, auth, store) in TradeStation's format."""
    if e.status == 401:
        return TSError(401, UNAUTHORIZED)
    if e.status == 403:
        return TSError(401, NOT_AUTHORIZED_ACCOUNT)
    if e.status >= 500:
        return TSError(e.status, e.detail)
    r = _reason(e.reason)
    if r in (R.UNKNOWN_ORDER,):
        return TSError(400, INVALID_ORDER_ID)
    if r in (R.ORDER_TERMINAL, R.ORDER_NOT_WORKING):
        return TSError(400, NOT_OPEN)
    if is_build_failure(r):
        return TSError(400, BUILD + e.detail)
    return TSError(400, failed_text(r, e.detail))


def _reason(reason) -> RejectReason | None:
    if reason is None or isinstance(reason, RejectReason):
        return reason
    try:
        return RejectReason(reason)
    except ValueError:
        return None
