"""One router per resource of the native API (``/api/v1``)."""

from __future__ import annotations

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    from condor.api.routes import (
        accounts,
        auth,
        clock,
        executions,
        groups,
        instruments,
        marketdata,
        orders,
    )

    return [
        auth.router,
        instruments.router,
        accounts.router,
        executions.router,
        orders.router,
        groups.router,
        marketdata.router,
        clock.router,
    ]
