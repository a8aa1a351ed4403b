"""AlphaPoint APEX errors: the generic response and the engine-rejection translation.

Invariant: every failure this dialect answers is either the generic response
``{"result": false, "errormsg", "errorcode", "detail"}`` (spec section 4.9), the SendOrder
rejection ``{"status": "Rejected", "errormsg", "errorcode", "OrderId": 0}`` (section 4.6), or
an ``m=5`` error frame for an unknown function (section 4.3). A failed call has changed
nothing: validation happens before any command, and a rejected engine command changes nothing.

Codes (section 4.9): 20 Not Authorized, 100 Invalid Request, 101 Operation Failed, 102 Server
Error, 104 Resource Not Found, 106 Operation Not Supported, 909 Already Subscribed.
"""

from __future__ import annotations

from condor.domain.errors import RejectReason

R = RejectReason

NOT_AUTHORIZED = 20
INVALID_REQUEST = 100
OPERATION_FAILED = 101
SERVER_ERROR = 102
NOT_FOUND = 104
NOT_SUPPORTED = 106
ALREADY_SUBSCRIBED = 909

MESSAGES = {
    NOT_AUTHORIZED: "Not Authorized",
    INVALID_REQUEST: "Invalid Request",
    OPERATION_FAILED: "Operation Failed",
    SERVER_ERROR: "Server Error",
    NOT_FOUND: "Resource Not Found",
    NOT_SUPPORTED: "Operation Not Supported",
    ALREADY_SUBSCRIBED: "Already Subscribed.",
}


class ApError(Exception):
    """A failed call: ``code`` (section 4.9), ``detail`` (text for the client), ``field``
    (the payload key at fault, when one is), ``reason`` (engine RejectReason value)."""

    def __init__(
        self,
        code: int,
        detail: str | None = None,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail or MESSAGES.get(code, "Error"))
        self.code = code
        self.detail = detail
        self.field = field
        self.reason = reason  # the engine's RejectReason value, when the engine refused

    @property
    def errormsg(self) -> str:
        return MESSAGES.get(self.code, "Error")


def generic(ok: bool = True, code: int = 0, detail: str | None = None) -> dict:
    """The generic response (section 4.9): success ``{"result": true, "errormsg": null,
    "errorcode": 0, "detail": null}``."""
    if ok:
        return {"result": True, "errormsg": None, "errorcode": 0, "detail": None}
    return {
        "result": False,
        "errormsg": MESSAGES.get(code, "Error"),
        "errorcode": code,
        "detail": detail,
    }


def error_body(e: ApError) -> dict:
    return generic(False, e.code, e.detail)


# Engine reject reason -> (errorcode, SendOrder errormsg). Section 4.6 shows
# "Not_Enough_Funds" and "Invalid_ClientOrderId" (both 101).
_REASONS: dict[str, tuple[int, str]] = {
    R.NOT_AUTHORIZED.value: (NOT_AUTHORIZED, "Not Authorized"),
    R.UNKNOWN_ORDER.value: (NOT_FOUND, "Order Not Found"),
    R.UNKNOWN_INSTRUMENT.value: (NOT_FOUND, "Instrument not Found"),
    R.UNKNOWN_ACCOUNT.value: (NOT_FOUND, "Account not Found"),
    R.UNKNOWN_GROUP.value: (NOT_FOUND, "Resource Not Found"),
    R.INSUFFICIENT_FUNDS.value: (OPERATION_FAILED, "Not_Enough_Funds"),
    R.NO_LONG_POSITION.value: (OPERATION_FAILED, "Not_Enough_Funds"),
    R.NO_SHORT_POSITION.value: (OPERATION_FAILED, "Not_Enough_Funds"),
    R.POSITION_HELD.value: (OPERATION_FAILED, "Not_Enough_Funds"),
    R.DUPLICATE_CL_ORD_ID.value: (OPERATION_FAILED, "Invalid_ClientOrderId"),
    R.UNSUPPORTED.value: (NOT_SUPPORTED, "Operation Not Supported"),
    R.INVALID_FIELD.value: (INVALID_REQUEST, "Invalid Request"),
    R.MISSING_FIELD.value: (INVALID_REQUEST, "Invalid Request"),
    R.PRICE_OFF_TICK.value: (INVALID_REQUEST, "Invalid_Price"),
    R.QTY_OFF_LOT.value: (INVALID_REQUEST, "Invalid_Quantity"),
    R.NON_POSITIVE_QTY.value: (INVALID_REQUEST, "Invalid_Quantity"),
    "store.unavailable": (SERVER_ERROR, "Server Error"),
}


def from_reason(reason: str | None, text: str, field: str | None = None) -> ApError:
    """An engine/native rejection (``RejectReason`` value) -> ApError; unlisted reasons
    (session, matching, order state) are 101 Operation Failed."""
    code, _ = _REASONS.get(reason or "", (OPERATION_FAILED, "Operation Failed"))
    return ApError(code, text, field, reason)


def order_reject_message(reason: str | None) -> str:
    """SendOrder ``errormsg`` for an engine reject reason (section 4.6 spellings)."""
    return _REASONS.get(reason or "", (OPERATION_FAILED, "Operation Failed"))[1]
