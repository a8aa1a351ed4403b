"""The PNG chart of a run: the touch path with every order's levels, triggers and fills.

Invariant: rendered off-screen (matplotlib's Agg canvas, no display needed) at a fixed size,
``width x height`` pixels (``figsize`` = size / ``dpi``, no tight bounding box), so the image
size never depends on the data. Levels: a limit order's price (solid) and a stop's trigger
(dashed; a trailing stop's steps as it trails) from the moment it works (not Held) until it
ends; triggers as ``x``; fills as triangles (up: buy, down: sell).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from condor.domain.orders.enums import ExecType, OrdStatus
from condor.domain.orders.events import ExecutionReport, TrailUpdated
from condor.reporting.model import ReportInput

_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


def _dt(ts_ns: int, tz) -> datetime:
    return (_EPOCH + timedelta(microseconds=ts_ns // 1000)).astimezone(tz).replace(tzinfo=None)


class ChartMarks:
    """What the chart draws besides the price path, gathered event by event (``add``): level
    segments per order, fills and triggers. Memory grows with the orders and their fills and
    trails, not with the market events of the feed."""

    def __init__(self) -> None:
        self.segs: dict[int, list[tuple[int, int, int]]] = {}
        self.stop: dict[int, bool] = {}
        self.cur: dict[int, tuple[int, int]] = {}  # order id -> (since_ns, ticks)
        self.held: set[int] = set()
        self.buys: list[tuple[int, int]] = []  # (ts_ns, ticks)
        self.sells: list[tuple[int, int]] = []
        self.triggers: list[tuple[int, int]] = []

    def add(self, e) -> None:
        t = type(e)
        if t is ExecutionReport:
            self._levels(e)
            self._marker(e)
        elif t is TrailUpdated:
            oid, cur, segs = e.order_id, self.cur, self.segs
            if oid in cur:
                since, lv = cur.pop(oid)
                segs.setdefault(oid, []).append((since, e.ts_ns, lv))
            cur[oid] = (e.ts_ns, e.stop_price)
            self.stop[oid] = True

    def _levels(self, e: ExecutionReport) -> None:
        oid, cur = e.order_id, self.cur
        if e.ord_status is OrdStatus.HELD:
            return
        is_stop = e.ord_type.is_stop and e.exec_type is not ExecType.TRIGGERED
        level = e.stop_price if e.ord_type.is_stop else e.price
        if oid in cur and (e.ord_status.is_terminal or e.exec_type is ExecType.TRIGGERED):
            since, lv = cur.pop(oid)
            self.segs.setdefault(oid, []).append((since, e.ts_ns, lv))
            if e.exec_type is ExecType.TRIGGERED and e.price is not None:
                cur[oid] = (e.ts_ns, e.price)
            return
        if oid not in cur and not e.ord_status.is_terminal and level is not None:
            cur[oid] = (e.ts_ns, level)
            self.stop.setdefault(oid, is_stop)

    def _marker(self, e: ExecutionReport) -> None:
        if e.ord_status is OrdStatus.HELD:
            self.held.add(e.order_id)
            return
        if e.exec_type is ExecType.TRIGGERED and e.order_id in self.held:
            self.held.discard(e.order_id)  # a Held order released, not a stop elected
            return
        if e.exec_type is ExecType.TRADE:
            (self.buys if e.side.is_buy else self.sells).append((e.ts_ns, e.last_px))
        elif e.exec_type is ExecType.TRIGGERED and e.stop_price is not None:
            self.triggers.append((e.ts_ns, e.stop_price))

    def levels(self, end_ns: int) -> list[tuple[int, list[tuple[int, int, int]], bool]]:
        """Per order: ``(order_id, [(start_ns, end_ns, ticks)], is_stop)``; orders still
        working are drawn to ``end_ns``."""
        segs = {oid: list(s) for oid, s in self.segs.items()}
        for oid, (since, lv) in self.cur.items():
            segs.setdefault(oid, []).append((since, end_ns, lv))
        return [(oid, s, self.stop.get(oid, False)) for oid, s in sorted(segs.items())]


def chart_marks(events) -> ChartMarks:
    """A ``ChartMarks`` of engine ``events`` (in order)."""
    m = ChartMarks()
    for e in events:
        m.add(e)
    return m


def order_levels(r: ReportInput, end_ns: int) -> list[tuple[int, list[tuple[int, int, int]], bool]]:  # fmt: skip
    """Per order: ``(order_id, [(start_ns, end_ns, ticks)], is_stop)``, the level segments
    while it works (stop/trailing levels step with TrailUpdated)."""
    return chart_marks(r.events).levels(end_ns)


def write_chart(r: ReportInput, path: Path, *, title: str = "", width: int = 1600,
                height: int = 900, dpi: int = 100, marks: ChartMarks | None = None) -> Path:  # fmt: skip
    """Render the chart to ``path`` (PNG, ``width`` x ``height`` pixels). Returns ``path``.
    ``marks`` (gathered while streaming) replaces reading ``r.events``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    inst, tz = r.instrument, r.tz
    tick = float(inst.tick_size)  # display only: chart coordinates, never money
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1)
    end_ns = r.prices[-1][0] if r.prices else 0
    if r.prices:
        xs = [_dt(ts, tz) for ts, _ in r.prices]
        ys = [p * tick for _, p in r.prices]
        ax.step(xs, ys, where="post", color="0.35", linewidth=0.7, label="touch")
    from matplotlib.dates import date2num

    lim, stp = [], []
    if marks is None:
        marks = chart_marks(r.events)
    for _oid, segs, is_stop in marks.levels(end_ns):
        for a, b, lv in segs:
            line = [(date2num(_dt(a, tz)), lv * tick), (date2num(_dt(max(b, a), tz)), lv * tick)]
            (stp if is_stop else lim).append(line)
    if lim:
        ax.add_collection(LineCollection(lim, colors="tab:blue", linewidths=0.9, label="limit levels"))  # fmt: skip
    if stp:
        ax.add_collection(LineCollection(stp, colors="tab:orange", linewidths=0.9, linestyles="dashed", label="stop levels"))  # fmt: skip
    buys, sells, trig = ([], []), ([], []), ([], [])
    for src, dst in ((marks.buys, buys), (marks.sells, sells), (marks.triggers, trig)):
        for ts, px in src:
            dst[0].append(_dt(ts, tz))
            dst[1].append(px * tick)
    if buys[0]:
        ax.scatter(*buys, marker="^", color="tab:green", s=30, zorder=3, label="buy fills")
    if sells[0]:
        ax.scatter(*sells, marker="v", color="tab:red", s=30, zorder=3, label="sell fills")
    if trig[0]:
        ax.scatter(*trig, marker="x", color="black", s=25, zorder=3, label="triggers")
    ax.set_title(title or f"{inst.symbol}: orders over the replay")
    ax.set_xlabel(f"time ({tz.key})")
    ax.set_ylabel(f"price ({inst.currency})")
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="upper left", fontsize="small")
    ax.xaxis_date()
    ax.autoscale_view()
    fig.savefig(path, format="png", dpi=dpi)
    return path
