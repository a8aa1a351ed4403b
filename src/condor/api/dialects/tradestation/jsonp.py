"""TradeStation JSONP (``GET /v2/jsonp/...``, seed 001 and wire-formats.md 1.4): query
``data`` (URL-encoded JSON), ``callback``, ``oauth_token``; jQuery may add ``_``.

Invariant: always HTTP 200 with body ``<callback>(<json>)`` and header ``jsonp-callback``; errors
travel inside the callback as ``{"Message", "StatusCode"}``. A callback that is not a plain
JavaScript identifier path (``jQuery123_456``, ``ns.fn``) is refused with a 400 JSON error
before anything runs, so no script can be injected through it.
"""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from condor.api.dialects.tradestation import auth, orders
from condor.api.dialects.tradestation import errors as E
from condor.api.dialects.tradestation.errors import TSError, bad
from condor.api.dialects.tradestation.routes import TSRoute
from condor.api.dialects.tradestation.wire import JSON_TYPE, BadJson, dumps, json_response, loads
from condor.api.errors import ApiError

CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
MAX_CALLBACK = 128
log = logging.getLogger(__name__)


def valid_callback(name: str | None) -> bool:
    return bool(name) and len(name) <= MAX_CALLBACK and CALLBACK.fullmatch(name) is not None


def _data(request: Request):
    raw = request.query_params.get("data")
    if raw is None:
        raise bad(E.INVALID_INPUT)
    try:
        return loads(raw)
    except BadJson:
        raise bad(E.INVALID_INPUT) from None


def wrapped(cb: str | None, value) -> Response | None:
    """``cb(<value as JSON>)``, HTTP 200 with header ``jsonp-callback``; None when ``cb`` is
    not a valid callback name."""
    if not valid_callback(cb):
        return None
    return Response(f"{cb}({dumps(value)})", media_type=JSON_TYPE, headers={"jsonp-callback": cb})


async def _answer(request: Request, run) -> Response:
    cb = request.query_params.get("callback")
    if not valid_callback(cb):
        return json_response(bad("Invalid callback.").body(), 400)
    try:
        p = auth.principal(request)
        value = await run(request.app.state.runtime, p)
    except TSError as e:
        value = e.body()
    except ApiError as e:
        value = E.from_api_error(e).body()
    except Exception:
        log.exception("unhandled error on %s", request.url.path)
        value = TSError(500, E.INTERNAL).body()
    return wrapped(cb, value)


def build_router() -> APIRouter:
    r = APIRouter(prefix="/v2/jsonp", tags=["tradestation"], route_class=TSRoute)

    @r.get("/orders/send")
    async def send(request: Request) -> Response:
        """Place an order (``data``: an Order): ``cb([Order Result, ...])``."""

        async def run(rt, p):
            return await orders.place(rt, p, _data(request))

        return await _answer(request, run)

    @r.get("/orders/confirm")
    async def confirm(request: Request) -> Response:
        async def run(rt, p):
            return orders.confirm(rt, p, _data(request))

        return await _answer(request, run)

    @r.get("/orders/groups/confirm")
    async def confirm_group(request: Request) -> Response:
        async def run(rt, p):
            return orders.confirm_group(rt, p, _data(request))

        return await _answer(request, run)

    @r.get("/orders/{order_id}/cancel")
    async def cancel(order_id: str, request: Request) -> Response:
        async def run(rt, p):
            return await orders.cancel(rt, p, order_id)

        return await _answer(request, run)

    @r.get("/orders/{order_id}/cancelreplace")
    async def cancel_replace(order_id: str, request: Request) -> Response:
        async def run(rt, p):
            return await orders.replace(rt, p, order_id, _data(request))

        return await _answer(request, run)

    return r
