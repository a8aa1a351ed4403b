"""The ASGI application factory.

Invariant: importing this module builds nothing; ``create_app(settings)`` builds the runtime
(engine, auth, stream hub; with a database, recovered from its journal) through ``bootstrap``
and returns a FastAPI app whose lifespan starts the writer (the journal's group commit) and the
market-data feed task, if any, and on shutdown stops the feed, then commits what is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from condor.api import errors, openapi, replay_feed
from condor.api.bootstrap import build_instrument, build_runtime, effective_settings
from condor.api.dialects import install_all
from condor.api.settings import Settings
from condor.domain.instruments import Instrument, InstrumentRegistry

FEEDS = ("simulated", "none")
"""Feeds besides ``replay:FILE`` (see ``replay_feed``)."""


def _replay_source(settings: Settings) -> tuple[Path, Instrument]:
    """The file and instrument of a ``replay:FILE`` feed. Raises ValueError for any other
    unknown feed, ReplayFeedError (a ValueError) for a missing file or unknown instrument."""
    path = replay_feed.replay_path(settings.feed)
    if path is None:
        raise ValueError(f"feed {settings.feed!r} is not one of {FEEDS} or replay:FILE")
    registry = InstrumentRegistry(
        [build_instrument(c) for c in effective_settings(settings).instruments]
    )
    return path, replay_feed.replay_instrument(path, registry)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. ``settings`` defaults to ``Settings()`` (environment). Raises
    ValueError for an unknown feed or a ``replay:FILE`` that cannot be replayed (see
    ``replay_feed``), and ``writer.JournalUnavailable`` when the configured database cannot be
    used. A replay feed runs the server on a simulated clock from the file's first event unless
    ``clock_start`` is set."""
    settings = settings if settings is not None else Settings()
    replay = None
    if settings.feed not in FEEDS:
        replay = _replay_source(settings)
        if settings.clock_start is None:
            settings = settings.model_copy(
                update={"clock_start": replay_feed.first_event_time(*replay)}
            )
    rt = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await rt.start()
        task = None
        if settings.feed == "simulated":
            from condor.api.simulator import run_simulator

            task = asyncio.create_task(run_simulator(rt), name="condor-simulator")
        elif replay is not None:
            task = asyncio.create_task(
                replay_feed.run_replay(rt, *replay, settings.simulator.speed),
                name="condor-replay",
            )
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await rt.stop()

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
    app.state.dialects = install_all(app, settings.dialects)
    openapi.install(app)

    @app.get("/api/v1/health", tags=["health"])
    async def health():
        """``status`` ok, or unavailable (503) when the journal can no longer store inputs;
        ``journal``: the database and the last journaled input (None: state in memory)."""
        w = rt.writer
        body: dict = {"status": "ok", "stream_head": rt.hub.seq, "journal": None}
        if rt.journaled:
            body["journal"] = {"database": w.database, "last_input": w.last_input_seq}
        if rt.failed is not None:
            body["status"] = "unavailable"
            body["detail"] = str(rt.failed)
            return JSONResponse(body, status_code=503)
        return body

    return app
