"""Sway / DXtrade error format: ``{"errorCode": "<string>", "description": "<text>"}``.

Invariant: every error answered on a ``/dxsca-web`` route has this body and one of the statuses
of wire-formats.md section 3.7: 400 (code 33 bad request, 31 malformed query URI, 101 bad
client id), 401 (code 3, or no code for a missing/expired session), 403 (code 99, ``If-Match``
missing), 404 (code 2, unknown or foreign entity), 409 (code 100 duplicate ``orderCode``; every
other conflict, such as a final order or a failed pre-trade check, code 33 with the reason in
``description``: an engine reason name never becomes an ``errorCode``), 412 (stale
``If-Match``). An engine rejection changed
nothing (engine invariant), so no error here leaves state changed.

``SwayRoute`` is the route class of the dialect's router: it turns ``SwayError``, native
``ApiError`` (engine rejections, auth) and request validation errors into this format.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from condor.api.errors import ApiError
from condor.domain.errors import RejectReason

R = RejectReason
log = logging.getLogger("condor.api.sway")

BAD_REQUEST = "33"
MALFORMED_URI = "31"
BAD_CLIENT_ID = "101"
BAD_CREDENTIALS = "3"
NOT_FOUND = "2"
IF_MATCH_MISSING = "99"
DUPLICATE = "100"


class SwayError(Exception):
    """An error answered as ``{"errorCode", "description"}`` with ``status``; ``code`` None
    omits ``errorCode`` (401 for an expired session, 405, 412); ``headers`` are sent with it
    (``Allow`` on a 405)."""

    def __init__(
        self, status: int, code: str | None, description: str, headers: dict | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.headers = headers


def bad_request(details: str) -> SwayError:
    """400 code 33 ``Incorrect request (<details>)`` (section 3.7)."""
    return SwayError(400, BAD_REQUEST, f"Incorrect request ({details})")


def malformed_uri(details: str) -> SwayError:
    return SwayError(400, MALFORMED_URI, f"Malformed query URI ({details})")


def method_not_allowed(allowed: list[str]) -> SwayError:
    """405 with ``Allow: <methods>`` (section 3.7: a 405 must carry ``Allow``)."""
    return SwayError(405, None, "Method Not Allowed", {"Allow": ", ".join(allowed)})


def not_found(what: str = "") -> SwayError:
    text = "Entity not found at server"
    return SwayError(404, NOT_FOUND, f"{text} ({what})" if what else text)


def unauthorized(text: str = "Session is missing or expired") -> SwayError:
    return SwayError(401, None, text)


def conflict(description: str) -> SwayError:
    """409 code 33: a request the order's state refuses (cancelling or modifying a final
    order, editing a non-editable field, a pre-issue check; section 3.7 "409 various")."""
    return SwayError(409, BAD_REQUEST, description)


def duplicate(order_code: str) -> SwayError:
    return SwayError(409, DUPLICATE, f"Order with this id already exists ({order_code})")


_NOT_FOUND = frozenset({R.UNKNOWN_ORDER, R.UNKNOWN_ACCOUNT, R.UNKNOWN_GROUP, R.NOT_AUTHORIZED})


def wire_field(field: str | None) -> str | None:
    """Engine field -> wire field: ``members[1].price`` -> ``orders[1].limitPrice``."""
    if not field:
        return field
    head, dot, rest = field.partition(".")
    if head.startswith("members["):
        head = "orders" + head[len("members") :]
        return head + (("." + _FIELDS.get(rest, rest)) if dot else "")
    return _FIELDS.get(field, field)


_FIELDS = {
    "price": "limitPrice",
    "stop_price": "stopPrice",
    "expire_time": "expireDate",
    "time_in_force": "tif",
    "cl_ord_id": "orderCode",
    "ord_type": "type",
    "symbol": "instrument",
    "position_effect": "positionEffect",
    "order_id": "orderCode",
}


def from_api_error(e: ApiError) -> SwayError:
    """A native ApiError (engine rejection or auth failure) in Sway terms."""
    if e.status == 401:
        return unauthorized(e.detail)
    reason = e.reason
    field = wire_field(e.field)
    if reason == R.DUPLICATE_CL_ORD_ID.value:
        return SwayError(409, DUPLICATE, f"Order with this id already exists ({e.detail})")
    if reason in {r.value for r in _NOT_FOUND}:
        return not_found(e.detail)
    if e.status == 409:
        return conflict(f"{field}: {e.detail}" if field else e.detail)
    if e.status >= 500:
        return SwayError(e.status, None, e.detail)
    where = f"{field}: " if field else ""
    return bad_request(f"{where}{e.detail}")


def sway_response(e: SwayError) -> JSONResponse:
    body = {"description": e.description}
    if e.code is not None:
        body = {"errorCode": e.code, "description": e.description}
    headers = dict(e.headers or {})
    if e.status == 401:
        headers["WWW-Authenticate"] = "DXAPI"
    return JSONResponse(body, status_code=e.status, headers=headers)


def _validation_text(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{loc}: {err.get('msg', '')}")
    return "; ".join(parts) or "invalid request"


class SwayRoute(APIRoute):
    """Route class answering every error of its endpoint in the Sway format."""

    def get_route_handler(self) -> Callable:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except SwayError as e:
                return sway_response(e)
            except ApiError as e:
                return sway_response(from_api_error(e))
            except RequestValidationError as e:
                loc = e.errors()[0].get("loc", ("",))[0] if e.errors() else ""
                if loc in ("query", "path"):
                    return sway_response(malformed_uri(_validation_text(e)))
                return sway_response(bad_request(_validation_text(e)))
            except HTTPException as e:
                return sway_response(SwayError(e.status_code, None, str(e.detail)))

        return handler
