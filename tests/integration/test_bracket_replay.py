"""Issue 3: 200 brackets placed at real prices over the IBM tape; every bracket ends in exactly
one exit and the accounts end flat. USD/JPY: outcomes and P&L equal an independent
recomputation from the raw quotes."""

from __future__ import annotations

import csv
from decimal import Decimal

from condor.backtest.brackets import run_brackets
from condor.domain.instruments import AssetClass, Instrument
from condor.marketdata import open_feed

IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))


def test_200_brackets_on_ibm_trades_each_end_in_one_exit(shared_data):
    # Arrange
    feed = open_feed(shared_data / "ibm-us-equity-trades-20131007.csv", IBM)
    # Act
    run = run_brackets(feed, IBM, every=100, max_brackets=200, offset_ticks=30, qty_lots=100)
    # Assert
    assert run.brackets == 200 and run.entries_filled == 200
    assert run.exits_per_bracket == [1] * 200
    assert run.take_profits + run.stop_losses == 200
    assert run.position == 0 and run.open_brackets == 0


def _independent_usdjpy(path, every: int, max_brackets: int, off: int, qty: int):
    """Periodic brackets over the raw USD/JPY rows (csv module, int ticks of 0.001), each
    bracket on its own against the quotes only: entry at the ask (buy) or bid (sell), a resting
    take-profit filled at its price when the opposite quote reaches it, the stop elected by the
    bid (sell) or ask (buy) and filled at that quote. Returns (take-profits, stop-losses, open,
    realized ticks x lots of closed brackets, open ticks x lots at the last floor mid)."""
    brackets = []
    buy = True
    with open(path, newline="") as f:
        for n, row in enumerate(csv.DictReader(f), 1):
            bid, ask = (int(Decimal(row[k]) * 1000) for k in ("bid", "ask"))
            for b in brackets:
                if b["end"] is None and (bid >= b["tp"] if b["side"] > 0 else ask <= b["tp"]):
                    b["end"], b["exit"] = "tp", b["tp"]
            for b in brackets:
                if b["end"] is None and (bid <= b["sl"] if b["side"] > 0 else ask >= b["sl"]):
                    b["end"], b["exit"] = "sl", bid if b["side"] > 0 else ask
            if n % every == 0 and len(brackets) < max_brackets:
                touch, side = (bid + ask) // 2, 1 if buy else -1
                brackets.append({"side": side, "entry": ask if buy else bid, "end": None,
                                 "tp": touch + side * off, "sl": touch - side * off})  # fmt: skip
                buy = not buy
    mid = (bid + ask) // 2
    ends = [b["end"] for b in brackets]
    realized = sum((b["exit"] - b["entry"]) * b["side"] * qty for b in brackets if b["end"])
    still = sum((mid - b["entry"]) * b["side"] * qty for b in brackets if b["end"] is None)
    return ends.count("tp"), ends.count("sl"), ends.count(None), realized, still


def test_usdjpy_brackets_never_trade_with_each_other_and_pnl_is_per_bracket(shared_data):
    # Arrange: the README's example (`condor replay usdjpy... --every 50`). Regression: buy
    # brackets (account LONG) and sell brackets (SHORT) shared one venue, so a sell bracket's
    # stop elected by the ask lifted a buy bracket's take-profit resting inside the spread
    # (109.696 while the bid was 109.693): 83 take-profits instead of 80; and the realized P&L
    # was the accounts' average cost across overlapping brackets (-110.1682802885 JPY).
    path = shared_data / "usdjpy-dukascopy-quotes-20190101.csv"
    inst = Instrument("USDJPY", AssetClass.EQUITY, "SIM", Decimal("0.001"), currency="JPY", has_trades=False)  # fmt: skip
    tp, sl, still, realized, open_ticks = _independent_usdjpy(path, 50, 200, 30, 100)
    # Act
    run = run_brackets(open_feed(path, inst), inst, every=50, max_brackets=200, offset_ticks=30, qty_lots=100)  # fmt: skip
    # Assert
    assert (tp, sl, still) == (80, 104, 16)
    assert (run.take_profits, run.stop_losses, run.open_brackets) == (tp, sl, still)
    assert run.realized_pnl == realized * Decimal("0.001") == Decimal("-135.200")
    assert run.open_pnl == open_ticks * Decimal("0.001") == Decimal("0.600")
    assert run.last_price == Decimal("109.594") and run.position == Decimal(-200)
