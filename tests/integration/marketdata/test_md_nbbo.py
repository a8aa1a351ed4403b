"""NBBO folding of the per-venue IBM quotes (README section 2) checked against a plain recompute."""

from __future__ import annotations

import csv
import random
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import QuoteTick
from condor.marketdata.nbbo import NbboReader

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real market data folder {DATA} is absent (see shared/data/README)"
)
QUOTES = DATA / "ibm-us-equity-quotes-20131007.csv"
IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))
ET_OFFSET_NS = 4 * 3600 * 10**9  # EDT on 2013-10-07
DAY_NS = 1381104000 * 10**9  # 2013-10-07T00:00:00Z


def et(hms: str) -> int:
    """'HH:MM:SS.mmm' New York time on 2013-10-07 -> UTC epoch ns."""
    h, m, s = hms.split(":")
    return DAY_NS + ET_OFFSET_NS + (int(h) * 3600 + int(m) * 60) * 10**9 + int(Decimal(s) * 10**9)


def independent_nbbo_states(path: Path = QUOTES) -> list[tuple[int, tuple]]:
    """(ts_ns, (bid, ask, bid_size, ask_size)) after every kept row: Decimal, csv module."""
    bids: dict[str, tuple[Decimal, int]] = {}
    asks: dict[str, tuple[Decimal, int]] = {}
    out = []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["suspicious"] == "1":
                continue
            book = bids if row["side"] == "B" else asks
            price, size = Decimal(row["price"]), int(row["size"])
            if price == 0 or size == 0:
                book.pop(row["exchange"], None)
            else:
                book[row["exchange"]] = (price, size)
            state = []
            for side, pick in ((bids, max), (asks, min)):
                if side:
                    best = pick(p for p, _ in side.values())
                    state.append(
                        (IBM.price_to_ticks(best), sum(s for p, s in side.values() if p == best))
                    )
                else:
                    state.append((None, None))
            out.append((int(row["ts_ns"]), (state[0][0], state[1][0], state[0][1], state[1][1])))
    return out


@pytest.fixture(scope="module")
def independent() -> list[tuple[int, tuple]]:
    return independent_nbbo_states()


@pytest.fixture(scope="module")
def nbbo() -> tuple[NbboReader, list[QuoteTick]]:
    reader = NbboReader(QUOTES, IBM)
    return reader, list(reader)


def test_counts_match_readme(nbbo) -> None:
    # Arrange
    reader, ticks = nbbo

    # Act
    emitted = len(ticks)

    # Assert
    assert reader.rows == 109_067
    assert reader.skipped_suspicious == 1  # the 186.00 ask at 20:00:00.122
    assert reader.withdrawals == 0
    assert emitted == reader.emitted
    assert ticks[0] == QuoteTick("IBM", 1381132800054000000, None, 18363, None, 100)


def test_stream_equals_independent_recompute(nbbo, independent) -> None:
    # Arrange
    _, ticks = nbbo
    states = independent

    # Act: keep a state only when it differs from the previous one
    expected, prev = [], None
    for ts, state in states:
        if state != prev:
            expected.append(QuoteTick("IBM", ts, *state))
            prev = state

    # Assert
    assert ticks == expected


@pytest.mark.parametrize(
    "when", ["04:00:00.241", "09:30:00.000", "12:00:00.000", "15:59:59.999", "20:00:00.122"]
)
def test_nbbo_at_chosen_times(nbbo, independent, when: str) -> None:
    # Arrange
    _, ticks = nbbo
    t = et(when)
    states = [s for ts, s in independent if ts <= t]

    # Act
    last = [q for q in ticks if q.ts_ns <= t][-1]

    # Assert
    assert (last.bid, last.ask, last.bid_size, last.ask_size) == states[-1]


def test_withdrawal_by_zero_price_or_size(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "x-quotes.csv"
    path.write_text(
        "ts_ns,exchange,side,price,size,suspicious\n"
        "1,N,B,10.00,100,0\n"
        "2,P,B,10.00,200,0\n"
        "3,P,B,0.0000,0,0\n"
        "4,N,B,10.01,5,1\n"
        "5,N,B,9.99,0,0\n"
    )
    reader = NbboReader(path, IBM)

    # Act
    ticks = list(reader)

    # Assert
    assert [(q.ts_ns, q.bid, q.bid_size) for q in ticks] == [
        (1, 1000, 100),
        (2, 1000, 300),
        (3, 1000, 100),
        (5, None, None),
    ]
    assert (reader.withdrawals, reader.skipped_suspicious) == (2, 1)


def test_random_venue_churn_matches_full_recompute(tmp_path: Path) -> None:
    # Arrange: few venues, few prices, many withdrawals, so ties and emptied bests are common
    rng = random.Random(11)
    rows = ["ts_ns,exchange,side,price,size,suspicious"]
    for ts in range(1, 3001):
        price = rng.choice(["0.0000", "10.0000", "10.0100", "10.0200", "10.0300"])
        size = rng.choice([0, 100, 200, 300]) if price != "0.0000" else 0
        venue, side = rng.choice("NPQZ"), rng.choice("BA")
        rows.append(f"{ts},{venue},{side},{price},{size},{int(rng.random() < 0.02)}")
    path = tmp_path / "churn-quotes.csv"
    path.write_text("\n".join(rows) + "\n")
    expected, prev = [], None
    for ts, state in independent_nbbo_states(path):
        if state != prev:
            expected.append(QuoteTick("IBM", ts, *state))
            prev = state

    # Act
    ticks = list(NbboReader(path, IBM))

    # Assert
    assert ticks == expected


def test_reading_whole_file_uses_constant_memory() -> None:
    # Arrange
    reader = NbboReader(QUOTES, IBM)
    tracemalloc.start()

    # Act
    try:
        count = sum(1 for _ in reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Assert: the file is 5.9 MB; a streaming pass holds a line, a few venues, a price cache
    assert count == reader.emitted
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"
    print(f"tracemalloc peak {peak} bytes")
