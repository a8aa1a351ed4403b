"""Replay throughput: each feed reader alone over the real files, then a full scenario replay
(``condor replay --orders``'s runner) of the IBM quotes day with 1,000 brackets.

Prints two tables, then as its last line one JSON object:
``{"csv_reader_events_per_s", "ibm_quotes_1k_brackets_s", "peak_rss_mb", ...}``. Reader figures
are input records per second (best of ``--repeat`` passes, a bare ``for`` loop consuming);
the replay figure is the best wall time of ``--repeat`` runs of ``run_scenario`` over the NBBO
reader (109,067 quote rows, the reader's time included) with brackets placed in regular hours,
half long and half short, 20 ticks around the touch, under the US equity calendar; peak RSS is
the process's high-water mark (``getrusage``). Figures only: no assertion on time (STYLE.md).
Run: ``.venv/bin/python bench/replay.py [--repeat N] [--data DIR] [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from datetime import date
from pathlib import Path

from condor.backtest.runner import run_scenario
from condor.backtest.scenario import parse_scenario
from condor.domain.orders.enums import ExecType
from condor.marketdata.binance import BinanceReader
from condor.marketdata.cme_mbo import CmeMboReader
from condor.marketdata.csv_feed import CsvQuoteReader, CsvTradeReader
from condor.marketdata.lobster import LobsterReader
from condor.marketdata.nbbo import NbboReader
from readers import instruments, measure

from _common import emit, load_note, note, table

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
QUOTES = "ibm-us-equity-quotes-20131007.csv"


def bracket_scenario(brackets: int, every: int) -> str:
    """YAML of ``brackets`` brackets (half long in account LONG, half short in SHORT), one
    pair every ``every`` market events (NBBO changes) of the regular session."""
    half = brackets // 2
    return f"""\
instrument: {{symbol: IBM, tick: "0.01", quotes_only: true, calendar: us-equity}}
accounts: [{{id: LONG}}, {{id: SHORT}}]
placements:
  - {{name: long, every: {every}, count: {half}, after: "09:30", before: "16:00",
     account: LONG, bracket: {{side: Buy, qty: 100, offset: 20}}}}
  - {{name: short, every: {every}, count: {brackets - half}, after: "09:30", before: "16:00",
     account: SHORT, bracket: {{side: Sell, qty: 100, offset: 20}}}}
"""


def replay_once(data: Path, text: str):
    sc = parse_scenario(text)
    feed = NbboReader(data / QUOTES, sc.instrument)
    gc.collect()
    start = time.perf_counter()
    run = run_scenario(sc, feed)
    return time.perf_counter() - start, run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--quick", action="store_true", help="one pass of each, 100 brackets")
    args = p.parse_args()
    repeat = 1 if args.quick else args.repeat
    d, inst = args.data, instruments()
    files = {
        "csv trades (IBM)": (CsvTradeReader, "ibm-us-equity-trades-20131007.csv", "IBM", "rows"),
        "csv quotes (USD/JPY)": (
            CsvQuoteReader, "usdjpy-dukascopy-quotes-20190101.csv", "USD/JPY", "rows",
        ),
        "nbbo (IBM quotes)": (NbboReader, QUOTES, "IBM", "rows"),
        "binance (BTCUSDT)": (
            BinanceReader, "btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz",
            "BTCUSDT", "lines",
        ),
        "lobster (AAPL)": (
            LobsterReader, "aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv", "AAPL",
            "rows",
        ),
        "cme mbo (ESH4)": (CmeMboReader, "esh4-cme-globex-mbo-l3-20231225.csv", "ESH4", "rows"),
    }  # fmt: skip
    res = {}
    for name, (cls, fname, sym, attr) in files.items():
        extra = (date(2012, 6, 21),) if cls is LobsterReader else ()
        res[name] = measure(
            lambda c=cls, f=fname, s=sym, x=extra: c(d / f, inst[s], *x),
            lambda r, a=attr: getattr(r, a),
            repeat,
        )
    table(
        "Readers alone (best of passes)",
        ["reader", "records", "events out", "seconds", "records/s"],
        [[n, i, o, s, i / s] for n, (s, i, o) in res.items()],
    )
    brackets = 100 if args.quick else 1000
    text = bracket_scenario(brackets, 10)
    best, run = min((replay_once(d, text) for _ in range(repeat)), key=lambda x: x[0])
    fills = sum(1 for e in run.events if getattr(e, "exec_type", None) is ExecType.TRADE)
    placed = sum(1 for f in run.fired if f.order_ids and not f.rejected)
    table(
        f"Full replay of {QUOTES} with {brackets:,} brackets (best of {repeat})",
        ["figure", "value"],
        [
            ["market events (NBBO quotes)", run.events_in],
            ["brackets placed", placed],
            ["fills", fills],
            ["engine events kept", len(run.events)],
            ["seconds", best],
            ["events/s", run.events_in / best],
        ],
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    note(load_note())

    def rate(*names: str) -> int:
        return round(sum(res[n][1] for n in names) / sum(res[n][0] for n in names))

    emit(
        "replay",
        {
            "csv_reader_events_per_s": rate("csv trades (IBM)", "csv quotes (USD/JPY)"),
            "ibm_quotes_1k_brackets_s": round(best, 3),
            "peak_rss_mb": round(peak, 1),
            "brackets": placed,
            "nbbo_events_per_s": rate("nbbo (IBM quotes)"),
            "binance_events_per_s": rate("binance (BTCUSDT)"),
            "lobster_events_per_s": rate("lobster (AAPL)"),
            "cme_events_per_s": rate("cme mbo (ESH4)"),
        },
        args.quick,
    )


if __name__ == "__main__":
    main()
