"""Write a whole report folder, streaming while the run goes or at once from a ReportInput.

Invariant: the folder holds exactly ``fills.csv``/``.parquet``, ``order_events.csv``/
``.parquet``, ``pnl.csv``/``.parquet`` and ``chart.png``; existing files of those names are
replaced, other files are left alone. ``ReportWriter`` holds no per-market-event state: fill and
order-event rows go to their files as they come (Parquet in row groups), P&L is accumulated per
group and the chart keeps per-order levels and fill/trigger marks; the price path is given at
the end (bounded: ``condor.reporting.pricepath``).
"""

from __future__ import annotations

from pathlib import Path

from condor.domain.orders.enums import ExecType
from condor.domain.orders.events import ExecutionReport
from condor.reporting.chart import ChartMarks, write_chart
from condor.reporting.model import ReportInput
from condor.reporting.pnl import PNL_COLUMNS, PnlBook
from condor.reporting.tables import (
    EVENT_COLUMNS,
    FILL_COLUMNS,
    TableWriter,
    fill_row,
    order_event_row,
    write_csv,
)


class ReportWriter:
    """Stream a run's engine events into ``folder`` (created if needed): ``add(event, tag)``
    for each kept engine event (ExecutionReport, CommandRejected, TrailUpdated) in engine order,
    ``tag`` the order's OrderTag or None; then ``close(...)``, or ``abort()`` on failure.
    ``fills`` counts the fills written; ``pnl`` holds the P&L rows after ``close``."""

    def __init__(self, instrument, tz, folder: str | Path, *, batch_rows: int = 50_000) -> None:
        self.instrument, self.tz = instrument, tz
        self.folder = out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        ps, qs = instrument.price_precision, instrument.qty_precision
        self.fill_table = TableWriter(out / "fills", FILL_COLUMNS, ps, qs, batch_rows=batch_rows)
        self.event_table = TableWriter(out / "order_events", EVENT_COLUMNS, ps, qs, batch_rows=batch_rows)  # fmt: skip
        self.book = PnlBook()
        self.marks = ChartMarks()
        self.pnl: list[dict] = []

    @property
    def fills(self) -> int:
        return self.fill_table.rows

    def add(self, e, tag) -> None:
        self.marks.add(e)
        if type(e) is not ExecutionReport:
            return
        inst, tz = self.instrument, self.tz
        self.event_table.write(order_event_row(e, tag, inst, tz))
        if e.exec_type is ExecType.TRADE:
            self.fill_table.write(fill_row(e, tag, inst, tz))
            self.book.add(e, tag)

    def close(self, tags: dict, prices: list[tuple[int, int]], last_price: int | None, *, title: str = "") -> dict[str, Path]:  # fmt: skip
        """Finish the tables, write P&L (``tags``: order id -> OrderTag) and the chart of
        ``prices`` (``[(ts_ns, ticks)]``); return file name -> path."""
        out, inst = self.folder, self.instrument
        paths: dict[str, Path] = {}
        for name, table in (("fills", self.fill_table), ("order_events", self.event_table)):
            table.close()
            paths[f"{name}.csv"], paths[f"{name}.parquet"] = table.csv_path, table.parquet_path
        self.pnl = pnl = self.book.rows(inst, tags, last_price)
        ps, qs = inst.price_precision, inst.qty_precision
        paths["pnl.csv"] = write_csv(pnl, PNL_COLUMNS, out / "pnl.csv")
        paths["pnl.parquet"] = _pnl_parquet(pnl, out / "pnl.parquet", ps + max(qs, 0) + 2, qs)
        r = ReportInput(inst, self.tz, [], tags, prices, last_price)
        paths["chart.png"] = write_chart(r, out / "chart.png", title=title, marks=self.marks)
        return paths

    def abort(self) -> None:
        """Close the files as they are (the run failed)."""
        for table in (self.fill_table, self.event_table):
            table.close()


def write_report(r: ReportInput, folder: str | Path, *, title: str = "") -> dict[str, Path]:
    """Write every report file of ``r`` into ``folder`` (created if needed); return name ->
    path. Use ``pnl_rows`` etc. directly for summaries."""
    w = ReportWriter(r.instrument, r.tz, folder)
    for e in r.events:
        w.add(e, r.tags.get(getattr(e, "order_id", None)))
    return w.close(r.tags, r.prices, r.last_price, title=title)


def _pnl_parquet(rows: list[dict], path: Path, money_scale: int, qty_scale: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("tag", pa.string()), ("placement", pa.string()), ("kind", pa.string()),
        ("group_id", pa.string()), ("fills", pa.int64()), ("bought", pa.decimal128(38, qty_scale)),
        ("sold", pa.decimal128(38, qty_scale)), ("position", pa.decimal128(38, qty_scale)),
        ("cash_flow", pa.decimal128(38, money_scale)), ("pnl", pa.decimal128(38, money_scale)),
        ("flat", pa.bool_()),
    ])  # fmt: skip
    data = {f.name: [row[f.name] for row in rows] for f in schema}
    pq.write_table(pa.Table.from_pydict(data, schema=schema), path)
    return path
