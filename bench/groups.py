"""Bracket groups under a quote stream: ticks per second and the cost of a bracket's life.

One FX instrument (EURUSD, tick 0.00001, quote-only: stops watch bid / ask), 1,000,000 quotes
whose bid is a seeded random walk (one tick up or down half of the time, spread 1-3 ticks,
5,000,000 lots shown on each side), and 0, 1,000 or 10,000 brackets placed at evenly spaced
ticks of the stream. Each bracket (``GroupKind.BRACKET``) is a market entry of 1,000 lots, a
take-profit limit and a stop-loss stop 30 ticks from the touch; entries alternate Buy (exits
Sell) and Sell (exits Buy). The single account holds a large long position bought beforehand,
because the engine nets positions per account and instrument: a Sell needs a free long
position, while SellShort / BuyToCover brackets in the same account as open Buy brackets are
refused (BuyToCover needs a net short). ``keep_history=False``.

Figures: seconds of the timed loop (``on_quote`` for every tick plus ``handle(CreateGroup)``
at the placement ticks; the quotes are built beforehand, outside the timed sections), ticks per
second, and microseconds per bracket lifecycle = (seconds with N brackets - seconds with none)
/ N, i.e. creation, fills, trigger, release and the OUO cascade. After each run the script
checks that every bracket ended with exactly one exit filled (or is still open, or its entry
was canceled with nothing filled), that the account's position equals the initial position
plus the signed sum of all fills, and the engine's own invariants.

Prints tables, then as its last line one JSON object (also written to
``bench/results/groups.json``). Never asserts on time (STYLE.md). Run:
``.venv/bin/python bench/groups.py [--quick] [--seed N] [--profile]``.
"""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext

from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.model import GroupStatus
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side
from condor.domain.orders.group_events import GroupUpdated

from _common import (
    MID,
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
    table,
)

LOTS = 1_000
DISTANCE = 30  # ticks from the touch to each exit
INVENTORY = 10**9  # lots held long before the run (so that Sell entries and exits are allowed)
F, C = OrdStatus.FILLED, OrdStatus.CANCELED
SELF_TRADE = RejectReason.SELF_TRADE


def bracket(buy: bool, bid: int, ask: int) -> CreateGroup:
    """Entry at market; take-profit limit and stop-loss stop ``DISTANCE`` ticks from the
    touch (the entry fills at the ask for a buy, at the bid for a sell)."""
    if buy:
        entry, exit_side = Side.BUY, Side.SELL
        tp, sl = ask + DISTANCE, bid - DISTANCE
    else:
        entry, exit_side = Side.SELL, Side.BUY
        tp, sl = bid - DISTANCE, ask + DISTANCE
    return CreateGroup(
        GroupKind.BRACKET,
        (
            MemberSpec(SubmitOrder("A", SYMBOL, entry, OrdType.MARKET, LOTS), role="entry"),
            MemberSpec(
                SubmitOrder("A", SYMBOL, exit_side, OrdType.LIMIT, LOTS, price=tp),
                role="take_profit",
            ),
            MemberSpec(
                SubmitOrder("A", SYMBOL, exit_side, OrdType.STOP_MARKET, LOTS, stop_price=sl),
                role="stop_loss",
            ),
        ),
    )


def run(n_ticks: int, n_brackets: int, seed: int, prof: Profiler | None = None) -> dict:
    """Feed ``n_ticks`` quotes, placing ``n_brackets`` brackets evenly; return timings and
    the outcome checks."""
    e, _ = fx_engine(("A", INVENTORY))
    on_quote, handle = e.on_quote, e.handle
    gids: list[str] = []
    rejected = stp = 0
    next_at = 0 if n_brackets else -1
    i = 0
    sw, sw_create = Stopwatch(), Stopwatch()
    section = prof.section if prof is not None else None
    for chunk in chunks(quote_stream(seed, n_ticks, MID)):
        ctx = section() if section else nullcontext()
        with ctx, sw:
            for q in chunk:
                on_quote(q)
                if i == next_at:
                    with sw_create:
                        out = handle(bracket(not (len(gids) + rejected) & 1, q.bid, q.ask))
                    ev = out[0]
                    if ev.__class__ is GroupUpdated:
                        gids.append(ev.group_id)
                        stp += any(getattr(x, "reason", None) is SELF_TRADE for x in out)
                    else:
                        rejected += 1
                    k = len(gids) + rejected
                    next_at = k * n_ticks // n_brackets if k < n_brackets else -1
                i += 1
    res = {"ticks": n_ticks, "brackets": n_brackets, "seconds": sw.seconds, "cpu": sw.cpu, "gc": sw.gc,
           "create_seconds": sw_create.seconds, "create_rejected": rejected}  # fmt: skip
    res.update(_check(e, gids))
    res["outcomes"]["entry_canceled_self_trade"] = stp
    return res


def _check(e, gids: list[str]) -> dict:
    """Tally the brackets' outcomes and check positions and invariants."""
    n = Counter()
    bad = []
    for gid in gids:
        g = e.groups.get(gid)
        entry, tp, sl = (e.orders[m.order_id] for m in g.members)
        n[f"entry_{entry.status.value}"] += 1
        n[f"tp_{tp.status.value}"] += 1
        n[f"sl_{sl.status.value}"] += 1
        exits = (tp.status, sl.status)
        if entry.status is F and exits in ((F, C), (C, F)):
            n["closed_one_exit"] += 1
            ok = g.status is GroupStatus.FILLED and (tp if tp.status is F else sl).cum_qty == LOTS
        elif entry.status is F and tp.is_working and sl.is_working:
            n["open"] += 1
            ok = g.status is GroupStatus.ACTIVE
        elif entry.status is C and entry.cum_qty == 0 and exits == (C, C):
            n["entry_canceled"] += 1
            ok = g.status is GroupStatus.CANCELED and tp.cum_qty == sl.cum_qty == 0
        else:
            ok = False
        if not ok:
            bad.append((gid, entry.status.value, tp.status.value, sl.status.value, g.status.value))
    acct = e.accounts["A"]
    pos = acct.positions[SYMBOL]
    fills = sum(o.side.sign * o.cum_qty for o in e.orders.values())
    held_long = sum(o.hold_pos for o in e.live.values() if o.side is Side.SELL)
    e.check_invariants()
    return {
        "outcomes": n,
        "bad": bad,
        "position": pos.qty,
        "position_expected": INVENTORY + fills,
        "held_long": pos.held_long,
        "held_long_expected": held_long,
        "orders": len(e.orders),
        "live_end": len(e.live),
    }


def main() -> None:
    args = parser(__doc__).parse_args()
    q = args.quick
    n_ticks = 100_000 if q else 1_000_000
    small, large = (100, 1_000) if q else (1_000, 10_000)
    base = run(n_ticks, 0, args.seed)
    r_small = run(n_ticks, small, args.seed)
    prof = Profiler(args.profile, "groups-10k")
    r_large = run(n_ticks, large, args.seed, prof)
    prof.report()

    def per_bracket(r: dict) -> float:
        return (r["seconds"] - base["seconds"]) / r["brackets"] * 1e6

    runs = [base, r_small, r_large]
    table(
        f"Brackets under {n_ticks:,} quotes (EURUSD, keep_history=False, exits +/-{DISTANCE} "
        f"ticks, {LOTS:,} lots)",
        [
            "brackets",
            "seconds",
            "CPU s",
            "GC s",
            "ticks/s",
            "us/bracket lifecycle",
            "us/CreateGroup call",
        ],
        [
            [
                r["brackets"],
                r["seconds"],
                r["cpu"],
                r["gc"],
                rate(r["ticks"], r["seconds"]),
                per_bracket(r) if r["brackets"] else "-",
                r["create_seconds"] / r["brackets"] * 1e6 if r["brackets"] else "-",
            ]
            for r in runs
        ],
        caption="us/bracket lifecycle = (seconds - seconds with no bracket) / brackets; "
        + load_note(),
    )
    rows = [
        ("brackets placed", lambda r: r["brackets"] - r["create_rejected"]),
        ("CreateGroup rejected", lambda r: r["create_rejected"]),
        ("entries filled", lambda r: r["outcomes"]["entry_Filled"]),
        ("entries canceled", lambda r: r["outcomes"]["entry_Canceled"]),
        ("  of which self-trade prevented",
         lambda r: r["outcomes"]["entry_canceled_self_trade"]),
        ("take-profits filled", lambda r: r["outcomes"]["tp_Filled"]),
        ("stop-losses filled", lambda r: r["outcomes"]["sl_Filled"]),
        ("take-profits canceled", lambda r: r["outcomes"]["tp_Canceled"]),
        ("stop-losses canceled", lambda r: r["outcomes"]["sl_Canceled"]),
        ("closed with exactly one exit filled", lambda r: r["outcomes"]["closed_one_exit"]),
        ("still open (entry filled, both exits working)", lambda r: r["outcomes"]["open"]),
        ("brackets breaking the rule (expect 0)", lambda r: len(r["bad"])),
        ("position = inventory + signed fills",
         lambda r: r["position"] == r["position_expected"]),
        ("held long = holds of live Sell orders", lambda r: r["held_long"] == r["held_long_expected"]),
        ("position (lots)", lambda r: r["position"]),
    ]  # fmt: skip
    table(
        "Bracket outcomes",
        ["", *(f"{r['brackets']:,} brackets" for r in (r_small, r_large))],
        [[name, *(f(r) for r in (r_small, r_large))] for name, f in rows],
        caption="check_invariants() passed after every run",
    )
    for r in (r_small, r_large):
        for b in r["bad"][:5]:
            note(f"rule broken ({r['brackets']} brackets): group {b[0]} entry={b[1]} "
                 f"tp={b[2]} sl={b[3]} group={b[4]}")  # fmt: skip
    if q:
        note(f"[quick run: {n_ticks:,} ticks with {small:,} / {large:,} brackets; the JSON keys "
             "keep their full-run names]")  # fmt: skip
    emit(
        "groups",
        {
            "brackets_1k_1m_ticks_s": round(r_small["seconds"], 3),
            "brackets_10k_1m_ticks_s": round(r_large["seconds"], 3),
            "us_per_bracket": round(per_bracket(r_large), 1),
        },
        q,
    )


if __name__ == "__main__":
    main()
