"""Condor's side of the peer comparison: one workload of ``walk.py`` through one engine.

Invariant: the same quotes and the same bracket rule as the peers (``walk.py``). One account
holds a large long inventory (the engine nets positions per account, so Sell entries need a
position); every bracket is ``GroupKind.BRACKET``: market entry, take-profit limit and
stop-loss stop (or trailing stop) whose exits are linked OUO. The quotes are built before the
timed section, in chunks of 10,000 (QuoteTicks are tuples the collector tracks); the timed
section is ``on_quote`` for every quote plus ``handle(CreateGroup)`` at the placement quotes.

Prints one JSON line: ``seconds`` (wall), ``cpu``, ``fills`` and ``cancels`` (orders ending
Filled / Canceled), ``outcomes`` (three letters per bracket, ``walk.outcome_code``) and
``self_trade`` (entries canceled by self-trade prevention). Run with Condor's ``.venv``:
``.venv/bin/python bench/peers/condor_run.py brackets_10k [--quick] [--seed N]``.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import walk

from condor.domain.accounts.account import Account, Position
from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TrailKind
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.values import decimal_to_cash
from condor.engine.core import Engine

ACCOUNT = "A"
INVENTORY = 10**9  # lots held long before the run
_STATUS = {
    OrdStatus.FILLED: "filled",
    OrdStatus.CANCELED: "canceled",
    OrdStatus.REJECTED: "rejected",
}


def engine(m: walk.Market) -> Engine:
    """A fresh engine on ``m`` (quote-only, no session calendar) with one rich account."""
    inst = Instrument(m.symbol, AssetClass.FX, "SIM", m.tick, currency=m.currency,
                      has_trades=False)  # fmt: skip
    acct = Account(ACCOUNT, owner="bench", cash={m.currency: decimal_to_cash(Decimal(10**15))})
    acct.positions[m.symbol] = Position(m.symbol, INVENTORY, 0)
    return Engine(InstrumentRegistry([inst]), [acct], keep_history=False)


def bracket(m: walk.Market, buy: bool, bid: int, ask: int, trailing: bool) -> CreateGroup:
    """The bracket of ``walk.exits`` as a CreateGroup."""
    entry, out = (Side.BUY, Side.SELL) if buy else (Side.SELL, Side.BUY)
    tp, sl = walk.exits(buy, bid, ask)
    if trailing:
        stop = SubmitOrder(ACCOUNT, m.symbol, out, OrdType.TRAILING_STOP_MARKET, walk.LOTS,
                           trail=TrailSpec(TrailKind.TICKS, walk.TRAIL))  # fmt: skip
    else:
        stop = SubmitOrder(ACCOUNT, m.symbol, out, OrdType.STOP_MARKET, walk.LOTS, stop_price=sl)
    return CreateGroup(
        GroupKind.BRACKET,
        (
            MemberSpec(
                SubmitOrder(ACCOUNT, m.symbol, entry, OrdType.MARKET, walk.LOTS), role="entry"
            ),
            MemberSpec(
                SubmitOrder(ACCOUNT, m.symbol, out, OrdType.LIMIT, walk.LOTS, price=tp),
                role="take_profit",
            ),
            MemberSpec(stop, role="stop_loss"),
        ),
    )


def run(w: walk.Workload, seed: int, data_dir: Path) -> dict:
    """Run workload ``w``; return the JSON figures described in the module doc."""
    m = w.market
    e = engine(m)
    on_quote, handle = e.on_quote, e.handle
    at = walk.placements(w) if w.brackets else set()
    sym, size = m.symbol, walk.QUOTE_SIZE
    gids: list[str | None] = []
    stp = 0
    i = 0
    seconds = cpu = 0.0
    stream = walk.quotes(w, seed, data_dir)
    while True:
        chunk = [QuoteTick(sym, ts, b, a, size, size) for ts, b, a in _take(stream, 10_000)]
        if not chunk:
            break
        t, c = time.perf_counter(), time.process_time()
        for q in chunk:
            on_quote(q)
            if i in at:
                out = handle(bracket(m, not len(gids) & 1, q.bid, q.ask, w.trailing))
                ok = out[0].__class__ is GroupUpdated
                gids.append(out[0].group_id if ok else None)
                stp += any(getattr(x, "reason", None) is RejectReason.SELF_TRADE for x in out)
            i += 1
        seconds += time.perf_counter() - t
        cpu += time.process_time() - c
    e.check_invariants()
    codes = []
    for gid in gids:
        if gid is None:
            codes.append("RRR")
            continue
        members = [e.orders[x.order_id] for x in e.groups.get(gid).members]
        codes.append(walk.outcome_code(*(_name(o.status) for o in members)))
    statuses = [o.status for o in e.orders.values()]
    return {
        "engine": "condor",
        "workload": w.name,
        "ticks": i,
        "seconds": seconds,
        "cpu": cpu,
        "fills": statuses.count(OrdStatus.FILLED),
        "cancels": statuses.count(OrdStatus.CANCELED),
        "self_trade": stp,
        "outcomes": "".join(codes),
    }


def _name(s: OrdStatus) -> str:
    return _STATUS.get(s, "working" if s.is_working else s.value)


def _take(it, n: int) -> list:
    out = []
    for x in it:
        out.append(x)
        if len(out) == n:
            break
    return out


def main() -> None:
    walk.run_main(__doc__, run)


if __name__ == "__main__":
    main()
