"""Real recorded data through the engine (issue 2): IBM trades (2013-10-07) and USD/JPY quotes
(Dukascopy, 2019-01-02) with stop, trailing-stop and limit orders. Every expected fill is
computed independently here from the raw CSV (csv module, Decimal), not by the engine's rules.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce, TrailKind
from condor.marketdata.csv_feed import CsvQuoteReader, CsvTradeReader

import builders

IBM4 = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.0001"))
JPY = builders.USDJPY


def _raw(path, *cols):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            yield tuple(row[c] for c in cols)


def _fills(events, order_id):
    return [
        (e.last_qty, e.last_px)
        for e in events
        if getattr(e, "exec_type", None) is ExecType.TRADE and e.order_id == order_id
    ]


def _run_ibm(shared_data, make_engine):
    acct = builders.account("A", "alice", positions={"IBM": (1000, "180", IBM4)})
    e = make_engine(acct, builders.account("B", "bob"), instruments=(IBM4,))
    p = IBM4.price_to_ticks
    gtc = TimeInForce.GTC
    stop = e.handle(
        SubmitOrder(
            "A", "IBM", Side.SELL, OrdType.STOP_MARKET, 300, stop_price=p("182.00"), tif=gtc
        )
    )[0].order_id
    limit = e.handle(
        SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 500, price=p("181.60"), tif=gtc)
    )[0].order_id
    trail = e.handle(
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL,
            OrdType.TRAILING_STOP_MARKET,
            200,
            tif=gtc,
            trail=TrailSpec(TrailKind.AMOUNT, p("0.50")),
        )
    )[0].order_id
    events = []
    for t in CsvTradeReader(shared_data / "ibm-us-equity-trades-20131007.csv", IBM4, row_ids=True):
        events.extend(e.on_market(t))
    return e, events, stop, limit, trail


def test_ibm_trades_stop_limit_and_trailing_fill_where_the_tape_says(shared_data, make_engine):
    # Arrange: the independent model, from the raw tape
    tape = [
        (Decimal(p), int(s))
        for p, s in _raw(shared_data / "ibm-us-equity-trades-20131007.csv", "price", "size")
    ]
    exp_stop, exp_limit, exp_trail = [], [], []
    stop_left, limit_left, trail_left = 300, 500, 200
    stop_on = trail_on = False
    water = None
    for price, size in tape:
        avail = size
        # resting buy limit 181.60 fills at its price on a print at or below it (touch)
        if limit_left and price <= Decimal("181.60"):
            q = min(limit_left, avail)
            exp_limit.append((q, Decimal("181.60")))
            limit_left -= q
            avail -= q
        # trailing sell: water mark = highest print since placement, stop = water - 0.50
        if trail_left and not trail_on:
            water = price if water is None else max(water, price)
            if price <= water - Decimal("0.50"):
                trail_on = True
        # the plain stop elects on a print at or below 182.00
        if stop_left and not stop_on and price <= Decimal("182.00"):
            stop_on = True
        for name in ("stop", "trail"):
            left = stop_left if name == "stop" else trail_left
            on = stop_on if name == "stop" else trail_on
            out = exp_stop if name == "stop" else exp_trail
            # an elected sell first takes account B's resting bid when it beats the print
            # (client orders go first at equal price), then the print's size
            if on and left and limit_left and Decimal("181.60") >= price:
                q = min(left, limit_left)
                out.append((q, Decimal("181.60")))
                exp_limit.append((q, Decimal("181.60")))
                limit_left -= q
                left -= q
            if on and left and avail:
                q = min(left, avail)
                out.append((q, price))
                avail -= q
                left -= q
            if name == "stop":
                stop_left = left
            else:
                trail_left = left
    # Act
    e, events, stop, limit, trail = _run_ibm(shared_data, make_engine)
    # Assert
    tick = IBM4.tick_size
    got = {
        k: [(q, tick * px) for q, px in _fills(events, oid)]
        for k, oid in (("stop", stop), ("limit", limit), ("trail", trail))
    }
    assert got["stop"] == exp_stop and sum(q for q, _ in exp_stop) == 300
    assert got["limit"] == exp_limit and exp_limit
    assert got["trail"] == exp_trail and sum(q for q, _ in exp_trail) == 200
    assert e.accounts["A"].positions["IBM"].qty == 1000 - 300 - 200
    assert e.accounts["B"].positions["IBM"].qty == sum(q for q, _ in exp_limit)


def test_usdjpy_quotes_stop_limit_and_trailing(shared_data, make_engine):
    # Arrange: independent model over the raw quotes (bid/ask, no sizes: unlimited)
    rows = [
        (Decimal(b), Decimal(a))
        for b, a in _raw(shared_data / "usdjpy-dukascopy-quotes-20190101.csv", "bid", "ask")
    ]
    sell_stop = Decimal("109.600")  # watches the bid
    buy_limit = Decimal("109.560")  # fills when the ask reaches it
    offset = Decimal("0.020")  # buy trailing stop watches the ask
    exp_stop = exp_limit = exp_trail = None
    low = None
    for i, (bid, ask) in enumerate(rows):
        if exp_limit is None and ask <= buy_limit:
            exp_limit = (i, buy_limit)
        if exp_stop is None and bid <= sell_stop:
            exp_stop = (i, bid)
        if exp_trail is None:
            low = ask if low is None else min(low, ask)
            if ask >= low + offset:
                exp_trail = (i, ask)
    acct = builders.account(
        "A", "alice", usd=1, JPY=10**9, positions={"USDJPY": (100_000, "109", JPY)}
    )
    e = make_engine(acct, instruments=(JPY,))
    p = JPY.price_to_ticks
    stop = e.handle(
        SubmitOrder(
            "A",
            "USDJPY",
            Side.SELL,
            OrdType.STOP_MARKET,
            10_000,
            stop_price=p(sell_stop),
            tif=TimeInForce.GTC,
        )
    )[0].order_id
    limit = e.handle(
        SubmitOrder(
            "A", "USDJPY", Side.BUY, OrdType.LIMIT, 20_000, price=p(buy_limit), tif=TimeInForce.GTC
        )
    )[0].order_id
    trail = e.handle(
        SubmitOrder(
            "A",
            "USDJPY",
            Side.BUY,
            OrdType.TRAILING_STOP_MARKET,
            5_000,
            tif=TimeInForce.GTC,
            trail=TrailSpec(TrailKind.AMOUNT, p(offset)),
        )
    )[0].order_id
    # Act
    at = {}
    for i, q in enumerate(
        CsvQuoteReader(shared_data / "usdjpy-dukascopy-quotes-20190101.csv", JPY)
    ):
        for ev in e.on_market(q):
            if getattr(ev, "exec_type", None) is ExecType.TRADE:
                at[ev.order_id] = (i, JPY.tick_size * ev.last_px, ev.last_qty)
    # Assert: whole quantity at the quote that crossed, at the price the model says
    assert exp_stop and at[stop] == (exp_stop[0], exp_stop[1], 10_000)
    assert exp_limit and at[limit] == (exp_limit[0], exp_limit[1], 20_000)
    assert exp_trail and at[trail] == (exp_trail[0], exp_trail[1], 5_000)


def test_replay_is_deterministic_byte_for_byte(shared_data, make_engine):
    # Arrange / Act: the same commands and data twice
    runs = [_run_ibm(shared_data, make_engine)[1] for _ in range(2)]
    # Assert
    a, b = (repr(r).encode() for r in runs)
    assert len(runs[0]) >= 8
    assert a == b


def test_quote_without_size_is_unlimited_and_market_order_fills_whole(make_engine):
    e = make_engine(builders.account("A", "alice", usd=1, JPY=10**9), instruments=(JPY,))
    e.on_quote(QuoteTick("USDJPY", 1, 109_600, 109_610))
    ev = e.handle(SubmitOrder("A", "USDJPY", Side.BUY, OrdType.MARKET, 1_000_000))
    assert [(x.last_qty, x.last_px) for x in ev if x.exec_type is ExecType.TRADE] == [
        (1_000_000, 109_610)
    ]
