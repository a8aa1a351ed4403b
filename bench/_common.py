"""Shared helpers of the engine benches: instrument and engine set-up, seeded quote streams,
timing, optional profiling, tables and the JSON figures.

Invariant: everything random here is drawn from a ``random.Random(seed)`` passed in or built
from an explicit seed, so two runs with the same arguments feed the engine the same commands and
the same market data; prices are int ticks and sizes int lots. Nothing here asserts on time
(STYLE.md, bench/): the scripts print figures, then one JSON object as their last line.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from condor.domain.accounts.account import Account, Position
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.market import QuoteTick
from condor.domain.values import decimal_to_cash
from condor.engine.core import Engine

RESULTS = Path(__file__).resolve().parent / "results"
SYMBOL = "EURUSD"
TICK = Decimal("0.00001")
MID = 110_000  # 1.10000 in ticks of 0.00001
QUOTE_SIZE = 5_000_000  # lots shown at each side of every quote
NS_PER_TICK = 1_000_000  # 1 ms between quotes

_console = Console(width=120, highlight=False, soft_wrap=True)


# -- set-up -------------------------------------------------------------------------------
def fx_instrument() -> Instrument:
    """EURUSD, tick 0.00001, quote-only (stops watch bid / ask), no session calendar."""
    return Instrument(SYMBOL, AssetClass.FX, "SIM", TICK, has_trades=False)


def fx_account(account_id: str, inst: Instrument, long_lots: int = 0) -> Account:
    """An account with a very large USD balance and optionally ``long_lots`` of ``inst``
    bought at ``MID`` (so that plain Sell orders have a position to sell)."""
    a = Account(
        account_id, owner=f"owner-{account_id}", cash={"USD": decimal_to_cash(Decimal(10**15))}
    )
    if long_lots:
        a.positions[inst.symbol] = Position(inst.symbol, long_lots, inst.notional(MID, long_lots))
    return a


def fx_engine(*accounts: tuple[str, int], keep_history: bool = False) -> tuple[Engine, Instrument]:
    """An engine on one FX instrument; ``accounts`` are ``(account_id, long_lots)``; no
    session schedule (always in regular session)."""
    inst = fx_instrument()
    accts = [fx_account(a, inst, lots) for a, lots in accounts]
    e = Engine(InstrumentRegistry([inst]), accts, keep_history=keep_history)
    return e, inst


# -- market data --------------------------------------------------------------------------
def random_walk(
    rng: random.Random,
    n: int,
    start: int,
    p_move: float = 0.5,
    lo: int | None = None,
    hi: int | None = None,
) -> Iterator[int]:
    """``n`` int prices: each step moves one tick up or down with probability ``p_move``
    (half each way), else stays; reflected at ``lo`` / ``hi`` when given."""
    x = start
    half = p_move / 2
    rnd = rng.random
    for _ in range(n):
        r = rnd()
        if r < half:
            x -= 1
        elif r < p_move:
            x += 1
        if lo is not None and x < lo:  # reflect (lo < hi is the caller's promise)
            x = lo + 1
        elif hi is not None and x > hi:
            x = hi - 1
        yield x


def quote_stream(
    seed: int,
    n: int,
    start_bid: int,
    *,
    symbol: str = SYMBOL,
    t0_ns: int = 0,
    p_move: float = 0.5,
    lo: int | None = None,
    hi: int | None = None,
    max_spread: int = 3,
    size: int | None = QUOTE_SIZE,
) -> Iterator[QuoteTick]:
    """``n`` QuoteTicks whose bid is a seeded random walk (see ``random_walk``; ``lo``/``hi``
    bound the bid) and whose ask is bid + 1..``max_spread`` ticks; 1 ms apart from ``t0_ns``."""
    rng = random.Random(seed)
    spread_rng = random.Random(seed * 7919 + 1)
    ts = t0_ns
    for bid in random_walk(rng, n, start_bid, p_move, lo, hi):
        ts += NS_PER_TICK
        yield QuoteTick(symbol, ts, bid, bid + spread_rng.randint(1, max_spread), size, size)


def chunks(it: Iterator, size: int = 10_000) -> Iterator[list]:
    """Pre-build the stream ``size`` items at a time (built outside the timed sections).
    Chunks stay small because QuoteTicks are tuple subclasses, which the garbage collector
    never untracks: a large chunk would add its length to every full collection the engine
    triggers inside the timed section."""
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf


# -- timing, profiling, memory ------------------------------------------------------------
class Stopwatch:
    """Accumulates, over the timed sections only (``with sw: ...``), the wall seconds
    (``seconds``), the CPU seconds of this process (``cpu``) and the seconds spent in the
    cyclic garbage collector (``gc``). The figures are wall time; CPU time is shown beside them
    because the bench machine is shared (2 cores): a CPU time well below the wall time means
    the run was descheduled."""

    __slots__ = ("_c", "_g", "_t", "cpu", "gc", "seconds")

    def __init__(self) -> None:
        self.seconds = self.cpu = self.gc = 0.0
        self._t = self._c = self._g = 0.0

    def __enter__(self) -> Stopwatch:
        self._g = _gc_seconds[0]
        _gc_timing[0] += 1  # a depth: stopwatches may nest
        self._c = time.process_time()
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds += time.perf_counter() - self._t
        self.cpu += time.process_time() - self._c
        _gc_timing[0] -= 1
        self.gc += _gc_seconds[0] - self._g


_gc_timing = [0]
_gc_seconds = [0.0]
_gc_start = [0.0]


def _on_gc(phase: str, _info: dict) -> None:
    if _gc_timing[0] <= 0:
        return
    if phase == "start":
        _gc_start[0] = time.perf_counter()
    else:
        _gc_seconds[0] += time.perf_counter() - _gc_start[0]


gc.callbacks.append(_on_gc)


class Profiler:
    """cProfile around the timed sections when enabled (``--profile``); a no-op otherwise.
    The report goes to stderr so that stdout still ends with the JSON line."""

    def __init__(self, enabled: bool, name: str) -> None:
        self.enabled = enabled
        self.name = name
        self.prof = cProfile.Profile() if enabled else None

    @contextmanager
    def section(self):
        if self.prof is None:
            yield
            return
        self.prof.enable()
        try:
            yield
        finally:
            self.prof.disable()

    def report(self, top: int = 30) -> None:
        if self.prof is None:
            return
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.prof"
        self.prof.dump_stats(path)
        for key in ("tottime", "cumulative"):
            s = io.StringIO()
            pstats.Stats(self.prof, stream=s).sort_stats(key).print_stats(top)
            print(f"\n=== profile {self.name} by {key} (saved {path}) ===", file=sys.stderr)
            print(_trim_paths(s.getvalue()), file=sys.stderr)


def _trim_paths(text: str) -> str:
    root = str(Path(__file__).resolve().parents[1]) + os.sep
    return text.replace(root, "")


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def gc_paused():
    """Collect, then keep the collector off inside the block (set-up of large states)."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- output -------------------------------------------------------------------------------
def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="much smaller sizes (smoke run)")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument(
        "--profile", action="store_true", help="cProfile the timed sections (report on stderr)"
    )
    return p


def table(title: str, columns: list[str], rows: list[list], caption: str | None = None) -> None:
    t = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*(_fmt(x) for x in r))
    _console.print(t)


def _fmt(x) -> str:
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) >= 10:
            return f"{x:,.1f}"
        return f"{x:.3f}"
    return escape(str(x))


def load_note() -> str:
    """The machine's load averages (the bench box is shared; figures move with its load)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def note(text: str) -> None:
    _console.print(text, markup=False)


def emit(name: str, figures: dict, quick: bool) -> None:
    """Write ``figures`` to ``bench/results/<name>.json`` (``<name>-quick.json`` for smoke
    runs, so they never overwrite full figures) and print them as the last stdout line."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}{'-quick' if quick else ''}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    sys.stdout.flush()
    print(json.dumps(figures), flush=True)


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")
