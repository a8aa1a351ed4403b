"""Order-event and fill tables of a run, written as CSV and Parquet.

Invariant: one row per ExecutionReport (``order_events``) and per fill (``fills``: the Trade
reports), in engine order (``seq``). Prices and quantities are exact Decimals: fixed-point text
in CSV (``0.00000000``, never ``0E-8``: ``csv_cell``), ``decimal128`` in Parquet (precision 38,
the instrument's tick/lot scale); times are int ns UTC
plus the local ISO time. ``TableWriter`` streams rows to both files as they come: CSV row by
row, Parquet one row group per ``batch_rows`` rows, so a run of any length holds at most one
batch in memory.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from condor.domain.orders.enums import ExecType
from condor.domain.orders.events import ExecutionReport
from condor.reporting.model import ReportInput, local_time

EVENT_COLUMNS = (
    "seq", "ts_ns", "time", "placement", "tag", "group_id", "kind", "role", "order_id",
    "account", "side", "ord_type", "tif", "exec_type", "ord_status", "order_qty", "price",
    "stop_price", "cum_qty", "last_qty", "last_px", "liquidity", "text",
)  # fmt: skip
FILL_COLUMNS = (
    "seq", "ts_ns", "time", "placement", "tag", "group_id", "kind", "role", "order_id",
    "account", "side", "qty", "price", "liquidity", "trade_id",
)  # fmt: skip
_PRICE_COLS = {"price", "stop_price", "last_px"}
_QTY_COLS = {"order_qty", "cum_qty", "last_qty", "qty"}
_INT_COLS = {"seq", "ts_ns", "order_id", "trade_id"}


def order_event_row(e: ExecutionReport, tag, inst, tz) -> dict:
    """The ``order_events`` row (keys ``EVENT_COLUMNS``) of one report; ``tag`` an OrderTag
    or None."""
    px = _px(inst)
    return {
        "seq": e.seq, "ts_ns": e.ts_ns, "time": local_time(e.ts_ns, tz),
        **_tag(tag), "order_id": e.order_id, "account": e.account, "side": e.side.value,
        "ord_type": e.ord_type.value, "tif": e.tif.value, "exec_type": e.exec_type.value,
        "ord_status": e.ord_status.value, "order_qty": inst.lots_to_qty(e.order_qty),
        "price": px(e.price), "stop_price": px(e.stop_price),
        "cum_qty": inst.lots_to_qty(e.cum_qty), "last_qty": inst.lots_to_qty(e.last_qty),
        "last_px": px(e.last_px), "liquidity": e.liquidity, "text": e.text,
    }  # fmt: skip


def fill_row(e: ExecutionReport, tag, inst, tz) -> dict:
    """The ``fills`` row (keys ``FILL_COLUMNS``) of one Trade report."""
    return {
        "seq": e.seq, "ts_ns": e.ts_ns, "time": local_time(e.ts_ns, tz),
        **_tag(tag), "order_id": e.order_id, "account": e.account,
        "side": e.side.value, "qty": inst.lots_to_qty(e.last_qty),
        "price": inst.ticks_to_price(e.last_px), "liquidity": e.liquidity,
        "trade_id": e.trade_id,
    }  # fmt: skip


def order_event_rows(r: ReportInput) -> list[dict]:
    """One dict per ExecutionReport (keys ``EVENT_COLUMNS``; Decimal prices/quantities)."""
    return [
        order_event_row(e, r.tags.get(e.order_id), r.instrument, r.tz)
        for e in r.events
        if type(e) is ExecutionReport
    ]


def fill_rows(r: ReportInput) -> list[dict]:
    """One dict per fill (keys ``FILL_COLUMNS``)."""
    return [
        fill_row(e, r.tags.get(e.order_id), r.instrument, r.tz)
        for e in r.events
        if type(e) is ExecutionReport and e.exec_type is ExecType.TRADE
    ]


def csv_cell(v: object) -> object:
    """A CSV cell: None -> empty; a Decimal in fixed-point notation, exactly as held
    (``str(Decimal("0E-8"))`` would write ``0E-8``; ``format(d, "f")`` writes ``0.00000000``,
    the same digits other rows of the column have); anything else unchanged."""
    if v is None:
        return ""
    if type(v) is Decimal:
        return format(v, "f")
    return v


def write_csv(rows: list[dict], columns: tuple[str, ...], path: Path) -> Path:
    """Write ``rows`` with a header of ``columns`` (cells as ``csv_cell``). Returns ``path``."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([csv_cell(row[c]) for c in columns])
    return path


def write_parquet(rows: list[dict], columns: tuple[str, ...], path: Path, price_scale: int, qty_scale: int) -> Path:  # fmt: skip
    """Write ``rows`` as Parquet: int64 ids and times, decimal128(38, scale) prices and
    quantities, strings otherwise. Returns ``path``."""
    schema = table_schema(columns, price_scale, qty_scale)
    data = {c: [row[c] for row in rows] for c in columns}
    pq.write_table(pa.Table.from_pydict(data, schema=schema), path)
    return path


class TableWriter:
    """Stream rows (dicts with keys ``columns``) to ``<stem>.csv`` and ``<stem>.parquet``
    (schemas as ``write_csv`` / ``write_parquet``). ``write(row)``, then ``close()``; holds at
    most ``batch_rows`` rows. ``rows`` counts what was written."""

    def __init__(self, stem: Path, columns: tuple[str, ...], price_scale: int, qty_scale: int, *, batch_rows: int = 50_000) -> None:  # fmt: skip
        self.columns = columns
        self.csv_path = stem.with_name(stem.name + ".csv")
        self.parquet_path = stem.with_name(stem.name + ".parquet")
        self.schema = table_schema(columns, price_scale, qty_scale)
        self.batch_rows = batch_rows
        self.rows = 0
        self._buf: list[dict] = []
        self._f = open(self.csv_path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self._csv = csv.writer(self._f, lineterminator="\n")
        self._csv.writerow(columns)
        self._pq = pq.ParquetWriter(self.parquet_path, self.schema)

    @property
    def buffered(self) -> int:
        """Rows waiting for the next Parquet row group."""
        return len(self._buf)

    def write(self, row: dict) -> None:
        self._csv.writerow([csv_cell(row[c]) for c in self.columns])
        self._buf.append(row)
        self.rows += 1
        if len(self._buf) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            data = {c: [row[c] for row in self._buf] for c in self.columns}
            self._pq.write_table(pa.Table.from_pydict(data, schema=self.schema))
            self._buf = []

    def close(self) -> None:
        """Write the last row group and close both files (an empty table keeps its schema)."""
        try:
            self._flush()
        finally:
            self._pq.close()
            self._f.close()


def table_schema(columns: tuple[str, ...], price_scale: int, qty_scale: int) -> pa.Schema:
    """int64 ids and times, decimal128(38, scale) prices and quantities, strings otherwise."""
    fields = []
    for c in columns:
        if c in _INT_COLS:
            t = pa.int64()
        elif c in _PRICE_COLS:
            t = pa.decimal128(38, price_scale)
        elif c in _QTY_COLS:
            t = pa.decimal128(38, qty_scale)
        else:
            t = pa.string()
        fields.append(pa.field(c, t))
    return pa.schema(fields)


def _px(inst):
    def conv(ticks: int | None) -> Decimal | None:
        return None if ticks is None else inst.ticks_to_price(ticks)

    return conv


def _tag(t) -> dict:
    if t is None:
        return dict.fromkeys(("placement", "tag", "group_id", "kind", "role"))
    return {"placement": t.placement, "tag": t.tag, "group_id": t.group_id, "kind": t.kind,
            "role": t.role}  # fmt: skip
