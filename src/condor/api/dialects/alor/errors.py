"""Alor's error bodies (wire-formats section 2.7 and 2.8) and the route class that emits them.

Invariant: every error a route of this dialect answers is in one of Alor's shapes, never
problem+json:

- order commands and reads (``style="order"``): ``{"code": <reason>, "message": <text>}``
  plus ``"field"`` (the wire field at fault, dotted) when one is known;
- order groups (``style="group"``): ``{"title": "BadRequest", "status": 400, "detail":
  <text>}`` plus ``"field"``;
- an unknown order to cancel: 400 ``{"code": "OrderToCancelNotFound (404)", "message":
  "Order to cancel not found"}`` (section 2.7).

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


def from_api_error(e: ApiError) -> AlorError:
    """A native ApiError (engine rejection, auth, journal) -> AlorError. Statuses 401, 403
    and 503 are kept; 404 stays 404 only for path resources (``order_id``/``group_id`` of a
    read), every other refusal is Alor's 400."""
    status = e.status if e.status in _KEEP else 400
    code = e.reason or "BadRequest"
    if status == 401:
        code = "Unauthorized"
    return AlorError(status, e.detail, code, e.field)


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
