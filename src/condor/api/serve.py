"""``serve``: run the API under uvicorn (what ``condor serve`` calls).

Invariant: settings come from ``config`` (TOML), the environment, then these arguments, in that
order of increasing precedence; the process serves until interrupted. State is journaled: the
database is ``database`` (``--database``), else ``CONDOR_DATABASE_URL`` / the config's
``database_url``, else the embedded SQLite file ``<data_dir>/condor.db`` (``./data`` unless
``CONDOR_DATA_DIR`` says otherwise), created on first start; ``memory`` keeps state in memory
only. A database that cannot be used stops the start with a clear message (exit status 2).
"""

from __future__ import annotations

import gc
import logging
import sys

import uvicorn

from condor.api.app import create_app
from condor.api.settings import Settings, default_database_url
from condor.api.writer import JournalUnavailable

EXIT_STORE = 2


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    config: str | None = None,
    demo: bool = True,
    feed: str = "simulated",
    database: str | None = None,
    speed: float | None = None,
) -> None:
    """Serve Condor on ``host:port``. ``feed``: ``simulated``, ``none`` or ``replay:FILE``;
    ``speed``: the simulated market's or the replay's time multiplier (replay: 0 = as fast as
    possible); ``database``: a URL or ``memory`` (see the module doc for the default)."""
    settings = Settings.load(
        config, host=host, port=port, demo=demo, feed=feed, database_url=database
    )
    if speed is not None:
        settings.simulator.speed = speed
    run(settings)


def run(settings: Settings) -> None:
    """Serve ``settings`` (``database_url`` None: the embedded default); exit with status 2
    and a one-line reason when the database cannot be used."""
    if settings.database_url is None:
        settings.database_url = default_database_url(settings.data_dir)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("condor").setLevel(settings.log_level.upper())
    try:
        app = create_app(settings)
    except ValueError as e:  # an unknown feed, a replay file that cannot be used
        print(f"condor: cannot start: {e}", file=sys.stderr)
        raise SystemExit(EXIT_STORE) from None
    except JournalUnavailable as e:
        print(f"condor: cannot start: {e}", file=sys.stderr)
        print(
            "condor: start on another database with --database URL (or --database memory "
            "to keep state in memory only)",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_STORE) from None
    _tune_gc()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)


def _tune_gc() -> None:
    """The engine keeps tens of thousands of orders (the open ones and the newest finished
    ones, ``engine/retention.py``), so a full collection walks all of them and stalls the
    single writer for tens of ms. Move what start-up built (the recovered engine)
    out of the collector's sight, and collect the young generation less often; reference
    counting still frees everything without cycles at once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
