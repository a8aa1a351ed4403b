"""CSV cells of the report tables: exact Decimals in fixed-point notation. A flat position of an
instrument with an 8-decimal lot (BTCUSDT at 0.00000001) is ``Decimal("0E-8")``, which ``str``
wrote as ``0E-8`` in ``pnl.csv`` while the other rows of the column read ``0.50000000``."""

from __future__ import annotations

import csv
from decimal import Decimal

from condor.domain.instruments import AssetClass, Instrument
from condor.reporting.pnl import PNL_COLUMNS
from condor.reporting.tables import FILL_COLUMNS, TableWriter, csv_cell, write_csv

BTC8 = Instrument(
    "BTCUSDT", AssetClass.CRYPTO, "BINANCE", Decimal("0.01"), Decimal("0.00000001"),
    currency="USDT",
)  # fmt: skip


def test_zero_of_a_fine_lot_is_written_in_fixed_point(tmp_path):
    # Arrange
    flat = BTC8.lots_to_qty(0)
    row = {c: None for c in PNL_COLUMNS} | {
        "tag": "long#1", "fills": 2, "bought": BTC8.lots_to_qty(50_000_000),
        "sold": BTC8.lots_to_qty(50_000_000), "position": flat,
        "cash_flow": Decimal("-11.6268881000"), "pnl": Decimal("-11.6268881000"), "flat": True,
    }  # fmt: skip
    # Act
    path = write_csv([row], PNL_COLUMNS, tmp_path / "pnl.csv")
    with open(path, newline="") as f:
        back = next(csv.DictReader(f))
    # Assert
    assert str(flat) == "0E-8"
    assert back["position"] == "0.00000000" and back["bought"] == "0.50000000"
    assert back["pnl"] == "-11.6268881000" and back["group_id"] == ""
    assert Decimal(back["position"]) == flat


def test_streamed_table_writes_the_same_cells(tmp_path):
    # Arrange
    row = dict.fromkeys(FILL_COLUMNS, None) | {
        "seq": 1, "ts_ns": 5, "qty": BTC8.lots_to_qty(0), "price": BTC8.ticks_to_price(0),
    }  # fmt: skip
    table = TableWriter(tmp_path / "fills", FILL_COLUMNS, 2, 8)
    # Act
    table.write(row)
    table.close()
    text = table.csv_path.read_text().splitlines()[1]
    # Assert
    assert csv_cell(Decimal("1E+2")) == "100" and csv_cell(None) == "" and csv_cell(3) == 3
    assert ",0.00000000,0.00," in text
