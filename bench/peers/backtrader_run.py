"""backtrader's side of the peer comparison: one workload of ``walk.py`` through one
``Cerebro`` (backtrader 1.9.78, run with ``.venv-peers/bin/python``).

backtrader has no quotes: every quote becomes one bar whose open, high, low and close are the
mid price (float, backtrader's own price type). After the placement bars the strategy calls
``buy_bracket`` / ``sell_bracket``: market entry, take-profit limit and stop-loss stop (or
``StopTrail`` with ``trailamount``) at the prices of ``walk.exits`` from the placement quote's
bid and ask. The exits are linked OCO (backtrader has no OUO; with one full fill the effect is
the same). Semantics that cannot match Condor's: a market order fills at the next bar's open
(not at the touch of the same quote), limits and stops are tested against the bar's mid (no
bid/ask), so the number of filled and canceled orders is shown but not required to agree.

The bars are built and the feed added before the timed section, which is ``cerebro.run()``
(it includes backtrader's own loading of the feed, which it does inside ``run``). Prints one
JSON line of the same keys as ``condor_run.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import backtrader as bt
import pandas as pd
import walk

_STATUS = {
    bt.Order.Completed: "filled",
    bt.Order.Canceled: "canceled",
    bt.Order.Rejected: "rejected",
    bt.Order.Margin: "rejected",
    bt.Order.Accepted: "working",
    bt.Order.Submitted: "working",
    bt.Order.Partial: "working",
}


class Brackets(bt.Strategy):
    params = (("placements", frozenset()), ("quotes", None), ("tick", 1.0), ("trailing", False))

    def __init__(self) -> None:
        self.i = 0
        self.brackets: list = []

    def next(self) -> None:
        if self.i in self.p.placements:
            self.place()
        self.i += 1

    def place(self) -> None:
        _, bid, ask = self.p.quotes[self.i]
        buy = not len(self.brackets) & 1
        tp, sl = walk.exits(buy, bid, ask)
        tick = self.p.tick
        kw = {"stopexec": bt.Order.Stop, "stopprice": sl * tick}
        if self.p.trailing:
            kw = {"stopexec": bt.Order.StopTrail, "stopargs": {"trailamount": walk.TRAIL * tick}}
        make = self.buy_bracket if buy else self.sell_bracket
        orders = make(size=walk.LOTS, exectype=bt.Order.Market, limitprice=tp * tick, **kw)
        entry, stop, limit = orders  # backtrader returns [main, stop, limit]
        self.brackets.append((entry, limit, stop))


def run(w: walk.Workload, seed: int, data_dir: Path) -> dict:
    """Run workload ``w``; return the JSON figures described in the module doc."""
    tick = float(w.market.tick)
    quotes = list(walk.quotes(w, seed, data_dir))
    mid = [(b + a) / 2 * tick for _, b, a in quotes]
    index = pd.to_datetime([ts for ts, _, _ in quotes], unit="ns", utc=False)
    df = pd.DataFrame({"open": mid, "high": mid, "low": mid, "close": mid, "volume": 0.0},
                      index=index)  # fmt: skip
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.setcash(1e15)
    cerebro.adddata(bt.feeds.PandasData(dataname=df, timeframe=bt.TimeFrame.Ticks))
    placements = frozenset(walk.placements(w)) if w.brackets else frozenset()
    cerebro.addstrategy(Brackets, placements=placements, quotes=quotes, tick=tick,
                        trailing=w.trailing)  # fmt: skip
    t, c = time.perf_counter(), time.process_time()
    (strategy,) = cerebro.run()
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    codes = [walk.outcome_code(*(_STATUS.get(o.status, "?") for o in b))
             for b in strategy.brackets]  # fmt: skip
    orders = [o for b in strategy.brackets for o in b]
    return {
        "engine": "backtrader",
        "workload": w.name,
        "ticks": len(quotes),
        "seconds": seconds,
        "cpu": cpu,
        "fills": sum(o.status == bt.Order.Completed for o in orders),
        "cancels": sum(o.status == bt.Order.Canceled for o in orders),
        "self_trade": 0,
        "outcomes": "".join(codes),
    }


def main() -> None:
    walk.run_main(__doc__, run)


if __name__ == "__main__":
    main()
