"""TradeStation WebAPI v2 HTTP endpoints under ``/v2`` (wire-formats.md 1.3-1.10; seeds 000,
001). JSONP variants live in ``jsonp``.

Invariant: every route answers TradeStation's shapes with ``application/json; charset=utf-8``;
every error, including engine refusals, malformed bodies and unexpected exceptions (500
"Internal server error.", logged), leaves through ``TSRoute`` as ``{"Message", "StatusCode"}``
with the documented status, never as problem+json; unknown paths and wrong methods are
answered by ``fallback``, mounted last.
"""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from condor.api.dialects.tradestation import auth, orders, reads
from condor.api.dialects.tradestation import errors as E
from condor.api.dialects.tradestation.errors import TSError, bad
from condor.api.dialects.tradestation.wire import BadJson, json_response, loads
from condor.api.errors import ApiError

log = logging.getLogger(__name__)


class TSRoute(APIRoute):
    """An APIRoute whose errors come out in TradeStation's format (``errors``)."""

    def get_route_handler(self):
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except TSError as e:
                return json_response(e.body(), e.status)
            except ApiError as e:
                err = E.from_api_error(e)
                return json_response(err.body(), err.status)
            except RequestValidationError:
                return json_response(bad(E.INVALID_INPUT).body(), 400)
            except StarletteHTTPException as e:
                err = TSError(e.status_code, str(e.detail))
                return json_response(err.body(), e.status_code, headers=e.headers)
            except Exception:
                log.exception("unhandled error on %s", request.url.path)
                return json_response(TSError(500, E.INTERNAL).body(), 500)

        return handler


async def body_of(request: Request, message: str = E.INVALID_INPUT):
    """The JSON body (Decimal numbers); 400 ``message`` when it is not JSON."""
    try:
        return loads(await request.body())
    except BadJson:
        raise bad(message) from None


def build_router(grants: auth.Grants) -> APIRouter:
    """The ``/v2`` router; ``grants`` keeps the login page's authorization codes and the
    refresh tokens issued."""
    r = APIRouter(prefix="/v2", tags=["tradestation"], route_class=TSRoute)

    @r.post("/security/authorize")
    async def authorize_token(request: Request) -> Response:
        """OAuth token endpoint (form-encoded; see ``auth``)."""
        f = await auth.form(request)
        return json_response(auth.grant(request.app.state.runtime, grants, f))

    @r.get("/authorize", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        """A minimal login page; posting it redirects to ``redirect_uri?code=...``."""
        q = request.query_params
        page = auth.LOGIN_PAGE.format(
            redirect=html.escape(q.get("redirect_uri", ""), quote=True),
            client=html.escape(q.get("client_id", ""), quote=True),
        )
        return HTMLResponse(page)

    @r.post("/authorize")
    async def login(request: Request) -> Response:
        f = await auth.form(request)
        target = auth.login_redirect(request.app.state.runtime, grants.codes, f)
        if target is None:
            raise TSError(401, "Authorization failed")
        return RedirectResponse(target, status_code=302)

    @r.post("/orders")
    async def place_order(request: Request) -> Response:
        """Place one order (with nested OSOs): array of Order Results (seed 001)."""
        p = auth.principal(request)
        body = await body_of(request)
        return json_response(await orders.place(request.app.state.runtime, p, body))

    @r.post("/orders/confirm")
    async def confirm_order(request: Request) -> Response:
        p = auth.principal(request)
        body = await body_of(request)
        return json_response(orders.confirm(request.app.state.runtime, p, body))

    @r.post("/orders/groups")
    async def place_group(request: Request) -> Response:
        """Place a group (OCO, BRK, NORMAL): one Order Result per order (seed 000)."""
        p = auth.principal(request)
        body = await body_of(request, E.GROUP_INPUT)
        return json_response(await orders.place_group(request.app.state.runtime, p, body))

    @r.post("/orders/groups/confirm")
    async def confirm_group(request: Request) -> Response:
        p = auth.principal(request)
        body = await body_of(request, E.GROUP_INPUT)
        return json_response(orders.confirm_group(request.app.state.runtime, p, body))

    @r.delete("/orders/{order_id}")
    async def cancel_order(order_id: str, request: Request) -> Response:
        p = auth.principal(request)
        return json_response(await orders.cancel(request.app.state.runtime, p, order_id))

    @r.put("/orders/{order_id}")
    async def replace_order(order_id: str, request: Request) -> Response:
        p = auth.principal(request)
        body = await body_of(request)
        return json_response(await orders.replace(request.app.state.runtime, p, order_id, body))

    @r.get("/accounts/{keys}/orders")
    async def account_orders(keys: str, request: Request) -> Response:
        p = auth.principal(request)
        rt = request.app.state.runtime
        return json_response(reads.account_orders(rt, p, keys, request.query_params))

    @r.get("/users/{user_id}/accounts")
    async def user_accounts(user_id: str, request: Request) -> Response:
        p = auth.principal(request)
        return json_response(reads.user_accounts(request.app.state.runtime, p, user_id))

    @r.get("/orderexecution/activationtriggers")
    async def activation_triggers(request: Request) -> Response:
        auth.principal(request)
        return json_response(reads.activation_triggers())

    @r.get("/orderexecution/exchanges")
    async def exchanges(request: Request) -> Response:
        auth.principal(request)
        return json_response(reads.exchanges(request.app.state.runtime))

    return r
