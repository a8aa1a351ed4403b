"""Throughput of each feed reader alone over the real files in ``shared/data``.

Prints a table, then as its last line one JSON object of events per second per reader. An
"event" here is one input record the reader consumes (a CSV row, a JSONL line, a LOBSTER or MBO
message), so readers that fold or filter (NBBO) are measured on the work they do; the table also
shows the events they emit. Each figure is the best of ``--repeat`` passes (default 5), the
consumer being a bare ``for`` loop. Figures only: no assertion on time (STYLE.md, bench/).
Run: ``.venv/bin/python bench/readers.py [--repeat N] [--data DIR]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from condor.domain.instruments import AssetClass, Instrument
from condor.marketdata.binance import BinanceReader
from condor.marketdata.cme_mbo import CmeMboReader
from condor.marketdata.csv_feed import CsvQuoteReader, CsvTradeReader
from condor.marketdata.lobster import LobsterReader
from condor.marketdata.nbbo import NbboReader

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def instruments() -> dict[str, Instrument]:
    return {
        "IBM": Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01")),
        "USD/JPY": Instrument(
            "USD/JPY", AssetClass.FX, "DUKA", Decimal("0.001"), currency="JPY", has_trades=False
        ),
        "BTCUSDT": Instrument(
            "BTCUSDT",
            AssetClass.CRYPTO,
            "BINANCE",
            Decimal("0.01"),
            lot_size=Decimal("0.00000001"),
            currency="USDT",
            calendar="24x7",
        ),
        "AAPL": Instrument("AAPL", AssetClass.EQUITY, "NASDAQ", Decimal("0.0001")),
        "ESH4": Instrument(
            "ESH4", AssetClass.FUTURE, "CME", Decimal("0.25"), multiplier=Decimal(50)
        ),
    }


def measure(make: Callable[[], Iterable], records: Callable[[object], int], repeat: int):
    """Best wall time over ``repeat`` passes -> (seconds, input records, emitted events)."""
    best, emitted, n_in = float("inf"), 0, 0
    for _ in range(repeat):
        reader = make()
        start = time.perf_counter()
        out = 0
        for _event in reader:
            out += 1
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, emitted, n_in = elapsed, out, records(reader)
    return best, n_in, emitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    d, inst = args.data, instruments()
    cases = {
        "csv trades (IBM)": (
            lambda: CsvTradeReader(d / "ibm-us-equity-trades-20131007.csv", inst["IBM"]),
            lambda r: r.rows,
        ),
        "csv quotes (USD/JPY)": (
            lambda: CsvQuoteReader(d / "usdjpy-dukascopy-quotes-20190101.csv", inst["USD/JPY"]),
            lambda r: r.rows,
        ),
        "nbbo (IBM quotes)": (
            lambda: NbboReader(d / "ibm-us-equity-quotes-20131007.csv", inst["IBM"]),
            lambda r: r.rows,
        ),
        "binance (BTCUSDT)": (
            lambda: BinanceReader(
                d / "btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz",
                inst["BTCUSDT"],
            ),
            lambda r: r.lines,
        ),
        "lobster (AAPL)": (
            lambda: LobsterReader(
                d / "aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv",
                inst["AAPL"],
                date(2012, 6, 21),
            ),
            lambda r: r.rows,
        ),
        "cme mbo (ESH4)": (
            lambda: CmeMboReader(d / "esh4-cme-globex-mbo-l3-20231225.csv", inst["ESH4"]),
            lambda r: r.rows,
        ),
    }
    results = {}
    print(f"{'reader':<22}{'records':>10}{'emitted':>10}{'seconds':>10}{'records/s':>14}")
    for name, (make, records) in cases.items():
        secs, n_in, out = measure(make, records, args.repeat)
        results[name] = (secs, n_in, out)
        print(f"{name:<22}{n_in:>10,}{out:>10,}{secs:>10.3f}{n_in / secs:>14,.0f}")

    def rate(*names: str) -> int:
        return round(sum(results[n][1] for n in names) / sum(results[n][0] for n in names))

    print(
        json.dumps(
            {
                "csv_reader_events_per_s": rate("csv trades (IBM)", "csv quotes (USD/JPY)"),
                "nbbo_events_per_s": rate("nbbo (IBM quotes)"),
                "binance_events_per_s": rate("binance (BTCUSDT)"),
                "binance_emitted_events_per_s": round(
                    results["binance (BTCUSDT)"][2] / results["binance (BTCUSDT)"][0]
                ),
                "lobster_events_per_s": rate("lobster (AAPL)"),
                "cme_events_per_s": rate("cme mbo (ESH4)"),
            }
        )
    )


if __name__ == "__main__":
    main()
