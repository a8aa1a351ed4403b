"""Issue 10: the queue-aware fill model over the real AAPL LOBSTER hour (2012-06-21).

A buy limit joins the best bid at 09:35 and a sell limit the best ask at 09:50 (New York). The
expected fills are computed here from the raw message file alone (csv module, its own order
dict): the client order stands behind exactly the orders resting at its level when it joined;
their cancels and executions shrink the queue; once nothing is ahead, an execution at its
price fills it, and an execution at a worse price of its side fills it at once. The touch model
fills on the first print at the price, whatever the queue.
"""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

from condor.backtest.runner import run_scenario
from condor.backtest.scenario import parse_scenario
from condor.marketdata import open_feed

from backtest_helpers import placement_fills

FILE = "aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv"
NY = ZoneInfo("America/New_York")
MIDNIGHT_NS = int(datetime(2012, 6, 21, tzinfo=NY).timestamp()) * 10**9


def _scenario(fill_model: str) -> str:
    return f"""\
instrument: {{symbol: AAPL, tick: "0.0001", venue: NASDAQ}}
fill_model: {fill_model}
accounts: [{{id: A, position: 10000, position_price: "580"}}]
placements:
  - {{name: bid, at: "09:35", order: {{side: Buy, type: Limit, qty: 300, price: bid}}}}
  - {{name: ask, at: "09:50", order: {{side: Sell, type: Limit, qty: 300, price: ask}}}}
"""


def _ns(text: str) -> int:
    sec, _, frac = text.partition(".")
    return MIDNIGHT_NS + int(sec) * 10**9 + int((frac + "000000000")[:9])


def _expected(path, qty: int):
    """{"bid"|"ask": (price, ahead lots at joining, [(ts_ns, lots)])} from the raw rows."""
    book: dict[int, list] = {}  # order id -> [is_bid, price, size], insertion (FIFO) order
    joins = {"bid": _ns("34500"), "ask": _ns("35400")}  # 09:35, 09:50
    out = {}
    live: dict[str, dict] = {}
    with open(path, newline="") as f:
        for t, typ, oid, size, px, d in csv.reader(f):
            ts, kind, oid, size, px, is_bid = _ns(t), int(typ), int(oid), int(size), int(px), d == "1"  # fmt: skip
            for name, at in list(joins.items()):
                if ts >= at:  # join before this message, at the best price of its side
                    del joins[name]
                    want_bid = name == "bid"
                    prices = [o[1] for o in book.values() if o[0] is want_bid]
                    p = max(prices) if want_bid else min(prices)
                    ahead = {i: o[2] for i, o in book.items() if o[0] is want_bid and o[1] == p}
                    live[name] = {"bid": want_bid, "p": p, "ahead": ahead, "left": qty, "fills": []}  # fmt: skip
                    out[name] = (p, sum(ahead.values()), live[name]["fills"])
            for c in live.values():
                if c["left"] == 0 or c["bid"] is not is_bid:
                    continue
                a = c["ahead"]
                if kind in (2, 3, 4) and oid in a:
                    a[oid] -= size
                    if a[oid] <= 0 or kind == 3:
                        del a[oid]
                elif kind in (4, 5):
                    worse = px < c["p"] if is_bid else px > c["p"]
                    if worse or (px == c["p"] and not a):
                        q = min(c["left"], size)
                        c["left"] -= q
                        c["fills"].append((ts, q))
            if kind == 1:
                book[oid] = [is_bid, px, size]
            elif kind in (2, 4) and oid in book:
                book[oid][2] -= size
                if book[oid][2] <= 0:
                    del book[oid]
            elif kind == 3:
                book.pop(oid, None)
    return out


def test_queue_fills_match_the_raw_messages(shared_data):
    # Arrange
    expected = _expected(shared_data / FILE, 300)
    sc = parse_scenario(_scenario("queue"))
    # Act
    run = run_scenario(sc, open_feed(shared_data / FILE, sc.instrument))
    # Assert
    for name in ("bid", "ask"):
        price, ahead, fills = expected[name]
        got = placement_fills(run, name)
        assert ahead > 0, name  # it really waited behind a queue
        assert sum(q for _, q in fills) == 300, name
        assert got == [(ts, q, price) for ts, q in fills], name
    run.engine.check_invariants()


def test_touch_model_fills_no_later_than_the_queue(shared_data):
    # Arrange
    touch_sc = parse_scenario(_scenario("touch"))
    queue_sc = parse_scenario(_scenario("queue"))
    # Act
    touch = run_scenario(touch_sc, open_feed(shared_data / FILE, touch_sc.instrument))
    queue = run_scenario(queue_sc, open_feed(shared_data / FILE, queue_sc.instrument))
    # Assert: the queue model is never earlier, and is later for at least one order
    later = 0
    for name in ("bid", "ask"):
        t_fills, q_fills = placement_fills(touch, name), placement_fills(queue, name)
        assert t_fills and q_fills
        assert t_fills[-1][0] <= q_fills[-1][0]
        later += t_fills[-1][0] < q_fills[-1][0]
    assert later >= 1
