"""A bracket backtest over a recorded feed: every ``every`` market events a bracket is placed
around the touch (market entry, take-profit limit and stop-loss stop ``offset`` ticks away,
exits linked OUO), alternating buy and sell entries; the run reports fills, P&L and the state of
every bracket.

Invariant: the runner only builds commands and feeds events; every rule is the engine's. The
result is deterministic for the same file and parameters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from condor.domain.accounts.account import Account, Position
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument, InstrumentRegistry
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import ExecType, OrdType, Side, TimeInForce
from condor.domain.values import cash_to_decimal, decimal_to_cash
from condor.engine.core import Engine


@dataclass
class BracketRun:
    """Outcome of a run: counts, P&L (Decimal, instrument currency), per-bracket exits."""

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
    # Buy and sell brackets trade in two accounts: in one netting account a short bracket
    # would net away the long bracket's position and leave its exits nothing to close.
    accts = [Account(a, owner="backtest", cash={inst.currency: big}) for a in ("LONG", "SHORT")]
    e = Engine(InstrumentRegistry([inst]), accts, keep_history=False)
    run = BracketRun()
    groups = []
    started = time.perf_counter()
    buy = True
    for n, ev in enumerate(feed, 1):
        if run.first_ts_ns is None:
            run.first_ts_ns = ev.ts_ns
        run.last_ts_ns = ev.ts_ns
        out = e.on_market(ev)
        run.events_out += len(out)
        if n % every == 0 and len(groups) < max_brackets:
            touch = _touch(ev)
            if touch is not None:
                g = _place(e, inst, touch, offset_ticks, qty_lots, buy)
                if g is None:
                    run.rejected += 1
                else:
                    groups.append(g)
                buy = not buy
        if on_progress is not None and n % 10_000 == 0:
            on_progress(n)
        run.events_in = n
    run.seconds = time.perf_counter() - started
    run.brackets = len(groups)
    for g in groups:
        entry, *exits = (e.orders[m.order_id] for m in g.members)
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
    run.fills = sum(1 for o in e.orders.values() if o.cum_qty)
    for acct in accts:
        pos = acct.positions.get(inst.symbol) or Position(inst.symbol)
        run.position += inst.lots_to_qty(pos.qty)
        run.realized_pnl += cash_to_decimal(pos.realized)
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
