"""Alor's error bodies (wire-formats section 2.7 and 2.8) and the route class that emits them.

Invariant: every error a route of this dialect answers is in one of Alor's shapes, never
problem+json:

- order commands and reads (``style="order"``): ``{"code": <reason>, "message": <text>}``
  plus ``"field"`` (the wire field at fault, dotted) when one is known;
- order groups (``style="group"``): ``{"title": "BadRequest", "status": 400, "detail":
  <text>}`` plus ``"field"``;
- an unknown order to cancel: 400 ``{"code": "OrderToCancelNotFound (404)", "message":
  "Order to cancel not found"}`` (section 2.7).

Field names and codes are the wire's (docs/dialects/alor.md, "Errors"): an engine refusal's
field (``stop_price``, ``expire_time``, ``members[1]``) is renamed to the request field it came
from (``triggerPrice``, ``stopEndUnixTime``, ``orders[1].orderId``) and its reason
(``session.expire_time_in_past``) becomes a PascalCase code (``ExpireTimeInPast``) of the same
family as the dialect's own (``InvalidPrice``, ``UnknownPortfolio``); both mappings leave wire
names unchanged, so a refusal stored for an idempotent replay maps the same way.

Status codes: 401 no or bad Bearer token (never 403: one client refreshes only on 401), 403 a
portfolio the caller may not trade, 404 an unknown resource named by a read path, 400
everything else the request got wrong (Alor answers engine refusals with 400). A 503 from the
journal keeps its status. Every 4xx leaves state unchanged (engine invariant: a rejected
command changes nothing).
"""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError

from condor.api.errors import ApiError
from condor.domain.errors import RejectReason as R

Style = Literal["order", "group"]

_KEEP = frozenset({401, 403, 503})


class AlorError(Exception):
    """An error answered in Alor's format: ``status``, ``code`` (machine reason), ``message``
    (human text), ``field`` (wire field, or None), ``style`` (which of Alor's shapes)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "BadRequest",
        field: str | None = None,
        style: Style | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.field = field
        self.style = style

    def response(self, style: Style = "order") -> Response:
        s = self.style or style
        if s == "group":
            body: dict = {"title": _TITLES.get(self.status, "BadRequest"), "status": self.status,
                          "detail": self.message}  # fmt: skip
        else:
            body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


_TITLES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
           503: "ServiceUnavailable"}  # fmt: skip


def bad(message: str, field: str | None = None, code: str = "BadRequest") -> AlorError:
    """A 400 in Alor's format."""
    return AlorError(400, message, code, field)


ENGINE_FIELDS = {
    "account": "user.portfolio",
    "symbol": "instrument.symbol",
    "ord_type": "type",
    "time_in_force": "timeInForce",
    "tif": "timeInForce",
    "post_only": "timeInForce",
    "stop_price": "triggerPrice",
    "expire_time": "stopEndUnixTime",
    "expire_ns": "stopEndUnixTime",
    "display_qty": "icebergFixed",
    "qty": "quantity",
    "activation": "activate",
    "text": "comment",
    "order_id": "orderId",
    "group_id": "orderGroupId",
    "kind": "executionPolicy",
    "rules": "executionPolicy",
    "validators": "executionPolicy",
    "members": "orders",
}
"""Engine command field -> the Alor request field it comes from (section 2.6 bodies built by
``mapping.to_submit``/``to_replace``, section 2.8 group bodies, the ``{orderGroupId}`` path).
Fields spelled alike on both sides (``side``, ``price``, ``quantity``, ``condition``,
``activate``) need no entry."""

REASON_CODES = {
    R.INVALID_FIELD: "InvalidField",
    R.MISSING_FIELD: "MissingField",
    R.UNKNOWN_INSTRUMENT: "UnknownInstrument",
    R.UNKNOWN_ACCOUNT: "UnknownPortfolio",
    R.PRICE_OFF_TICK: "InvalidPrice",
    R.QTY_OFF_LOT: "InvalidQuantity",
    R.NON_POSITIVE_QTY: "InvalidQuantity",
    R.UNKNOWN_ORDER: "OrderNotFound",
    R.NOT_AUTHORIZED: "Forbidden",
}
"""Engine reasons that share a code with the dialect's own checks; any other reason becomes
the PascalCase of its name (``risk.insufficient_funds`` -> ``InsufficientFunds``)."""


def wire_field(field: str | None) -> str | None:
    """Engine field -> wire field (``ENGINE_FIELDS``); ``members[i]`` (and anything below it:
    Alor members are existing orders) -> ``orders[i].orderId``. Anything else, wire names
    included, is returned unchanged."""
    if field is None:
        return None
    if field.startswith("members["):
        return "orders[" + field[len("members[") :].split("]", 1)[0] + "].orderId"
    return ENGINE_FIELDS.get(field, field)


def wire_code(reason: str | None) -> str:
    """Engine reason (``<subsystem>.<snake_case>``) -> Alor code (``REASON_CODES`` or the
    PascalCase of the part after the dot); a code without a dot (already Alor's) is kept,
    None is ``BadRequest``."""
    if not reason:
        return "BadRequest"
    try:
        return REASON_CODES[R(reason)]
    except (ValueError, KeyError):
        pass
    if "." not in reason:
        return reason
    return "".join(w.capitalize() for w in reason.split(".", 1)[1].split("_"))


def from_api_error(e: ApiError) -> AlorError:
    """A native ApiError (engine rejection, auth, journal) -> AlorError with the wire's field
    and code (``wire_field``, ``wire_code``). Statuses 401, 403 and 503 are kept; 404 stays
    404 only for path resources (``order_id``/``group_id`` of a read), every other refusal
    is Alor's 400."""
    status = e.status if e.status in _KEEP else 400
    code = "Unauthorized" if status == 401 else wire_code(e.reason)
    return AlorError(status, e.detail, code, wire_field(e.field))


def not_found_to_cancel() -> AlorError:
    """Section 2.7: cancel of an order that does not exist (or is not the caller's)."""
    return AlorError(400, "Order to cancel not found", "OrderToCancelNotFound (404)")


def validation_error(exc: RequestValidationError) -> AlorError:
    errs = exc.errors()
    first = errs[0] if errs else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or None
    return bad(f"{field}: {first.get('msg', 'invalid request')}", field, "InvalidField")


def success_text() -> PlainTextResponse:
    """Alor's bare ``success`` (text/plain) of cancels and group PUT/DELETE."""
    return PlainTextResponse("success")


def make_route_class(style: Style) -> type[APIRoute]:
    """An APIRoute whose errors (AlorError, ApiError, request validation) come out in
    ``style``'s Alor shape instead of the app's problem+json."""

    class AlorRoute(APIRoute):
        def get_route_handler(self):
            original = super().get_route_handler()

            async def handler(request: Request) -> Response:
                try:
                    return await original(request)
                except AlorError as e:
                    return e.response(style)
                except ApiError as e:
                    return from_api_error(e).response(style)
                except RequestValidationError as e:
                    return validation_error(e).response(style)
                except ValidationError as e:  # a body model validated in the route itself
                    return validation_error(RequestValidationError(e.errors())).response(style)

            return handler

    AlorRoute.__name__ = f"AlorRoute_{style}"
    return AlorRoute


OrderRoute = make_route_class("order")
GroupRoute = make_route_class("group")
