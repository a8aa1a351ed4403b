"""Engine figures: client book throughput, quote throughput with idle stops, memory per order.

Three measurements on one FX instrument (EURUSD, tick 0.00001, quote-only) with
``keep_history=False``:

- ``book_ops_per_s``: a seeded flow of SubmitOrder / CancelOrder commands with no external quote:
  60 % passive limit adds around the book's mid, 30 % cancels of a random live order, 10 %
  marketable limits that cross (their rest, if any, stays on the book). Buys come from one
  account and sells (SellShort) from another, so a cross trades instead of self-trade
  preventing. Figure = commands / seconds of the whole loop (the loop's own work, drawing
  random numbers and building the commands, is included).
- ``quotes_per_s_no_trigger``: resting stop orders and trailing stops far from the market,
  then quotes that wander inside a band that reaches no trigger and never improves a trailing
  stop's water mark (sell trailers are placed while the bid is at the band's top, buy trailers
  while the ask is at its bottom). Figure = quotes / seconds of ``on_quote`` calls (the quotes
  are built beforehand, outside the timed sections).
- ``bytes_per_resting_order``: growth of the resident set size while 1,000,000 non-crossing
  limit orders are placed (orders dict, live dict, book levels, price index, holds), divided by
  the count, measured first in a fresh process; a tracemalloc run on a smaller sample gives
  the same figure from Python's allocator and shows where the bytes go.

Prints tables, then as its last line one JSON object of the figures (also written to
``bench/results/engine.json``). Never asserts on time (STYLE.md). Run:
``.venv/bin/python bench/engine.py [--quick] [--seed N] [--profile]``.
"""

from __future__ import annotations

import gc
import linecache
import random
import tracemalloc

from condor.domain.book.book import NO_ASK, NO_BID
from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import CancelOrder, SubmitOrder, TrailSpec
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TrailKind
from condor.domain.orders.events import ExecutionReport

from _common import (
    MID,
    NS_PER_TICK,
    QUOTE_SIZE,
    SYMBOL,
    Profiler,
    Stopwatch,
    chunks,
    emit,
    fx_engine,
    load_note,
    note,
    parser,
    quote_stream,
    rate,
    rss_bytes,
    table,
)

P_ADD, P_CANCEL = 0.60, 0.90  # cumulative: add < 0.60 <= cancel < 0.90 <= cross
ORDERS_PER_LEVEL = 500  # memory runs: 1,000,000 orders on 2 x 1,000 levels


# -- 1. book operations -------------------------------------------------------------------
def book_ops(n_ops: int, seed: int, prof: Profiler) -> dict:
    """Run the add / cancel / cross flow; return counts and the timing."""
    e, _ = fx_engine(("BUYER", 0), ("SELLER", 0))
    book = e.venues[SYMBOL].book
    live = e.live
    handle = e.handle
    rng = random.Random(seed)
    rnd, expo = rng.random, rng.expovariate  # randint/randrange cost 0.5 us each: avoided
    buy_side, sell_side, limit = Side.BUY, Side.SELL_SHORT, OrdType.LIMIT
    trade, report, stp_reason = ExecType.TRADE, ExecutionReport, RejectReason.SELF_TRADE
    ids: list[int] = []  # cancel candidates; dead ones (filled) are dropped when drawn
    n = {"add": 0, "cancel": 0, "cross": 0}
    fills = trades = rejects = stp = 0
    max_live = 0
    sw = Stopwatch()
    with prof.section(), sw:
        for _ in range(n_ops):
            r = rnd()
            bb, ba = book.best_bid, book.best_ask
            cmd = None
            if r >= P_CANCEL:  # marketable limit crossing the other side
                if rnd() < 0.5:
                    if ba != NO_ASK:
                        cmd = SubmitOrder("BUYER", SYMBOL, buy_side, limit, 1 + int(rnd() * 30),
                                          price=ba + int(rnd() * 4))  # fmt: skip
                elif bb != NO_BID:
                    cmd = SubmitOrder("SELLER", SYMBOL, sell_side, limit, 1 + int(rnd() * 30),
                                      price=bb - int(rnd() * 4))  # fmt: skip
                kind = "cross"
            elif r >= P_ADD:  # cancel a random live order
                while ids:
                    j = int(rnd() * len(ids))
                    oid = ids[j]
                    ids[j] = ids[-1]
                    ids.pop()
                    if oid in live:
                        cmd = CancelOrder(oid)
                        break
                kind = "cancel"
            if cmd is None:  # passive add (also the fallback of an impossible cancel/cross)
                if bb != NO_BID and ba != NO_ASK:
                    ref = (bb + ba) // 2
                elif bb != NO_BID:
                    ref = bb + 1
                elif ba != NO_ASK:
                    ref = ba - 1
                else:
                    ref = MID
                k = min(int(expo(0.25)), 200)
                if rnd() < 0.5:
                    cmd = SubmitOrder("BUYER", SYMBOL, buy_side, limit, 1 + int(rnd() * 10),
                                      price=ref - k)  # fmt: skip
                else:
                    cmd = SubmitOrder("SELLER", SYMBOL, sell_side, limit, 1 + int(rnd() * 10),
                                      price=ref + 1 + k)  # fmt: skip
                kind = "add"
            out = handle(cmd)
            n[kind] += 1
            for ev in out:
                if ev.__class__ is report:
                    if ev.exec_type is trade:
                        fills += 1
                        if ev.liquidity == "taker":
                            trades += 1
                    elif ev.reason is stp_reason:
                        stp += 1
                else:
                    rejects += 1
            if kind != "cancel":
                oid = out[0].order_id
                if oid in live:
                    ids.append(oid)
                    if len(live) > max_live:
                        max_live = len(live)
    e.check_invariants()
    return {
        "seconds": sw.seconds,
        "cpu": sw.cpu,
        "gc": sw.gc,
        "ops": n_ops,
        **n,
        "fills": fills,
        "trades": trades,
        "rejects": rejects,
        "self_trade_cancels": stp,
        "live_end": len(e.live),
        "orders_end": len(e.orders),
        "max_live": max_live,
        "levels_end": len(book.bids) + len(book.asks),
    }


# -- 2. quotes with idle stops ------------------------------------------------------------
def quotes_no_trigger(
    n_quotes: int, n_stops: int, n_trails: int, seed: int, prof: Profiler
) -> dict:
    band = 50
    lo, hi = MID - band, MID + band  # the bid stays in [lo, hi]; the ask in [lo+1, hi+3]
    e, _ = fx_engine(("A", 10**9))  # a long position, so that Sell stops are accepted
    v = e.venues[SYMBOL]
    handle = e.handle
    ts = NS_PER_TICK
    # Sell trailers take the bid as high-water mark: place them while the bid is at the top.
    e.on_quote(QuoteTick(SYMBOL, ts, hi, hi + 1, QUOTE_SIZE, QUOTE_SIZE))
    n_sell_trails = n_trails // 2
    for i in range(n_sell_trails):
        handle(SubmitOrder("A", SYMBOL, Side.SELL, OrdType.TRAILING_STOP_MARKET, 1000,
                           trail=TrailSpec(TrailKind.TICKS, 1000 + i % 500)))  # fmt: skip
    # Buy trailers take the ask as low-water mark: place them while the ask is at the bottom.
    ts += NS_PER_TICK
    e.on_quote(QuoteTick(SYMBOL, ts, lo, lo + 1, QUOTE_SIZE, QUOTE_SIZE))
    for i in range(n_trails - n_sell_trails):
        handle(SubmitOrder("A", SYMBOL, Side.BUY, OrdType.TRAILING_STOP_MARKET, 1000,
                           trail=TrailSpec(TrailKind.TICKS, 1000 + i % 500)))  # fmt: skip
    for i in range(n_stops):
        if i & 1:
            cmd = SubmitOrder("A", SYMBOL, Side.BUY, OrdType.STOP_MARKET, 1000,
                              stop_price=hi + 500 + i % 2000)  # fmt: skip
        else:
            cmd = SubmitOrder("A", SYMBOL, Side.SELL, OrdType.STOP_MARKET, 1000,
                              stop_price=lo - 500 - i % 2000)  # fmt: skip
        handle(cmd)
    pending = len(v.triggers)
    waters = {o.order_id: o.trail.water for o in e.live.values() if o.trail is not None}
    on_quote = e.on_quote
    produced = 0
    sw = Stopwatch()
    stream = quote_stream(seed, n_quotes, MID, t0_ns=ts, lo=lo, hi=hi)
    for chunk in chunks(stream):
        with prof.section(), sw:
            for q in chunk:
                if on_quote(q):
                    produced += 1
    moved = sum(1 for oid, w in waters.items() if e.orders[oid].trail.water != w)
    e.check_invariants()
    return {
        "seconds": sw.seconds,
        "cpu": sw.cpu,
        "gc": sw.gc,
        "quotes": n_quotes,
        "stops": n_stops,
        "trails": n_trails,
        "pending_before": pending,
        "pending_after": len(v.triggers),
        "all_new": all(o.status is OrdStatus.NEW for o in e.live.values()),
        "quotes_with_events": produced,
        "water_marks_moved": moved,
    }


# -- 3. memory per resting order ----------------------------------------------------------
def _resting_cmd(i: int, levels: int) -> SubmitOrder:
    """The i-th non-crossing limit: bids below MID from BUYER, asks above from SELLER, spread
    round-robin over ``levels`` price levels per side."""
    if i & 1:
        return SubmitOrder("BUYER", SYMBOL, Side.BUY, OrdType.LIMIT, 10,
                           price=MID - 1 - (i >> 1) % levels)  # fmt: skip
    return SubmitOrder("SELLER", SYMBOL, Side.SELL_SHORT, OrdType.LIMIT, 10,
                       price=MID + 1 + (i >> 1) % levels)  # fmt: skip


def _levels(n: int) -> int:
    """Levels per side: 1,000 for 1,000,000 orders; samples keep the same orders per level."""
    return max(1, n // ORDERS_PER_LEVEL // 2)


def memory_rss(n: int) -> dict:
    e, _ = fx_engine(("BUYER", 0), ("SELLER", 0))
    handle = e.handle
    levels = _levels(n)
    gc.collect()
    before = rss_bytes()
    sw = Stopwatch()
    with sw:
        for i in range(n):
            handle(_resting_cmd(i, levels))
    e._out = []  # the last command's events: not state
    gc.collect()
    grown = rss_bytes() - before
    book = e.venues[SYMBOL].book
    return {
        "bytes": grown,
        "orders": n,
        "resting": book.resting,
        "levels": len(book.bids) + len(book.asks),
        "seconds": sw.seconds,
    }


def memory_traced(n: int, top: int = 8) -> dict:
    e, _ = fx_engine(("BUYER", 0), ("SELLER", 0))
    handle = e.handle
    levels = _levels(n)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.take_snapshot()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            handle(_resting_cmd(i, levels))
        e._out = []
        gc.collect()
        total = tracemalloc.get_traced_memory()[0] - base
        diff = tracemalloc.take_snapshot().compare_to(start, "lineno")
    finally:
        tracemalloc.stop()
    where = []
    for d in diff[:top]:
        fr = d.traceback[0]
        name = fr.filename.split("/src/", 1)[-1].split("/site-packages/", 1)[-1]
        code = linecache.getline(fr.filename, fr.lineno).strip()
        where.append((f"{name}:{fr.lineno}", code[:60], d.size_diff / n))
    return {"bytes": total, "orders": n, "where": where, "levels": 2 * levels}


# -- main ---------------------------------------------------------------------------------
def main() -> None:
    args = parser(__doc__).parse_args()
    q = args.quick
    n_ops = 50_000 if q else 1_000_000
    n_quotes = 100_000 if q else 1_000_000
    n_stops, n_trails = (1_000, 100) if q else (10_000, 1_000)
    n_mem = 50_000 if q else 1_000_000
    n_traced = 10_000 if q else 100_000

    # Memory first, in a fresh process, so the RSS growth is not hidden by freed arenas.
    mem = memory_rss(n_mem)
    traced = memory_traced(n_traced)
    bytes_per_order = mem["bytes"] / mem["orders"]

    prof_book = Profiler(args.profile, "engine-book-ops")
    book = book_ops(n_ops, args.seed, prof_book)
    prof_quotes = Profiler(args.profile, "engine-quotes")
    quotes = quotes_no_trigger(n_quotes, n_stops, n_trails, args.seed, prof_quotes)
    prof_book.report()
    prof_quotes.report()

    book_rate = rate(book["ops"], book["seconds"])
    quote_rate = rate(quotes["quotes"], quotes["seconds"])
    table(
        "Engine figures (EURUSD tick 0.00001, keep_history=False, no session schedule)",
        ["figure", "value", "workload"],
        [
            ["book_ops_per_s", book_rate,
             f"{book['ops']:,} commands in {book['seconds']:.2f} s ({book['cpu']:.2f} s CPU, "
             f"{book['gc']:.2f} s in GC)"],
            ["quotes_per_s_no_trigger", quote_rate,
             f"{quotes['quotes']:,} quotes, {quotes['stops']:,} stops + "
             f"{quotes['trails']:,} trailing stops resting, {quotes['seconds']:.2f} s "
             f"({quotes['cpu']:.2f} s CPU, {quotes['gc']:.2f} s in GC)"],
            ["bytes_per_resting_order", bytes_per_order,
             f"RSS growth over {mem['orders']:,} resting limits ({mem['levels']:,} levels)"],
            ["bytes_per_resting_order (tracemalloc)", traced["bytes"] / traced["orders"],
             f"Python allocator, {traced['orders']:,} resting limits ({traced['levels']:,} levels)"],
        ],
        caption=load_note(),
    )  # fmt: skip
    table(
        "Book flow (no external quote; buys from BUYER, SellShort from SELLER)",
        ["count", "value"],
        [
            ["passive adds", book["add"]],
            ["cancels", book["cancel"]],
            ["marketable limits (cross)", book["cross"]],
            ["fill reports (maker + taker)", book["fills"]],
            ["trades", book["trades"]],
            ["self-trade cancels (expect 0)", book["self_trade_cancels"]],
            ["rejected commands (expect 0)", book["rejects"]],
            ["live orders at end / max", f"{book['live_end']:,} / {book['max_live']:,}"],
            ["orders kept in engine.orders at end (terminal included)", book["orders_end"]],
            ["price levels at end", book["levels_end"]],
        ],
        caption="check_invariants() passed after the run",
    )
    table(
        "Quotes with idle triggers",
        ["check", "value"],
        [
            ["pending triggers before / after",
             f"{quotes['pending_before']:,} / {quotes['pending_after']:,}"],
            ["quotes that produced events (expect 0)", quotes["quotes_with_events"]],
            ["trailing water marks moved (expect 0)", quotes["water_marks_moved"]],
            ["every live order still New", quotes["all_new"]],
        ],
    )  # fmt: skip
    table(
        f"Where the bytes of a resting order go (tracemalloc, top lines, "
        f"{traced['orders']:,} orders)",
        ["allocation site", "line", "bytes / order"],
        [list(w) for w in traced["where"]],
        caption=f"placing {mem['orders']:,} resting limits took {mem['seconds']:.1f} s "
        f"({rate(mem['orders'], mem['seconds']):,.0f} submits/s)",
    )
    if q:
        note("[quick run: sizes reduced; figures are not comparable with full runs]")
    emit(
        "engine",
        {
            "book_ops_per_s": round(book_rate),
            "quotes_per_s_no_trigger": round(quote_rate),
            "bytes_per_resting_order": round(bytes_per_order, 1),
        },
        q,
    )


if __name__ == "__main__":
    main()
