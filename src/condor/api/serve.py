"""``serve``: run the API under uvicorn (what ``condor serve`` calls).

Invariant: settings come from ``config`` (TOML), the environment, then these arguments, in that
order of increasing precedence; the process serves until interrupted.
"""

from __future__ import annotations

import logging

import uvicorn

from condor.api.app import create_app
from condor.api.settings import Settings


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    config: str | None = None,
    demo: bool = True,
    feed: str = "simulated",
    database: str | None = None,
    speed: float | None = None,
) -> None:
    """Serve Condor on ``host:port``. ``feed``: ``simulated`` or ``none``; ``database`` is
    recorded in the settings (the journal that uses it comes with the store issue)."""
    settings = Settings.load(
        config, host=host, port=port, demo=demo, feed=feed, database_url=database
    )
    if speed is not None:
        settings.simulator.speed = speed
    if settings.database_url:
        logging.getLogger("condor.api").warning(
            "database %s: the journal is not wired yet; state lives in memory",
            settings.database_url,
        )
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
