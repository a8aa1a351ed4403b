"""The workloads of the peer comparison: the seeded quote streams and the bracket placement
rule that Condor and every peer read, so that all engines see the same ticks and place the
same brackets at the same ticks.

Invariant: standard library only (this module is imported both from Condor's ``.venv`` and
from the peers' ``.venv-peers``); every price is an int number of ticks, every time int ns;
the same arguments give the same stream, quote for quote.

Workloads (issue #11): ``no_orders`` (1,000,000 quotes, no order), ``brackets_1k`` and
``brackets_10k`` (the same quotes with 1,000 / 10,000 brackets: market entry, take-profit limit
and stop-loss stop ``DISTANCE`` ticks from the touch, alternating buy and sell), ``trailing_10k``
(the stop-loss is a trailing stop ``TRAIL`` ticks behind the market), ``usdjpy_1k`` (the real
USD/JPY quotes of ../shared/data looped to 1,000,000 quotes, 1,000 brackets).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

LOTS = 1_000  # quantity of every order (units of the base currency)
DISTANCE = 30  # ticks from the touch to the take-profit and to the stop-loss
TRAIL = 20  # ticks behind the market of the trailing stop-loss
QUOTE_SIZE = 5_000_000  # size shown on both sides of every synthetic quote
NS_PER_QUOTE = 1_000_000  # 1 ms between synthetic quotes
T0_NS = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z
MID = 110_000  # 1.10000 EUR/USD in ticks of 0.00001
USDJPY_FILE = "usdjpy-dukascopy-quotes-20190101.csv"


class Market(NamedTuple):
    """The instrument of a workload: symbol (``BASE/QUOTE``), tick size and quote currency."""

    symbol: str
    tick: Decimal
    currency: str


EURUSD = Market("EUR/USD", Decimal("0.00001"), "USD")
USDJPY = Market("USD/JPY", Decimal("0.001"), "JPY")


class Workload(NamedTuple):
    """One comparison row: the stream (``random`` or ``usdjpy``), its length, the number of
    brackets placed evenly over it and whether the stop-loss trails."""

    name: str
    source: str
    ticks: int
    brackets: int
    trailing: bool = False

    @property
    def market(self) -> Market:
        return USDJPY if self.source == "usdjpy" else EURUSD


def workloads(quick: bool = False) -> list[Workload]:
    """The five workloads of issue #11 (``quick``: a tenth of the ticks and brackets)."""
    n, k = (100_000, 100) if quick else (1_000_000, 1_000)
    return [
        Workload("no_orders", "random", n, 0),
        Workload("brackets_1k", "random", n, k),
        Workload("brackets_10k", "random", n, 10 * k),
        Workload("trailing_10k", "random", n, 10 * k, trailing=True),
        Workload("usdjpy_1k", "usdjpy", n, k),
    ]


def by_name(name: str, quick: bool = False) -> Workload:
    """The workload called ``name``; KeyError when unknown."""
    return {w.name: w for w in workloads(quick)}[name]


def random_quotes(seed: int, n: int, start_bid: int = MID, max_spread: int = 3) -> Iterator[tuple]:
    """``n`` quotes ``(ts_ns, bid, ask)``: the bid moves one tick up or down with probability
    1/4 each and otherwise stays; ask = bid + 1..``max_spread`` ticks; 1 ms apart."""
    rng = random.Random(seed)
    rnd, randint = rng.random, rng.randint
    bid, ts = start_bid, T0_NS
    for _ in range(n):
        r = rnd()
        if r < 0.25:
            bid -= 1
        elif r < 0.5:
            bid += 1
        ts += NS_PER_QUOTE
        yield ts, bid, bid + randint(1, max_spread)


def usdjpy_quotes(data_dir: Path, n: int) -> Iterator[tuple]:
    """``n`` quotes ``(ts_ns, bid, ask)`` in ticks of 0.001 JPY from the real Dukascopy file,
    looped as often as needed; each loop is shifted in time to follow the previous one by
    1 ms, so that time never goes back. Raises FileNotFoundError without the file."""
    rows = []
    with open(Path(data_dir) / USDJPY_FILE, newline="") as f:
        for r in csv.DictReader(f):
            rows.append((int(r["ts_ns"]), _ticks(r["bid"]), _ticks(r["ask"])))
    span = rows[-1][0] - rows[0][0] + NS_PER_QUOTE
    shift = 0
    i = 0
    while True:
        for ts, bid, ask in rows:
            if i == n:
                return
            yield ts + shift, bid, ask
            i += 1
        shift += span


def default_data_dir() -> Path:
    """``$CONDOR_DATA`` when set, else ``../shared/data`` beside the checkout (README)."""
    env = os.environ.get("CONDOR_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def _ticks(text: str) -> int:
    return int(Decimal(text) / USDJPY.tick)


def quotes(w: Workload, seed: int, data_dir: Path) -> Iterator[tuple]:
    """The stream of workload ``w``."""
    if w.source == "usdjpy":
        return usdjpy_quotes(data_dir, w.ticks)
    return random_quotes(seed, w.ticks)


def placements(w: Workload) -> set[int]:
    """Quote indices (0-based) after which a bracket is placed: ``k * ticks // brackets``."""
    return {k * w.ticks // w.brackets for k in range(w.brackets)}


def exits(buy: bool, bid: int, ask: int) -> tuple[int, int]:
    """(take-profit, stop-loss) ticks of a bracket placed on ``bid``/``ask``: a buy entry
    fills at the ask and exits by selling at ask + DISTANCE or on a stop at bid - DISTANCE; a
    sell entry mirrors it."""
    if buy:
        return ask + DISTANCE, bid - DISTANCE
    return bid - DISTANCE, ask + DISTANCE


def outcome_code(entry: str, tp: str, sl: str) -> str:
    """One bracket's end as three letters, entry / take-profit / stop-loss: F filled,
    C canceled, W working, R rejected, ? anything else."""
    return "".join(_CODE.get(s, "?") for s in (entry, tp, sl))


_CODE = {"filled": "F", "canceled": "C", "working": "W", "rejected": "R"}


def run_main(doc: str, run) -> None:
    """The command line every runner shares: ``WORKLOAD [--quick] [--seed N] [--data DIR]``;
    prints ``run(workload, seed, data_dir)`` as one JSON line."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("workload")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--data", type=Path, default=default_data_dir())
    a = p.parse_args()
    print(json.dumps(run(by_name(a.workload, a.quick), a.seed, a.data)), flush=True)
