"""Helpers shared by the backtest replay tests (imported by name; no conftest)."""

from __future__ import annotations

from condor.domain.orders.enums import ExecType


def placement_fills(run, placement: str) -> list[tuple[int, int, int]]:
    """(ts_ns, last_qty, last_px) of every fill of the first order the scenario's placement
    named ``placement`` fired, in event order."""
    oid = next(f for f in run.fired if f.placement == placement).order_ids[0]
    return [
        (e.ts_ns, e.last_qty, e.last_px)
        for e in run.events
        if getattr(e, "exec_type", None) is ExecType.TRADE and e.order_id == oid
    ]
