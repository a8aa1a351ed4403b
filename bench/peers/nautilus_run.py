"""NautilusTrader's side of the peer comparison: one workload of ``walk.py`` through one
``BacktestEngine`` (nautilus_trader 1.221.0, run with ``.venv-peers/bin/python``).

Invariant: the same quotes and the same bracket rule as Condor (``walk.py``): one simulated
venue ``SIM`` (L1 book from the quotes, netting margin account, logging bypassed,
``use_reduce_only=False`` so that exits are plain orders as in Condor), one strategy that
counts quotes and, after the placement quotes, submits ``order_factory.bracket``: market entry,
take-profit limit and stop-loss stop-market (or trailing stop-market, offset in price) with
triggers on bid/ask; the bracket's exits are linked OUO, Nautilus' default. The quotes are built
and added before the timed section, which is ``engine.run()``.

Prints one JSON line of the same keys as ``condor_run.py`` (``self_trade`` is 0: the simulated
venue never matches a strategy's orders against each other).
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import walk
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.model.currencies import JPY, USD
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import (
    AccountType,
    OmsType,
    OrderSide,
    OrderStatus,
    OrderType,
    TrailingOffsetType,
    TriggerType,
)
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy

_STATUS = {
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.REJECTED: "rejected",
    OrderStatus.DENIED: "rejected",
    OrderStatus.ACCEPTED: "working",
    OrderStatus.TRIGGERED: "working",
    OrderStatus.PARTIALLY_FILLED: "working",
}


class BracketsConfig(StrategyConfig, frozen=True):
    instrument_id: str
    placements: tuple[int, ...]
    trailing: bool
    tick: str


class Brackets(Strategy):
    """Places the workload's brackets; keeps each bracket's three client order ids."""

    def __init__(self, config: BracketsConfig) -> None:
        super().__init__(config)
        self.at = frozenset(config.placements)
        self.i = 0
        self.tick = Decimal(config.tick)
        self.brackets: list = []

    def on_start(self) -> None:
        self.inst = self.cache.instrument(self.instrument_id_)
        if self.at:  # no callback per quote when no bracket is to be placed (workload 1)
            self.subscribe_quote_ticks(self.inst.id)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        if self.i in self.at:
            self.place(tick)
        self.i += 1

    def place(self, tick: QuoteTick) -> None:
        buy = not len(self.brackets) & 1
        bid = round(tick.bid_price.as_decimal() / self.tick)
        ask = round(tick.ask_price.as_decimal() / self.tick)
        tp, sl = walk.exits(buy, bid, ask)
        inst = self.inst
        kw = {}
        if self.config.trailing:
            kw = {
                "sl_order_type": OrderType.TRAILING_STOP_MARKET,
                "sl_trailing_offset": walk.TRAIL * self.tick,
                "sl_trailing_offset_type": TrailingOffsetType.PRICE,
            }
        else:
            kw = {"sl_trigger_price": inst.make_price(sl * self.tick)}
        orders = self.order_factory.bracket(
            instrument_id=inst.id,
            order_side=OrderSide.BUY if buy else OrderSide.SELL,
            quantity=inst.make_qty(walk.LOTS),
            tp_price=inst.make_price(tp * self.tick),
            tp_post_only=False,
            sl_trigger_type=TriggerType.BID_ASK,
            **kw,
        )
        entry, *outs = orders.orders  # entry first; exits in Nautilus' own order
        tp_order = next(o for o in outs if o.order_type == OrderType.LIMIT)
        sl_order = next(o for o in outs if o is not tp_order)
        self.brackets.append(tuple(o.client_order_id for o in (entry, tp_order, sl_order)))
        self.submit_order_list(orders)

    @property
    def instrument_id_(self):
        from nautilus_trader.model.identifiers import InstrumentId

        return InstrumentId.from_str(self.config.instrument_id)


def run(w: walk.Workload, seed: int, data_dir: Path) -> dict:
    """Run workload ``w``; return the JSON figures described in the module doc."""
    m = w.market
    engine = BacktestEngine(BacktestEngineConfig(logging=LoggingConfig(bypass_logging=True)))
    venue = Venue("SIM")
    engine.add_venue(
        venue=venue,
        oms_type=OmsType.NETTING,
        account_type=AccountType.MARGIN,
        starting_balances=[Money(10**12, USD), Money(10**12, JPY)],
        use_reduce_only=False,
    )
    inst = TestInstrumentProvider.default_fx_ccy(m.symbol, venue)
    engine.add_instrument(inst)
    prices: dict[int, Price] = {}
    size = Quantity.from_int(walk.QUOTE_SIZE)
    prec = inst.price_precision

    def price(ticks: int) -> Price:
        p = prices.get(ticks)
        if p is None:
            p = prices[ticks] = Price(ticks * m.tick, prec)
        return p

    data = [
        QuoteTick(inst.id, price(b), price(a), size, size, ts, ts)
        for ts, b, a in walk.quotes(w, seed, data_dir)
    ]
    placements = tuple(sorted(walk.placements(w))) if w.brackets else ()
    strategy = Brackets(BracketsConfig(instrument_id=str(inst.id), placements=placements,
                                       trailing=w.trailing, tick=str(m.tick)))  # fmt: skip
    engine.add_strategy(strategy)
    engine.add_data(data)
    n = len(data)
    del data
    t, c = time.perf_counter(), time.process_time()
    engine.run()
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    cache = engine.cache
    codes = []
    for ids in strategy.brackets:
        st = [_STATUS.get(cache.order(x).status, cache.order(x).status.name) for x in ids]
        codes.append(walk.outcome_code(*st))
    statuses = [o.status for o in cache.orders()]
    engine.dispose()
    return {
        "engine": "nautilus",
        "workload": w.name,
        "ticks": n,
        "seconds": seconds,
        "cpu": cpu,
        "fills": statuses.count(OrderStatus.FILLED),
        "cancels": statuses.count(OrderStatus.CANCELED),
        "self_trade": 0,
        "outcomes": "".join(codes),
    }


def main() -> None:
    walk.run_main(__doc__, run)


if __name__ == "__main__":
    main()
