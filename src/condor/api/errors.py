"""Errors as RFC 9457 problem details (``application/problem+json``).

Invariant: every error the API answers has ``type``, ``title``, ``status``, ``detail``, and,
where one is known, ``reason`` (a ``RejectReason`` value or an ``auth.*`` / ``http.*`` code)
and ``field`` (the request field at fault, dotted: ``members[1].order.price``). A body that
is not JSON is 400; engine rejections map to a status by ``status_for``: 401 no or bad
credentials, 403 a permission the caller lacks, 404 an unknown resource named by the path, 409
a conflict with the current state (order ended, funds, session, duplicate ClOrdID), 422
invalid input, 503 (reason ``store.unavailable``) when the journal cannot store the command.
A rejected command has changed nothing (engine invariant), so every 4xx leaves state as it
was; a 503 has accepted nothing.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from condor.domain.errors import RejectReason

R = RejectReason
PROBLEM = "application/problem+json"
log = logging.getLogger("condor.api")

_STATUS: dict[RejectReason, int] = {
    R.UNKNOWN_ORDER: 404,
    R.UNKNOWN_GROUP: 404,
    R.DUPLICATE_CL_ORD_ID: 409,
    R.ORDER_NOT_WORKING: 409,
    R.ORDER_TERMINAL: 409,
    R.MODIFY_NOT_ALLOWED: 409,
    R.SESSION_CLOSED: 409,
    R.NO_DAY_ORDERS_AFTER_CLOSE: 409,
    R.NO_MARKET_ORDERS_OUTSIDE_REGULAR: 409,
    R.OPG_AFTER_OPEN: 409,
    R.INSUFFICIENT_FUNDS: 409,
    R.NO_LONG_POSITION: 409,
    R.NO_SHORT_POSITION: 409,
    R.FOK_NOT_FILLABLE: 409,
    R.IOC_NO_LIQUIDITY: 409,
    R.POST_ONLY_WOULD_TAKE: 409,
    R.SELF_TRADE: 409,
    R.NO_LIQUIDITY: 409,
    R.GROUP_NOT_ACTIVE: 409,
    R.NOT_AUTHORIZED: 403,
}
_PATH_FIELDS = frozenset({"order_id", "group_id"})


def status_for(reason: RejectReason, field: str | None) -> int:
    """HTTP status of an engine rejection. Unknown order/group named in the path (field
    ``order_id``/``group_id``) is 404; named in the body (``members[i]``) it is 422."""
    if reason in (R.UNKNOWN_ORDER, R.UNKNOWN_GROUP) and field not in _PATH_FIELDS:
        return 422
    return _STATUS.get(reason, 422)


class ApiError(Exception):
    """An error answered as problem+json: ``status``, ``detail``, ``reason``, ``field``."""

    def __init__(
        self,
        status: int,
        detail: str,
        reason: RejectReason | str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason.value if isinstance(reason, RejectReason) else reason
        self.field = field
        self.headers = headers
        self.errors = errors

    @classmethod
    def from_rejection(cls, ev, field_prefix: str = "") -> ApiError:
        """From an engine ``CommandRejected`` event."""
        field = ev.field
        if field is not None and field_prefix:
            field = field_prefix + field
        return cls(status_for(ev.reason, ev.field), ev.text, ev.reason, field)


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem(
    status: int,
    detail: str,
    reason: str | None = None,
    field: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict] | None = None,
) -> JSONResponse:
    body: dict = {
        "type": f"urn:condor:problem:{reason}" if reason else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if reason is not None:
        body["reason"] = reason
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM)


def _loc_field(loc: tuple) -> str | None:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or None


def _routes(routes, prefix: str = ""):
    """(path template, route) of every endpoint route, inside included routers too (FastAPI
    wraps those in an object holding ``original_router`` and ``include_context.prefix``)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            ctx = getattr(r, "include_context", None)
            yield from _routes(inner.routes, prefix + (getattr(ctx, "prefix", "") or ""))
        elif getattr(r, "methods", None) and hasattr(r, "path"):
            yield prefix + r.path, r


def route_methods(routes, path: str) -> set[str]:
    """The methods of the endpoint ``routes`` (a flat list, as a dialect's router holds them)
    whose path pattern matches ``path``; empty when none does. Dialects answer their own 405s
    with it (``Allow``)."""
    methods: set[str] = set()
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= getattr(route, "methods", None) or set()
    return methods


def _allowed(request: Request) -> list[str]:
    """The methods the path of ``request`` answers (RFC 9110 ``Allow``): those of its most
    specific route templates (most literal characters: ``/marketdata/{symbol}/quotes`` wins
    over ``/marketdata/{symbol:path}``, which also matches it)."""
    path = request.url.path
    best, methods = -1, set()
    for template, route in _routes(request.app.router.routes):
        if not compile_path(template)[0].match(path):
            continue
        literal = len(re.sub(r"{[^}]*}", "", template))
        if literal > best:
            best, methods = literal, set(route.methods)
        elif literal == best:
            methods |= route.methods
    return sorted(methods - {"HEAD"})


def install(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return problem(
            exc.status, exc.detail, exc.reason, exc.field, request.url.path, exc.headers,
            exc.errors,
        )  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = []
        status = 422
        for e in exc.errors():
            kind = e.get("type")
            msg = e.get("msg", "")
            if kind == "json_invalid":  # its loc is a character position, not a field
                field, msg = None, f"invalid JSON ({(e.get('ctx') or {}).get('error', msg)})"
                status = 400  # a malformed body, as the OpenAPI document says (not 422)
            else:
                field = _loc_field(tuple(e.get("loc", ())))
            errors.append(
                {
                    "field": field,
                    "reason": (R.MISSING_FIELD if kind == "missing" else R.INVALID_FIELD).value,
                    "detail": msg,
                }
            )
        first = errors[0] if errors else {"field": None, "reason": R.INVALID_FIELD.value}
        detail = (
            "; ".join(f"{x['field'] or 'request body'}: {x['detail']}" for x in errors)
            or "invalid request"
        )
        return problem(
            status, detail, first["reason"], first["field"], request.url.path, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        reason = "auth.unauthenticated" if exc.status_code == 401 else f"http.{exc.status_code}"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method of the path, not only the first route's
            headers = {**(headers or {}), "Allow": ", ".join(_allowed(request))}
        return problem(
            exc.status_code, str(exc.detail), reason, None, request.url.path, headers,
        )  # fmt: skip

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal error", "http.500", None, request.url.path)
