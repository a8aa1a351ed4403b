"""Issue 10: ``condor replay DATA --orders SCENARIO`` over the real IBM tape of 2013-10-07 with
brackets, OCO pairs, trailing stops and a DAY order, under the US equity session calendar.

Every expected fill is computed here, independently, from the raw CSV (csv module, Decimal,
zoneinfo): placements at their times, conditions and event counts; market orders filled by the
next regular-hours print; resting limits filled at their price by a print at or through them;
stops (and trailing stops, water mark = highest print since placement) elected by a print at or
through them and filled at that print; OUO/OCO partners canceled by a fill; DAY orders expired at
16:00 New York. Then the report folder is read back: CSV, Parquet and the PNG.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
from matplotlib import image as mpimg

from condor.backtest.runner import run_scenario
from condor.backtest.scenario import load_scenario
from condor.cli import main
from condor.domain.orders.enums import ExecType
from condor.marketdata import open_feed

NY = ZoneInfo("America/New_York")
TICK = Decimal("0.01")
FILE = "ibm-us-equity-trades-20131007.csv"

SCENARIO = """\
instrument: {symbol: IBM, tick: "0.01", currency: USD, calendar: us-equity}
timezone: America/New_York
accounts:
  - {id: L1, cash: "1000000"}
  - {id: S1, cash: "1000000"}
  - {id: H1, cash: "1000000", position: 10, position_price: "182.00"}
  - {id: H2, cash: "1000000", position: 10, position_price: "182.00"}
  - {id: H3, cash: "1000000", position: 10, position_price: "182.00"}
  - {id: D1, cash: "1000000"}
placements:
  - name: long-bracket
    at: "10:00"
    account: L1
    bracket: {side: Buy, qty: 1, offset: 20}
  - name: short-bracket
    at: "11:00"
    account: S1
    bracket: {side: Sell, qty: 1, offset: 20}
  - name: oco-a
    at: "12:00"
    account: H1
    group:
      kind: OCO
      members:
        - {side: Sell, type: Limit, qty: 1, price: touch+30, tif: GTC}
        - {side: Sell, type: StopMarket, qty: 1, stop: touch-30, tif: GTC}
  - name: oco-b
    when: touch >= 182.90
    after: "10:00"
    account: H2
    group:
      kind: OCO
      members:
        - {side: Sell, type: Limit, qty: 1, price: touch+10, tif: GTC}
        - {side: Sell, type: StopMarket, qty: 1, stop: touch-10, tif: GTC}
  - name: trail-a
    at: "13:00"
    account: H3
    order: {side: Sell, type: TrailingStopMarket, qty: 1, trail: {ticks: 25}, tif: GTC}
  - name: trail-b
    every: 5000
    count: 2
    after: "10:00"
    account: H3
    order: {side: Sell, type: TrailingStopMarket, qty: 1, trail: {amount: "0.30"}, tif: GTC}
  - name: day-bid
    at: "11:30"
    account: D1
    order: {side: Buy, type: Limit, qty: 1, price: touch-300}
"""


def _ns(hh: int, mm: int) -> int:
    return int(datetime(2013, 10, 7, hh, mm, tzinfo=NY).timestamp()) * 10**9


class _O:
    """One order of the independent model: kind "mkt" | "lmt" | "stp" | "trail"."""

    def __init__(self, tag, kind, buy, level=None, offset=None, water=None):
        self.tag, self.kind, self.buy, self.level = tag, kind, buy, level
        self.offset, self.water = offset, water
        self.on = False
        self.done = False
        self.partners: list[_O] = []
        self.children: list[_O] = []


def _expected(rows) -> dict[str, list[tuple[int, Decimal]]]:
    """tag -> [(ts_ns, price)] of its fills, from the raw tape alone."""
    close = _ns(16, 0)
    orders: list[_O] = []
    fills: dict[str, list] = {}
    t10, t_at = _ns(10, 0), {"long": _ns(10, 0), "short": _ns(11, 0), "oco-a": _ns(12, 0),
                             "trail-a": _ns(13, 0), "day": _ns(11, 30)}  # fmt: skip
    done_at: set[str] = set()
    oco_b = False
    every_left = 2
    last = None

    def place_at(name, p):  # p = the last print before the placement time (the touch)
        if name == "long":
            e = _O("long-bracket#1/entry", "mkt", True)
            tp = _O("long-bracket#1/take_profit", "lmt", False, p + 20 * TICK)
            sl = _O("long-bracket#1/stop_loss", "stp", False, p - 20 * TICK)
            e.children = [tp, sl]
            tp.partners, sl.partners = [sl], [tp]
            e.on = True
            orders.extend((e, tp, sl))
        elif name == "short":
            e = _O("short-bracket#1/entry", "mkt", False)
            tp = _O("short-bracket#1/take_profit", "lmt", True, p - 20 * TICK)
            sl = _O("short-bracket#1/stop_loss", "stp", True, p + 20 * TICK)
            e.children = [tp, sl]
            tp.partners, sl.partners = [sl], [tp]
            e.on = True
            orders.extend((e, tp, sl))
        elif name == "oco-a":
            _oco("oco-a#1", p, 30)
        elif name == "trail-a":
            t = _O("trail-a#1/order", "trail", False, None, 25 * TICK, p)
            t.on = True
            orders.append(t)
        elif name == "day":
            d = _O("day-bid#1/order", "lmt", True, p - 300 * TICK)
            d.on = True
            orders.append(d)

    def _oco(tag, p, off):
        a = _O(f"{tag}/m0", "lmt", False, p + off * TICK)
        b = _O(f"{tag}/m1", "stp", False, p - off * TICK)
        a.partners, b.partners = [b], [a]
        a.on = b.on = True
        orders.extend((a, b))

    def fill(o, ts, px):
        fills.setdefault(o.tag, []).append((ts, px))
        o.done = True
        for q in o.partners:
            q.done = True
        for c in o.children:
            c.on = True

    for i, (ts, price, size) in enumerate(rows, 1):
        for name, at in t_at.items():
            if name not in done_at and ts >= at:
                done_at.add(name)
                place_at(name, last)
        avail = size
        if ts < close and ts >= _ns(9, 30):
            live = [o for o in orders if o.on and not o.done]
            # 1. resting limits, best price first, then time
            lim = [o for o in live if o.kind == "lmt"]
            lim.sort(key=lambda o: -o.level if o.buy else o.level)
            for o in lim:
                hit = price <= o.level if o.buy else price >= o.level
                if hit and avail:
                    avail -= 1
                    fill(o, ts, o.level)
            # 2. stops and trailing stops on this print, filled at it
            for o in [o for o in live if o.kind in ("stp", "trail") and not o.done]:
                if o.kind == "trail":
                    o.water = max(o.water, price)
                    elected = price <= o.water - o.offset
                else:
                    elected = price >= o.level if o.buy else price <= o.level
                if elected and avail:
                    avail -= 1
                    fill(o, ts, price)
            # 3. waiting market orders
            for o in [o for o in live if o.kind == "mkt" and not o.done]:
                if avail:
                    avail -= 1
                    fill(o, ts, price)
        # placements that look at this event (after it is applied)
        if not oco_b and ts >= t10 and price >= Decimal("182.90"):
            oco_b = True
            _oco("oco-b#1", price, 10)
        if every_left and i % 5000 == 0 and ts >= t10:
            k = 3 - every_left
            every_left -= 1
            t = _O(f"trail-b#{k}/order", "trail", False, None, Decimal("0.30"), price)
            t.on = True
            orders.append(t)
        last = price
    return fills


@pytest.fixture
def replay(shared_data, tmp_path):
    path = tmp_path / "ibm.yaml"
    path.write_text(SCENARIO)
    sc = load_scenario(path)
    return sc, run_scenario(sc, open_feed(shared_data / FILE, sc.instrument))


def test_every_fill_matches_the_raw_tape(shared_data, replay):
    # Arrange: the independent model over the raw rows
    with open(shared_data / FILE, newline="") as f:
        rows = [(int(r["ts_ns"]), Decimal(r["price"]), int(r["size"])) for r in csv.DictReader(f)]
    expected = _expected(rows)
    _sc, run = replay
    # Act
    got: dict[str, list] = {}
    for e in run.events:
        if getattr(e, "exec_type", None) is ExecType.TRADE:
            got.setdefault(e.cl_ord_id, []).append((e.ts_ns, e.last_px * TICK))
    # Assert
    assert got == expected
    tags = {k.split("/")[0] for k in got}
    assert {"long-bracket#1", "short-bracket#1", "oco-a#1", "oco-b#1", "trail-a#1"} <= tags
    assert {"trail-b#1", "trail-b#2"} <= tags
    for b in ("long-bracket#1", "short-bracket#1"):
        assert len([k for k in got if k.startswith(b)]) == 2  # entry and exactly one exit


def test_day_order_expires_at_the_close_and_sessions_hold(replay):
    # Arrange
    _sc, run = replay
    day = next(f for f in run.fired if f.placement == "day-bid").order_ids[0]
    # Act
    ends = [e for e in run.events if getattr(e, "order_id", None) == day and e.exec_type is ExecType.EXPIRED]  # fmt: skip
    trades = [e for e in run.events if getattr(e, "exec_type", None) is ExecType.TRADE]
    # Assert
    assert [e.ts_ns for e in ends] == [_ns(16, 0)]
    assert all(_ns(9, 30) <= e.ts_ns < _ns(16, 0) for e in trades)
    assert not run.skipped and all(f.rejected is None for f in run.fired)


def test_report_folder_reads_back(shared_data, tmp_path):
    # Arrange
    scn = tmp_path / "ibm.yaml"
    scn.write_text(SCENARIO)
    out = tmp_path / "report"
    # Act
    code = main(["replay", str(shared_data / FILE), "--orders", str(scn), "--out", str(out)])
    # Assert
    assert code == 0
    sc = load_scenario(scn)
    run = run_scenario(sc, open_feed(shared_data / FILE, sc.instrument))
    n_fills = sum(1 for e in run.events if getattr(e, "exec_type", None) is ExecType.TRADE)
    n_events = sum(1 for e in run.events if hasattr(e, "exec_type"))
    with open(out / "fills.csv", newline="") as f:
        fills = list(csv.DictReader(f))
    assert len(fills) == n_fills and fills[0]["placement"]
    assert all(Decimal(r["price"]) * 100 % 1 == 0 for r in fills)
    table = pq.read_table(out / "fills.parquet")
    assert table.num_rows == n_fills
    assert [str(x) for x in table.column("price").to_pylist()] == [r["price"] for r in fills]
    assert pq.read_table(out / "order_events.parquet").num_rows == n_events
    with open(out / "order_events.csv", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == n_events
    pnl = pq.read_table(out / "pnl.parquet").to_pylist()
    assert {r["tag"] for r in pnl} == {f.tag for f in run.fired}
    brackets = [r for r in pnl if r["kind"] == "Bracket"]
    assert brackets and all(r["flat"] and r["position"] == 0 for r in brackets)
    img = mpimg.imread(out / "chart.png")
    assert img.shape[:2] == (900, 1600)
    assert img.std() > 0.01  # not a blank canvas
