"""The last route under ``/v2``: unknown paths and wrong methods in TradeStation's format
(wire-formats.md 1.10, clients.md TradeStation checklist).

Invariant: mounted after every other ``/v2`` route, it answers only what no route of this
dialect takes: a path no route has is 404 ``{"Message": "Not Found", "StatusCode": 404}`` (under
``/v2/jsonp/`` with a valid ``callback``: inside the callback, HTTP 200, as every JSONP answer);
a path some route has with another method is 405 with ``Allow`` listing the methods its routes
take. Both with ``application/json; charset=utf-8``, never problem+json.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from condor.api.dialects.tradestation.errors import TSError
from condor.api.dialects.tradestation.jsonp import wrapped
from condor.api.dialects.tradestation.routes import TSRoute
from condor.api.dialects.tradestation.wire import json_response
from condor.api.errors import route_methods

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
NOT_FOUND = "Not Found"
NOT_ALLOWED = "Method Not Allowed"


def allowed_methods(routers: list[APIRouter], path: str) -> list[str]:
    """The methods of ``routers``' routes whose path pattern matches ``path`` (sorted; empty
    when none does; ``api.errors.route_methods``)."""
    return sorted(route_methods([r for router in routers for r in router.routes], path))


def build_router(routers: list[APIRouter]) -> APIRouter:
    """The catch-all ``/v2/{rest}`` router (every method) for the dialect's ``routers``;
    include it after them."""

    async def fallback(rest: str, request: Request) -> Response:
        allow = allowed_methods(routers, request.scope["path"])
        if allow:
            err = TSError(405, NOT_ALLOWED)
            return json_response(err.body(), 405, headers={"Allow": ", ".join(allow)})
        err = TSError(404, NOT_FOUND)
        if rest.startswith("jsonp/"):
            answer = wrapped(request.query_params.get("callback"), err.body())
            if answer is not None:
                return answer
        return json_response(err.body(), 404)

    r = APIRouter(prefix="/v2", tags=["tradestation"], route_class=TSRoute)
    r.add_api_route("/{rest:path}", fallback, methods=ALL_METHODS, include_in_schema=False)
    return r
