"""Write a whole report folder.

Invariant: the folder holds exactly ``fills.csv``/``.parquet``, ``order_events.csv``/
``.parquet``, ``pnl.csv``/``.parquet`` and ``chart.png``; existing files of those names are
replaced, other files are left alone.
"""

from __future__ import annotations

from pathlib import Path

from condor.reporting.chart import write_chart
from condor.reporting.model import ReportInput
from condor.reporting.pnl import PNL_COLUMNS, pnl_rows
from condor.reporting.tables import (
    EVENT_COLUMNS,
    FILL_COLUMNS,
    fill_rows,
    order_event_rows,
    write_csv,
    write_parquet,
)


def write_report(r: ReportInput, folder: str | Path, *, title: str = "") -> dict[str, Path]:
    """Write every report file into ``folder`` (created if needed); return name -> path.
    Also returns the rows: use ``pnl_rows`` etc. directly for summaries."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    inst = r.instrument
    ps, qs = inst.price_precision, inst.qty_precision
    money = ps + max(qs, 0) + 2
    paths: dict[str, Path] = {}
    for name, rows, cols in (
        ("fills", fill_rows(r), FILL_COLUMNS),
        ("order_events", order_event_rows(r), EVENT_COLUMNS),
    ):
        paths[f"{name}.csv"] = write_csv(rows, cols, out / f"{name}.csv")
        paths[f"{name}.parquet"] = write_parquet(rows, cols, out / f"{name}.parquet", ps, qs)
    pnl = pnl_rows(r)
    paths["pnl.csv"] = write_csv(pnl, PNL_COLUMNS, out / "pnl.csv")
    paths["pnl.parquet"] = _pnl_parquet(pnl, out / "pnl.parquet", money, qs)
    paths["chart.png"] = write_chart(r, out / "chart.png", title=title)
    return paths


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
