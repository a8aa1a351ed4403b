"""TradeStation WebAPI v2 dialect (issue 6; seeds 000 and 001; wire-formats.md section 1).

A client written for TradeStation's v2 API works against Condor by changing only its base
URL: ``/v2/security/authorize``, ``/v2/orders`` (OSOs), ``/v2/orders/groups`` (OCO, BRK,
NORMAL), confirm, cancel, cancel/replace, account orders, JSONP. Modules: ``schemas`` (wire
objects), ``mapping`` (requests -> engine commands), ``detail`` (engine orders -> Order Detail
and Order Results), ``orders`` (commands through the runtime), ``reads``, ``auth``, ``routes``,
``jsonp``, ``errors``, ``wire`` (JSON with Decimal numbers), ``paths`` (case-insensitive URLs),
``tokens`` (1200 s access tokens, scoped refresh tokens), ``fallback`` (404/405 under ``/v2``).
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the ``/v2`` routes and the case-insensitive path middleware on ``app``."""
    from condor.api.dialects.tradestation import auth, fallback, jsonp, routes
    from condor.api.dialects.tradestation.paths import CaseInsensitivePaths

    own = [jsonp.build_router(), routes.build_router(auth.Grants())]
    for r in own:
        app.include_router(r)
    app.include_router(fallback.build_router(own))  # last: unknown paths, wrong methods
    app.add_middleware(CaseInsensitivePaths)
