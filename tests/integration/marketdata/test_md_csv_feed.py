"""CSV trade/quote readers and the exact decimal parsers against the real data files.

Expected figures come from ``/work/shared/data/README.md`` sections 1 and 3.
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from pathlib import Path

import pytest

from condor.domain.errors import DomainError
from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import Aggressor
from condor.marketdata import open_feed
from condor.marketdata.binance import BinanceReader
from condor.marketdata.cme_mbo import CmeMboReader
from condor.marketdata.csv_feed import CsvQuoteReader, CsvTradeReader
from condor.marketdata.errors import FeedError, OffGridError
from condor.marketdata.lobster import LobsterReader
from condor.marketdata.nbbo import NbboReader
from condor.marketdata.units import decimal_parser

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real market data folder {DATA} is absent (see shared/data/README)"
)
TRADES = DATA / "ibm-us-equity-trades-20131007.csv"
USDJPY = DATA / "usdjpy-dukascopy-quotes-20190101.csv"

# IBM: every price in both IBM files is on the 0.01 grid (checked: no sub-penny value).
IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))
USDJPY_INST = Instrument(
    "USD/JPY", AssetClass.FX, "DUKA", Decimal("0.001"), currency="JPY", has_trades=False
)
# 2013-10-07 regular hours, 09:30 to 16:00 EDT (UTC-4), as UTC epoch ns.
OPEN_NS, CLOSE_NS = 1381152600 * 10**9, 1381176000 * 10**9


def test_ibm_trades_match_readme_figures() -> None:
    # Arrange
    reader = CsvTradeReader(TRADES, IBM, skip_col="suspicious")

    # Act
    n = volume = regular = 0
    lo = hi = first = last = None
    for t in reader:
        n += 1
        volume += t.size
        regular += OPEN_NS <= t.ts_ns < CLOSE_NS
        lo = t.price if lo is None else min(lo, t.price)
        hi = t.price if hi is None else max(hi, t.price)
        first = first or t
        last = t

    # Assert
    assert (n, reader.rows, reader.skipped) == (24_293, 24_293, 0)
    assert volume == 3_960_352
    assert regular == 24_106
    # README says 181.52 .. 183.31, but 181.52 is the first print: the low is a pre-market
    # print of 181.35 (06:52:29.774 EDT, Arca); 9 prints are below 181.52.
    assert (lo, hi) == (18135, 18331)
    assert first.ts_ns == 1381132830270000000  # 04:00:30.270 EDT
    assert last.ts_ns == 1381188367550000000  # 19:26:07.550 EDT
    assert (first.price, first.size, first.trade_id, first.aggressor) == (
        18152,
        283,
        None,
        Aggressor.NONE,
    )


def test_ibm_trade_ids_can_be_row_numbers() -> None:
    # Arrange
    reader = CsvTradeReader(TRADES, IBM, row_ids=True)

    # Act
    ids = [t.trade_id for t in reader]

    # Assert
    assert ids[0] == "1" and ids[-1] == "24293" and len(set(ids)) == 24_293


def test_usdjpy_quotes_match_readme_figures() -> None:
    # Arrange
    reader = CsvQuoteReader(USDJPY, USDJPY_INST)

    # Act
    quotes = list(reader)

    # Assert
    assert len(quotes) == reader.rows == 10_000
    assert quotes[0].ts_ns == 1546383600071000000  # 2019-01-01T23:00:00.071Z
    assert quotes[-1].ts_ns == 1546394443514000000  # 2019-01-02T02:00:43.514Z
    assert all(a.ts_ns <= b.ts_ns for a, b in itertools.pairwise(quotes))
    assert min(q.bid for q in quotes) == 109542 and max(q.bid for q in quotes) == 109726
    spreads = [q.ask - q.bid for q in quotes]
    assert (min(spreads), max(spreads)) == (1, 22)  # 0.001 .. 0.022 JPY
    assert {(q.bid_size, q.ask_size) for q in quotes} == {(None, None)}


@pytest.mark.parametrize("step", ["0.01", "0.25", "0.0001", "0.00001", "0.00000001", "1", "5"])
def test_decimal_parser_agrees_with_instrument_conversion(step: str) -> None:
    # Arrange
    inst = Instrument("X", AssetClass.EQUITY, "V", Decimal(step))
    rng = random.Random(7)
    texts = [
        "181.5200",
        "0.25",
        "-0.5",
        "42",
        ".5",
        "5.",
        "-.25",
        "+1.50",
        " 1.25 ",
        "1.2.3",
        "abc",
        "-",
        "",
        "25.42618900",
        "0.00000000",
        "4800.13",
        "00.010",
        "1.-5",
    ]
    texts += [f"{rng.randint(-(10**6), 10**6) / 10 ** rng.randint(0, 6)}" for _ in range(2000)]
    texts += [f"{rng.randint(0, 999)}.{rng.randint(0, 10**8):08d}" for _ in range(2000)]
    parsers = [decimal_parser(Decimal(step)), decimal_parser(Decimal(step), cache=False)]

    def expected(text: str) -> int | str:
        try:
            return inst.price_to_ticks(text)
        except DomainError:
            return "off-grid"

    def got(parse, text: str) -> int | str:
        try:
            return parse(text)
        except OffGridError:
            return "off-grid"

    # Act
    mismatches = [
        (t, expected(t), got(p, t)) for p in parsers for t in texts if expected(t) != got(p, t)
    ]

    # Assert
    assert mismatches == []


def test_off_grid_price_raises_with_file_and_line(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "x-trades.csv"
    path.write_text("ts_ns,price,size\n1,181.52,100\n2,181.525,100\n")

    # Act
    with pytest.raises(OffGridError) as info:
        list(CsvTradeReader(path, IBM))

    # Assert
    assert info.value.line == 3 and "181.525" in str(info.value)


def test_missing_column_raises_feed_error(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "x-quotes.csv"
    path.write_text("ts_ns,bid\n1,1.000\n")

    # Act / Assert
    with pytest.raises(FeedError, match="'ask'"):
        list(CsvQuoteReader(path, USDJPY_INST))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ibm-us-equity-trades-20131007.csv", CsvTradeReader),
        ("ibm-us-equity-quotes-20131007.csv", NbboReader),
        ("usdjpy-dukascopy-quotes-20190101.csv", CsvQuoteReader),
        ("btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz", BinanceReader),
        ("aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv", LobsterReader),
        ("esh4-cme-globex-mbo-l3-20231225.csv", CmeMboReader),
    ],
)
def test_open_feed_picks_reader_by_file_name(name: str, kind: type) -> None:
    # Arrange
    path = DATA / name

    # Act
    reader = open_feed(path, IBM)

    # Assert
    assert isinstance(reader, kind)
    if kind is LobsterReader:
        assert str(reader.trade_date) == "2012-06-21"


def test_open_feed_rejects_unknown_names(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "notes.txt"

    # Act / Assert
    with pytest.raises(FeedError, match="no reader"):
        open_feed(path, IBM)
