"""The ASGI application factory.

Invariant: importing this module builds nothing; ``create_app(settings)`` builds the runtime
(engine, auth, stream hub) through ``bootstrap`` and returns a FastAPI app whose lifespan runs
the market-data feed task, if any, and stops it on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI

from condor.api import errors
from condor.api.bootstrap import build_runtime
from condor.api.settings import Settings

FEEDS = ("simulated", "none")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. ``settings`` defaults to ``Settings()`` (environment). Raises
    ValueError for a feed this server cannot run yet (``replay:FILE`` is the replay issue)."""
    settings = settings if settings is not None else Settings()
    if settings.feed not in FEEDS:
        raise ValueError(
            f"feed {settings.feed!r} is not supported by the server yet; use one of {FEEDS}"
        )
    rt = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        task = None
        if settings.feed == "simulated":
            from condor.api.simulator import run_simulator

            task = asyncio.create_task(run_simulator(rt), name="condor-simulator")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Condor",
        version="0.1.0",
        description="Broker-side order management: orders, contingent groups, event stream.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.settings = rt.settings
    errors.install(app)

    from condor.api.routes import all_routers
    from condor.api.stream import router as stream_router

    for r in all_routers():
        app.include_router(r)
    app.include_router(stream_router)

    @app.get("/api/v1/health", tags=["health"])
    async def health() -> dict:
        return {"status": "ok", "stream_head": rt.hub.seq}

    return app
