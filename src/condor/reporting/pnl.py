"""P&L per group (per firing of a placement) from its fills.

Invariant: exact integer arithmetic in ticks x lots; money is converted once, to Decimal in the
instrument's currency (``tick_size x lot_size x multiplier`` per tick-lot). A group's P&L is
its cash flow (sells minus buys at their fill prices) plus its open position marked at
``last_price``: for a group that ended flat it is the realised P&L.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from condor.domain.orders.enums import ExecType
from condor.domain.orders.events import ExecutionReport
from condor.reporting.model import ReportInput

PNL_COLUMNS = ("tag", "placement", "kind", "group_id", "fills", "bought", "sold", "position",
               "cash_flow", "pnl", "flat")  # fmt: skip


@dataclass
class GroupPnl:
    """Lots bought/sold, ``flow`` (ticks x lots, sells positive), fills count."""

    tag: str
    placement: str
    kind: str
    group_id: str | None
    fills: int = 0
    bought: int = 0
    sold: int = 0
    flow: int = 0


def pnl_rows(r: ReportInput) -> list[dict]:
    """One row per firing that created orders (keys ``PNL_COLUMNS``), in first-order order:
    quantities and money as Decimal; ``pnl`` None when a position is open and no
    ``last_price`` is known."""
    groups: dict[str, GroupPnl] = {}
    for oid in sorted(r.tags):
        t = r.tags[oid]
        if t.tag not in groups:
            groups[t.tag] = GroupPnl(t.tag, t.placement, t.kind, t.group_id)
    for e in r.events:
        if type(e) is not ExecutionReport or e.exec_type is not ExecType.TRADE:
            continue
        t = r.tags.get(e.order_id)
        if t is None:
            continue
        g = groups[t.tag]
        g.fills += 1
        if e.side.is_buy:
            g.bought += e.last_qty
            g.flow -= e.last_qty * e.last_px
        else:
            g.sold += e.last_qty
            g.flow += e.last_qty * e.last_px
    inst = r.instrument
    unit = inst.tick_size * inst.lot_size * inst.multiplier
    out = []
    for g in groups.values():
        pos = g.bought - g.sold
        if pos == 0:
            pnl = Decimal(g.flow) * unit
        elif r.last_price is None:
            pnl = None
        else:
            pnl = Decimal(g.flow + pos * r.last_price) * unit
        out.append({
            "tag": g.tag, "placement": g.placement, "kind": g.kind, "group_id": g.group_id,
            "fills": g.fills, "bought": inst.lots_to_qty(g.bought),
            "sold": inst.lots_to_qty(g.sold), "position": inst.lots_to_qty(pos),
            "cash_flow": Decimal(g.flow) * unit, "pnl": pnl, "flat": pos == 0,
        })  # fmt: skip
    return out
