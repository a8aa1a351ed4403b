"""Issue 10: a long replay runs in bounded memory. The runner keeps no per-market-event state:
the touch path is a fixed number of time buckets and engine events go straight to the report
files (``ReportWriter``) when ``keep_events`` is off. Shown structurally, over the real IBM tape
and the same tape looped three times (each loop one day later), not by timing or RSS.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pyarrow.parquet as pq

from condor.backtest.runner import run_scenario
from condor.backtest.scenario import parse_scenario
from condor.marketdata import open_feed
from condor.reporting.folder import ReportWriter, write_report
from condor.reporting.model import ReportInput

FILE = "ibm-us-equity-trades-20131007.csv"
DAY_NS = 86_400 * 10**9
SCENARIO = """\
instrument: {symbol: IBM, tick: "0.01", currency: USD, calendar: us-equity}
accounts:
  - {id: L1, cash: "1000000"}
  - {id: S1, cash: "1000000"}
  - {id: D1, cash: "1000000"}
placements:
  - {name: long, at: "10:00", account: L1, bracket: {side: Buy, qty: 1, offset: 20}}
  - {name: short, at: "11:00", account: S1, bracket: {side: Sell, qty: 1, offset: 20}}
  - {name: day-bid, at: "11:30", account: D1, order: {side: Buy, type: Limit, qty: 1, price: touch-300}}
  - {name: trail, every: 5000, count: 2, after: "10:00", account: L1,
     order: {side: Buy, type: TrailingStopMarket, qty: 1, trail: {ticks: 25}, tif: GTC}}
"""


def _looped(path, instrument, times: int):
    """The tape ``times`` times over, each pass one day later (Oct 7, 8, 9 2013: trading days)."""
    for k in range(times):
        for ev in open_feed(path, instrument):
            yield ev._replace(ts_ns=ev.ts_ns + k * DAY_NS)


def test_runner_state_stays_bounded_as_the_feed_grows(shared_data, tmp_path):
    # Arrange
    sc = parse_scenario(SCENARIO)
    seen = {1: 0, 3: 0}

    def counter(k):
        def on_event(ev, tag):
            seen[k] += 1

        return on_event

    # Act
    once = run_scenario(sc, open_feed(shared_data / FILE, sc.instrument), on_event=counter(1), keep_events=False, path_buckets=256)  # fmt: skip
    thrice = run_scenario(sc, _looped(shared_data / FILE, sc.instrument, 3), on_event=counter(3), keep_events=False, path_buckets=256)  # fmt: skip
    # Assert: three times the market events went through...
    assert thrice.events_in == 3 * once.events_in > 24_000
    assert seen[3] >= seen[1] > 0  # engine events were produced and handed on...
    # ...yet nothing per event is retained: no kept events, a fixed-size price path
    assert once.events == [] and thrice.events == []
    for run in (once, thrice):
        assert run.path.capacity == 256
        assert 0 < len(run.path) <= 256
        assert run.path.width_ns > 1_000_000  # it did coarsen: more points than buckets
        assert len(run.prices) <= 4 * 256
    assert len(thrice.fired) == len(once.fired) and len(thrice.tags) == len(once.tags)
    assert len(thrice.skipped) == len(once.skipped)
    assert thrice.path.width_ns > once.path.width_ns  # the same buckets cover three days
    assert thrice.last_ts_ns - once.last_ts_ns == 2 * DAY_NS


def test_streamed_report_equals_the_in_memory_report(shared_data, tmp_path):
    # Arrange: one run both keeps its events and streams them, in row groups of 7
    sc = parse_scenario(SCENARIO)
    writer = ReportWriter(sc.instrument, sc.timezone, tmp_path / "streamed", batch_rows=7)
    most_buffered = 0

    def on_event(ev, tag):
        nonlocal most_buffered
        writer.add(ev, tag)
        most_buffered = max(most_buffered, writer.event_table.buffered)

    # Act
    run = run_scenario(sc, open_feed(shared_data / FILE, sc.instrument), on_event=on_event)
    writer.close(run.tags, run.prices, run.last_price)
    rin = ReportInput(sc.instrument, sc.timezone, run.events, run.tags, run.prices, run.last_price)  # fmt: skip
    write_report(rin, tmp_path / "memory")
    # Assert: the same files, row for row; Parquet in several row groups of at most 7 rows
    assert most_buffered < 7
    for name in ("fills", "order_events", "pnl"):
        a = (tmp_path / "streamed" / f"{name}.csv").read_text()
        b = (tmp_path / "memory" / f"{name}.csv").read_text()
        assert a == b, name
        ta = pq.read_table(tmp_path / "streamed" / f"{name}.parquet")
        tb = pq.read_table(tmp_path / "memory" / f"{name}.parquet")
        assert ta.equals(tb), name
    events = pq.ParquetFile(tmp_path / "streamed" / "order_events.parquet")
    assert events.metadata.num_rows > 7 and events.num_row_groups > 1
    with open(tmp_path / "streamed" / "fills.csv", newline="") as f:
        fills = list(csv.DictReader(f))
    assert writer.fills == len(fills) > 0
    assert all(Decimal(r["price"]) * 100 % 1 == 0 for r in fills)
    assert (tmp_path / "streamed" / "chart.png").stat().st_size > 10_000
