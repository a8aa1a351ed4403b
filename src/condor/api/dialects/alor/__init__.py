"""The Alor OpenAPI v2 dialect (issue 7; seed 003, wire-formats section 2, clients.md).

An Alor client works against Condor by changing only its hosts (REST, OAuth, ``/ws`` and
``/cws`` all on Condor's one base URL). Modules: ``schemas`` (request bodies), ``mapping``
(wire <-> engine), ``tokens`` (refresh -> JWT, Bearer check), ``commands`` (order commands
shared by HTTP and ``/cws``), ``routes`` (auth and order endpoints), ``groups`` (order
groups), ``reads`` (``/md/v2/Clients/...``), ``ws`` (``/ws`` subscriptions and ``/cws``
commands), ``errors`` (Alor's error bodies), ``paths`` (case-insensitive paths), ``jsonio``
(exact JSON numbers). It translates only: groups, cascades and matching live in the engine.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the Alor routes and the path-casing middleware on ``app``."""
    from condor.api.dialects.alor import groups, reads, routes, ws
    from condor.api.dialects.alor.paths import AlorPaths

    app.include_router(routes.router)
    app.include_router(groups.router)
    app.include_router(reads.router)
    app.include_router(ws.router)
    app.add_middleware(AlorPaths)
