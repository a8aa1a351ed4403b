"""Readers over damaged copies of the real files: a record out of time order, a truncated last
line, an empty file and a capture of another market each raise a ``FeedError`` naming the file
and the line (audit of the market-data readers: a replay clock only moves forward, so a record
out of order used to be replayed at the wrong time without a word).
"""

from __future__ import annotations

import gzip
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from condor.domain.instruments import AssetClass, Instrument
from condor.marketdata import open_feed
from condor.marketdata.errors import FeedError, OutOfOrderError

import builders

IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))
AAPL = Instrument("AAPL", AssetClass.EQUITY, "NASDAQ", Decimal("0.0001"))
BTC8 = Instrument(
    "BTCUSDT", AssetClass.CRYPTO, "BINANCE", Decimal("0.01"), Decimal("0.00000001"),
    currency="USDT",
)  # fmt: skip
ESH4 = Instrument("ESH4", AssetClass.FUTURE, "CME", Decimal("0.25"), multiplier=Decimal(50))
LOBSTER = "aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv"
BINANCE = "btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz"


def _head(path: Path, n: int) -> list[str]:
    with open(path, newline="") as f:
        return [next(f) for _ in range(n)]


def _swapped(src: Path, dst: Path, n: int, i: int) -> Path:
    """The first ``n`` lines of ``src`` with lines ``i`` and ``i + 1`` (1-based) swapped."""
    lines = _head(src, n)
    lines[i - 1], lines[i] = lines[i], lines[i - 1]
    dst.write_text("".join(lines))
    return dst


@pytest.mark.parametrize(
    ("name", "inst", "line"),
    [
        ("ibm-us-equity-trades-20131007.csv", IBM, 3),
        ("ibm-us-equity-quotes-20131007.csv", IBM, 3),
        ("usdjpy-dukascopy-quotes-20190101.csv", builders.USDJPY, 3),
        (LOBSTER, AAPL, 3),
        ("esh4-cme-globex-mbo-l3-20231225.csv", ESH4, 8727),
    ],
)
def test_a_record_out_of_time_order_names_file_and_line(shared_data, tmp_path, name, inst, line):
    # Arrange: file lines ``line - 1`` and ``line`` swapped (CME: the last snapshot row and the
    # first live one), so the later record comes first
    path = _swapped(shared_data / name, tmp_path / name, line + 20, line - 1)
    # Act
    with pytest.raises(OutOfOrderError) as info:
        list(open_feed(path, inst))
    # Assert
    assert info.value.line == line and info.value.path == path
    assert str(info.value).startswith(f"{path}:{line}: time ") and "in time order" in str(info.value)  # fmt: skip


def test_equal_timestamps_are_in_order(shared_data):
    # Arrange: the real IBM tape has prints sharing a millisecond (09:30:00.072, twice)
    path = shared_data / "ibm-us-equity-trades-20131007.csv"
    # Act
    ticks = list(open_feed(path, IBM))
    # Assert
    assert len(ticks) == 24_293
    assert any(a.ts_ns == b.ts_ns for a, b in itertools.pairwise(ticks))


def test_binance_line_received_before_the_previous_one(shared_data, tmp_path):
    # Arrange
    with gzip.open(shared_data / BINANCE, "rt") as f:
        lines = [next(f) for _ in range(10)]
    lines[4], lines[5] = lines[5], lines[4]
    path = tmp_path / BINANCE
    with gzip.open(path, "wt") as f:
        f.write("".join(lines))
    # Act
    with pytest.raises(OutOfOrderError) as info:
        list(open_feed(path, BTC8))
    # Assert
    assert info.value.line == 6


def test_binance_capture_of_another_market_is_refused(shared_data):
    # Arrange: the capture is BTCUSDT; an instrument named IBM on a fine enough grid
    ibm8 = Instrument("IBM", AssetClass.EQUITY, "SIM", Decimal("0.01"), Decimal("0.00000001"))
    # Act
    with pytest.raises(FeedError, match=r":1: the capture is of BTCUSDT, not of the instrument IBM"):  # fmt: skip
        list(open_feed(shared_data / BINANCE, ibm8))


def test_truncated_last_line_says_so(shared_data, tmp_path):
    # Arrange: 99 rows of the tape, the 100th cut after its price
    lines = _head(shared_data / "ibm-us-equity-trades-20131007.csv", 101)
    path = tmp_path / "cut-trades.csv"
    path.write_text("".join(lines[:100]) + lines[100][:37])
    # Act
    with pytest.raises(FeedError) as info:
        list(open_feed(path, IBM))
    # Assert
    assert str(info.value) == f"{path}:101: bad record: too few fields (a truncated or malformed line)"  # fmt: skip


@pytest.mark.parametrize("name", ["empty-trades.csv", "empty-quotes.csv"])
def test_empty_file_says_so(tmp_path, name):
    # Arrange
    path = tmp_path / name
    path.write_text("")
    # Act / Assert
    with pytest.raises(FeedError, match=r":1: empty file: no header row"):
        list(open_feed(path, IBM))
