"""Issue 10: the queue-aware fill model over the real ESH4 CME market-by-order file
(2023-12-25, Databento MBO, snapshot first).

A buy limit joins the best bid at 23:05 UTC and a sell limit the best ask at 23:20 UTC. The
expected fills are computed here from the raw CSV alone (csv module, Decimal, its own order
dict): the client order stands behind exactly the orders resting at its level when it joined;
an order ahead counts for at most what still rests of it (cancels and modifies shrink it), for
nothing once it changes price or grows (it lost its place), and a fill (F) of it consumes the
queue at once. Once nothing is ahead, a fill at the client's price fills it; a fill at a worse
price of its side fills it at once. As in every fill model, a published quote (the top of book
after a record flagged LAST, when it changed) at or through the client's price fills it too,
up to the quote's size.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal

from condor.backtest.runner import run_scenario
from condor.backtest.scenario import parse_scenario
from condor.marketdata import open_feed

from backtest_helpers import placement_fills

FILE = "esh4-cme-globex-mbo-l3-20231225.csv"
TICK = Decimal("0.25")
QTY = 20


def _scenario(fill_model: str) -> str:
    return f"""\
instrument: {{symbol: ESH4, tick: "0.25", asset_class: future, multiplier: "50", venue: CME}}
timezone: UTC
sessions: false
fill_model: {fill_model}
accounts: [{{id: A, position: 1000, position_price: "4800"}}]
placements:
  - {{name: bid, at: "23:05", order: {{side: Buy, type: Limit, qty: {QTY}, price: bid, tif: GTC}}}}
  - {{name: ask, at: "23:20", order: {{side: Sell, type: Limit, qty: {QTY}, price: ask, tif: GTC}}}}
"""


def _ns(hh: int, mm: int) -> int:
    return int(datetime(2023, 12, 25, hh, mm, tzinfo=UTC).timestamp()) * 10**9


def _expected(path, qty: int):
    """{"bid"|"ask": (price, ahead lots at joining, [(ts_ns, lots)])} from the raw rows."""
    book: dict[int, list] = {}  # order id -> [is_bid, price, size]
    levels: dict[bool, dict] = {True: {}, False: {}}  # is_bid -> price -> lots
    last_top = None
    joins = {"bid": _ns(23, 5), "ask": _ns(23, 20)}
    out, live = {}, {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            ts, act, oid = int(r["ts_recv_ns"]), r["action"], int(r["order_id"])
            px, size = Decimal(r["price"]) / TICK, int(r["size"])
            for name, at in list(joins.items()):
                if ts >= at:  # join before this record, at the best price of its side
                    del joins[name]
                    want_bid = name == "bid"
                    prices = [o[1] for o in book.values() if o[0] is want_bid]
                    p = max(prices) if want_bid else min(prices)
                    ahead = {i: o[2] for i, o in book.items() if o[0] is want_bid and o[1] == p}
                    live[name] = {"bid": want_bid, "p": p, "ahead": ahead, "left": qty, "fills": []}  # fmt: skip
                    out[name] = (p, sum(ahead.values()), live[name]["fills"])
            before = book.get(oid)
            if before is not None:  # take the order out of its level; put it back below
                lv = levels[before[0]]
                lv[before[1]] -= before[2]
                if not lv[before[1]]:
                    del lv[before[1]]
            if act == "F":
                is_bid = book[oid][0] if oid in book else r["side"] == "B"
                for c in live.values():
                    if c["left"] == 0 or c["bid"] is not is_bid:
                        continue
                    a = c["ahead"]
                    if oid in a:
                        a[oid] -= size
                        if a[oid] <= 0:
                            del a[oid]
                        continue
                    worse = px < c["p"] if is_bid else px > c["p"]
                    if worse or (px == c["p"] and not a):
                        q = min(c["left"], size)
                        c["left"] -= q
                        c["fills"].append((ts, q))
            elif act == "A":
                book[oid] = [r["side"] == "B", px, size]
            elif act == "C" and oid in book:
                book[oid][2] -= size
                if book[oid][2] <= 0:
                    del book[oid]
            elif act == "M":
                old = book.get(oid)
                kept = old is not None and old[1] == px and size <= old[2]
                book[oid] = [old[0] if old else r["side"] == "B", px, size]
                for c in live.values():
                    if oid in c["ahead"] and not kept:
                        del c["ahead"][oid]
            after = book.get(oid)
            if after is not None:
                lv = levels[after[0]]
                lv[after[1]] = lv.get(after[1], 0) + after[2]
            if int(r["flags"]) & 128:  # a published quote
                bids, asks = levels[True], levels[False]
                bb, ba = max(bids, default=None), min(asks, default=None)
                top = (bb, bids.get(bb), ba, asks.get(ba))
                if top != last_top:
                    last_top = top
                    for c in live.values():
                        px_, size_ = (ba, top[3]) if c["bid"] else (bb, top[1])
                        through = px_ is not None and (px_ <= c["p"] if c["bid"] else px_ >= c["p"])
                        if c["left"] and through:
                            q = min(c["left"], size_)
                            c["left"] -= q
                            c["fills"].append((ts, q))
            for c in live.values():  # an order ahead counts for at most what still rests
                a = c["ahead"]
                if oid in a:
                    if oid not in book:
                        del a[oid]
                    else:
                        a[oid] = min(a[oid], book[oid][2])
    return out


def test_cme_queue_fills_match_the_raw_records(shared_data):
    # Arrange
    expected = _expected(shared_data / FILE, QTY)
    sc = parse_scenario(_scenario("queue"))
    # Act
    run = run_scenario(sc, open_feed(shared_data / FILE, sc.instrument))
    # Assert
    for name in ("bid", "ask"):
        price, ahead, fills = expected[name]
        got = placement_fills(run, name)
        assert ahead > 0, name  # it really waited behind a queue
        assert fills, name
        assert got == [(ts, q, price) for ts, q in fills], name
    run.engine.check_invariants()


def test_cme_touch_model_fills_no_later_than_the_queue(shared_data):
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
        assert t_fills[0][0] <= q_fills[0][0]
        later += t_fills[0][0] < q_fills[0][0]
    assert later >= 1
