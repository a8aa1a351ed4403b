"""Alor HTTP endpoints for authentication and orders (wire-formats sections 2.3-2.7).

``POST /refresh``; under ``C = /commandapi/warptrans/TRADE/v2/client/orders``:
``POST C/actions/{market|limit|stop|stopLimit}``, ``PUT C/actions/<kind>/{orderId}``,
``DELETE C/all``, ``DELETE C/{orderId}``, ``POST C/estimate``, ``POST C/estimate/all``.

Invariant: these routes translate and delegate to ``commands`` (which runs everything through
the runtime); every error comes out in Alor's format (``errors.OrderRoute``); success is 200,
never 201. Bodies are read as JSON with numbers as Decimal.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from condor.api.auth import Principal
from condor.api.dialects.alor import commands
from condor.api.dialects.alor import tokens as T
from condor.api.dialects.alor.errors import OrderRoute, bad, success_text
from condor.api.dialects.alor.jsonio import AlorJSON
from condor.api.dialects.alor.schemas import RefreshIn, normalise_keys, parse_body

C = "/commandapi/warptrans/TRADE/v2/client/orders"
Caller = Annotated[Principal, Depends(T.caller)]

router = APIRouter(route_class=OrderRoute, tags=["alor"])


async def body_of(request: Request):
    """The request body as JSON (numbers as Decimal); 400 when it is not JSON."""
    try:
        return parse_body(await request.body())
    except ValueError:
        raise bad("the body is not valid JSON", None, "InvalidBody") from None


def reqid(request: Request) -> str | None:
    """``X-REQID``, or its deprecated alias ``X-ALOR-REQID`` (section 2.4)."""
    return request.headers.get("x-reqid") or request.headers.get("x-alor-reqid") or None


def _flag(v: str | None, field: str) -> bool | None:
    if v is None or v == "":
        return None
    low = v.lower()
    if low not in ("true", "false"):
        raise bad(f"{field} must be true or false", field, "InvalidField")
    return low == "true"


@router.post("/refresh")
async def refresh(
    request: Request, token: str | None = None, allowedPortfolios: str | None = None
) -> Response:
    """Refresh token -> ``{"AccessToken": <JWT>}``; 403 for an unknown refresh token.
    The JSON body ``{"token", "allowedPortfolios"}`` wins over the query."""
    allowed = None
    if allowedPortfolios:
        try:
            allowed = json.loads(allowedPortfolios)
        except ValueError:
            raise bad("allowedPortfolios must be a JSON array", "allowedPortfolios") from None
    data = await body_of(request)
    if isinstance(data, dict) and data:
        b = RefreshIn.model_validate(normalise_keys(data))
        token = b.token or token
        allowed = b.allowedPortfolios if b.allowedPortfolios is not None else allowed
    if allowed is not None and not (
        isinstance(allowed, list) and all(isinstance(x, str) for x in allowed)
    ):
        raise bad("allowedPortfolios must be a list of portfolios", "allowedPortfolios")
    rt = request.app.state.runtime
    return AlorJSON({"AccessToken": T.refresh(rt, token, allowed)})


@router.post(C + "/actions/{kind}")
async def create_order(kind: str, request: Request, p: Caller) -> Response:
    """New market, limit, stop or stopLimit order (section 2.6); 200 ``{"message":
    "success", "orderNumber": "<n>"}``; a repeated X-REQID answers Alor's duplicate 400."""
    rt = request.app.state.runtime
    r = await commands.create(rt, p, kind, await body_of(request), reqid(request))
    return AlorJSON(r.body, status_code=r.status)


@router.put(C + "/actions/{kind}/{order_id}")
async def modify_order(kind: str, order_id: str, request: Request, p: Caller) -> Response:
    """Modify = cancel + new order number (section 2.6); answers the new ``orderNumber``."""
    rt = request.app.state.runtime
    r = await commands.modify(rt, p, kind, order_id, await body_of(request), reqid(request))
    return AlorJSON(r.body, status_code=r.status)


@router.delete(C + "/all")
async def cancel_all(
    request: Request,
    p: Caller,
    portfolio: str | None = None,
    exchange: str | None = None,
    stop: str | None = None,
) -> Response:
    """Cancel every live order of ``portfolio`` (stop=true: stops only; false: others
    only); 200 ``"success"``; 400 ``OrderToCancelNotFound`` when there is none."""
    if not portfolio:
        raise bad("portfolio is required", "portfolio", "MissingField")
    rt = request.app.state.runtime
    await commands.cancel_all(rt, p, portfolio, exchange, _flag(stop, "stop"))
    return AlorJSON("success")


@router.delete(C + "/{order_id}")
async def cancel_order(
    order_id: str,
    request: Request,
    p: Caller,
    portfolio: str | None = None,
    exchange: str | None = None,
    stop: str | None = None,
    jsonResponse: str | None = None,
) -> Response:
    """Cancel one order; 200 ``success`` (text/plain; JSON ``{"message": "success",
    "orderNumber"}`` with ``jsonResponse=true``); 400 ``OrderToCancelNotFound``."""
    _flag(stop, "stop")
    rt = request.app.state.runtime
    await commands.cancel(rt, p, order_id, portfolio)
    if _flag(jsonResponse, "jsonResponse"):
        return AlorJSON({"message": "success", "orderNumber": order_id})
    return success_text()


@router.post(C + "/estimate")
async def estimate(request: Request, p: Caller) -> Response:
    """Buying-power estimate of one order (see ``commands.estimate``)."""
    rt = request.app.state.runtime
    return AlorJSON(commands.estimate(rt, p, await body_of(request)))


@router.post(C + "/estimate/all")
async def estimate_all(request: Request, p: Caller) -> Response:
    """Estimates of a list of orders."""
    data = await body_of(request)
    if not isinstance(data, list):
        raise bad("the body must be a JSON array", None, "InvalidBody")
    rt = request.app.state.runtime
    return AlorJSON([commands.estimate(rt, p, d) for d in data])
