"""A bracket backtest over a recorded feed: every ``every`` market events a bracket is placed
around the touch (market entry, take-profit limit and stop-loss stop ``offset`` ticks away,
exits linked OUO), alternating buy and sell entries; the run reports fills, P&L and the state of
every bracket.

Invariant: the runner only builds commands and feeds events; every rule is the engine's. The
result is deterministic for the same file and parameters.

Buy brackets trade in account LONG on one engine and sell brackets in account SHORT on a second
engine fed the same events. In one netting account a short bracket would net away a long
bracket's position; and two accounts on one venue would trade with each other (a buy stop
elected inside the spread lifting the other side's resting take-profit), fills the recorded
market never offered: a wash trade of the backtest with itself. Each side therefore sees only
the feed's liquidity (its full displayed size: the two sides do not share it).

P&L is per bracket (each bracket its own round trip), exact: ``sum(sell fills) - sum(buy
fills)`` in ticks x lots times ``tick_size x lot_size x multiplier`` (Decimal, instrument
currency, no rounding). A bracket whose entry and exits left no position is closed and counts in
``realized_pnl``; an open one counts in ``open_pnl``, its position marked at the last touch
(trade price, or floor mid of a quote). Average-cost accounting across overlapping brackets of
one account (the engine's ``Position.realized``) would mix brackets and is not used here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from condor.domain.accounts.account import Account
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument, InstrumentRegistry
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce
from condor.domain.values import decimal_to_cash
from condor.engine.core import Engine


@dataclass
class BracketRun:
    """Outcome of a run: counts; ``position`` (net quantity of both accounts, instrument
    units); ``realized_pnl`` (closed brackets) and ``open_pnl`` (open brackets marked at
    ``last_price``), exact Decimals in the instrument's currency; ``last_price`` (the last
    touch, Decimal, None without one); per-bracket exit counts."""

    events_in: int = 0
    events_out: int = 0
    seconds: float = 0.0
    brackets: int = 0
    entries_filled: int = 0
    take_profits: int = 0
    stop_losses: int = 0
    open_brackets: int = 0
    rejected: int = 0
    fills: int = 0
    position: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    open_pnl: Decimal = Decimal(0)
    last_price: Decimal | None = None
    first_ts_ns: int | None = None
    last_ts_ns: int | None = None
    exits_per_bracket: list[int] = field(default_factory=list)


def run_brackets(
    feed: Iterable,
    inst: Instrument,
    *,
    every: int = 500,
    max_brackets: int = 200,
    offset_ticks: int = 30,
    qty_lots: int = 100,
    on_progress: Callable[[int], None] | None = None,
) -> BracketRun:
    """Stream ``feed`` (QuoteTick/TradeTick of ``inst``) through a fresh engine placing
    brackets. Returns a BracketRun. Buy brackets: entry Buy, exits Sell; sell brackets: entry
    SellShort, exits BuyToCover; they trade in accounts LONG and SHORT."""
    big = decimal_to_cash(Decimal(10) ** 12)
    reg = InstrumentRegistry([inst])
    engines = {
        buy: Engine(
            reg, [Account(a, owner="backtest", cash={inst.currency: big})], keep_history=False
        )
        for buy, a in ((True, "LONG"), (False, "SHORT"))
    }
    e_long, e_short = engines[True], engines[False]
    run = BracketRun()
    groups = []  # (engine, group)
    started = time.perf_counter()
    buy = True
    last_touch = None
    for n, ev in enumerate(feed, 1):
        if run.first_ts_ns is None:
            run.first_ts_ns = ev.ts_ns
        run.last_ts_ns = ev.ts_ns
        run.events_out += len(e_long.on_market(ev)) + len(e_short.on_market(ev))
        touch = _touch(ev)
        if touch is not None:
            last_touch = touch
        if n % every == 0 and len(groups) < max_brackets and touch is not None:
            e = engines[buy]
            g = _place(e, inst, touch, offset_ticks, qty_lots, buy)
            if g is None:
                run.rejected += 1
            else:
                groups.append((e, g))
            buy = not buy
        if on_progress is not None and n % 10_000 == 0:
            on_progress(n)
        run.events_in = n
    run.seconds = time.perf_counter() - started
    run.brackets = len(groups)
    unit = inst.tick_size * inst.lot_size * inst.multiplier
    realized = unrealized = 0  # ticks x lots
    net = 0  # lots
    for e, g in groups:
        entry, *exits = orders = [e.orders[m.order_id] for m in g.members]
        if entry.cum_qty:
            run.entries_filled += 1
        n_exit = 0
        for o, m in zip(exits, g.members[1:], strict=True):
            if o.status.value == "Filled":
                n_exit += 1
                if m.role == "take_profit":
                    run.take_profits += 1
                else:
                    run.stop_losses += 1
        if g.status.value == "Active":
            run.open_brackets += 1
        run.exits_per_bracket.append(n_exit)
        flow = sum(-o.cum_cost if o.side.is_buy else o.cum_cost for o in orders)
        pos = sum(o.cum_qty if o.side.is_buy else -o.cum_qty for o in orders)
        net += pos
        if pos == 0:
            realized += flow
        elif last_touch is not None:
            unrealized += flow + pos * last_touch
    run.fills = sum(1 for e in engines.values() for o in e.orders.values() if o.cum_qty)
    run.position = inst.lots_to_qty(net)
    run.realized_pnl = realized * unit
    run.open_pnl = unrealized * unit
    run.last_price = None if last_touch is None else inst.ticks_to_price(last_touch)
    return run


def _touch(ev) -> int | None:
    if type(ev) is TradeTick:
        return ev.price
    if type(ev) is QuoteTick and ev.bid is not None and ev.ask is not None:
        return (ev.bid + ev.ask) // 2
    return None


def _place(e: Engine, inst: Instrument, touch: int, off: int, qty: int, buy: bool):
    sym = inst.symbol
    gtc = TimeInForce.GTC
    if buy:
        entry = SubmitOrder("LONG", sym, Side.BUY, OrdType.MARKET, qty, tif=gtc)
        tp = SubmitOrder("LONG", sym, Side.SELL, OrdType.LIMIT, qty, price=touch + off, tif=gtc)
        sl = SubmitOrder("LONG", sym, Side.SELL, OrdType.STOP_MARKET, qty, stop_price=touch - off, tif=gtc)  # fmt: skip
    else:
        entry = SubmitOrder("SHORT", sym, Side.SELL_SHORT, OrdType.MARKET, qty, tif=gtc)
        tp = SubmitOrder("SHORT", sym, Side.BUY_TO_COVER, OrdType.LIMIT, qty, price=touch - off, tif=gtc)  # fmt: skip
        sl = SubmitOrder("SHORT", sym, Side.BUY_TO_COVER, OrdType.STOP_MARKET, qty, stop_price=touch + off, tif=gtc)  # fmt: skip
    out = e.handle(
        CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(entry, role="entry"),
                MemberSpec(tp, role="take_profit"),
                MemberSpec(sl, role="stop_loss"),
            ),
        )
    )
    for ev in out:
        if getattr(ev, "change", None) == "created":
            return e.groups.get(ev.group_id)
        if getattr(ev, "exec_type", None) is ExecType.REJECTED:
            return None
    return None
