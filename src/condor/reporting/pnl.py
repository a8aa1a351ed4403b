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


class PnlBook:
    """P&L per group accumulated fill by fill: ``add(event, tag)`` for each engine event (only
    Trade reports of tagged orders count), then ``rows``. Holds one ``GroupPnl`` per firing."""

    def __init__(self) -> None:
        self.groups: dict[str, GroupPnl] = {}

    def add(self, e, t) -> None:
        if type(e) is not ExecutionReport or e.exec_type is not ExecType.TRADE or t is None:
            return
        g = self.groups.get(t.tag)
        if g is None:
            g = self.groups[t.tag] = GroupPnl(t.tag, t.placement, t.kind, t.group_id)
        g.fills += 1
        if e.side.is_buy:
            g.bought += e.last_qty
            g.flow -= e.last_qty * e.last_px
        else:
            g.sold += e.last_qty
            g.flow += e.last_qty * e.last_px

    def rows(self, inst, tags: dict, last_price: int | None) -> list[dict]:
        """One row per firing that created orders (``tags``: order id -> OrderTag), as
        ``pnl_rows``."""
        groups: dict[str, GroupPnl] = {}
        for oid in sorted(tags):
            t = tags[oid]
            if t.tag not in groups:
                groups[t.tag] = self.groups.get(t.tag) or GroupPnl(t.tag, t.placement, t.kind, t.group_id)  # fmt: skip
        return _rows(inst, groups, last_price)


def pnl_rows(r: ReportInput) -> list[dict]:
    """One row per firing that created orders (keys ``PNL_COLUMNS``), in first-order order:
    quantities and money as Decimal; ``pnl`` None when a position is open and no
    ``last_price`` is known."""
    book = PnlBook()
    for e in r.events:
        if type(e) is ExecutionReport:
            book.add(e, r.tags.get(e.order_id))
    return book.rows(r.instrument, r.tags, r.last_price)


def _rows(inst, groups: dict[str, GroupPnl], last_price: int | None) -> list[dict]:
    unit = inst.tick_size * inst.lot_size * inst.multiplier
    out = []
    for g in groups.values():
        pos = g.bought - g.sold
        if pos == 0:
            pnl = Decimal(g.flow) * unit
        elif last_price is None:
            pnl = None
        else:
            pnl = Decimal(g.flow + pos * last_price) * unit
        out.append({
            "tag": g.tag, "placement": g.placement, "kind": g.kind, "group_id": g.group_id,
            "fills": g.fills, "bought": inst.lots_to_qty(g.bought),
            "sold": inst.lots_to_qty(g.sold), "position": inst.lots_to_qty(pos),
            "cash_flow": Decimal(g.flow) * unit, "pnl": pnl, "flat": pos == 0,
        })  # fmt: skip
    return out
