"""Sway Charts (Devexperts DXtrade REST) dialect under ``/dxsca-web`` (issue 8, seed 002,
wire-formats.md section 3, clients.md "Sway Charts").

Invariant: the dialect translates only: sessions are Condor JWTs, orders and groups become
engine commands run through ``Runtime.execute``, reads come from engine state; group semantics
(OCO final-state cancel, IF-THEN release of position-attached THEN orders) are engine templates.
"""

from __future__ import annotations

from fastapi import FastAPI

from condor.api.dialects.sway.config import SwayConfig
from condor.api.dialects.sway.routes import PREFIX, build_router

__all__ = ["PREFIX", "install"]


def install(app: FastAPI) -> None:
    """Mount the ``/dxsca-web`` routes on ``app`` and its configuration as
    ``app.state.sway`` (``SwayConfig.from_env()``)."""
    app.state.sway = SwayConfig.from_env()
    app.include_router(build_router())
