"""LOBSTER AAPL replay (README section 5) checked against an independent dict-based replay."""

from __future__ import annotations

import csv
import itertools
import zlib
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import Aggressor, BookSide, QuoteTick, TradeTick
from condor.marketdata.errors import FeedError
from condor.marketdata.lobster import LobsterReader, local_midnight_clock, parse_seconds_ns

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real market data folder {DATA} is absent (see shared/data/README)"
)
MESSAGES = DATA / "aapl-nasdaq-lobster-l3-messages-20120621-0930-1030.csv"
AAPL = Instrument("AAPL", AssetClass.EQUITY, "NASDAQ", Decimal("0.0001"))
MIDNIGHT_EDT_NS = 1340251200 * 10**9  # 2012-06-21T00:00:00-04:00
CHECK_ROWS = (1_000, 39_483, 75_000)  # row 39,483 has the 12-decimal time
CHECK_TIMES = ("34200.5", "34500", "36000.000123", "37799.9")  # seconds after midnight EDT


def utc_ns(seconds: str) -> int:
    ns = (Decimal(seconds) * 10**9).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return MIDNIGHT_EDT_NS + int(ns)


def top(bids: dict[int, int], asks: dict[int, int]) -> tuple:
    b = max(bids) if bids else None
    a = min(asks) if asks else None
    return (b, a, bids.get(b), asks.get(a))


def crc_top(bids: dict[int, int], asks: dict[int, int], n: int) -> int:
    b = tuple((p, bids[p]) for p in sorted(bids, reverse=True)[:n])
    a = tuple((p, asks[p]) for p in sorted(asks)[:n])
    return zlib.crc32(repr((b, a)).encode("ascii"))


def independent_replay() -> dict:
    """Plain dicts over the csv module: trades, checkpoints (crc of top 10) and unknown refs."""
    orders: dict[str, list] = {}
    levels: dict[int, dict[int, int]] = {1: {}, -1: {}}
    trades, checkpoints, tops, unknown, prices = [], {}, {}, 0, []
    times = [utc_ns(t) for t in CHECK_TIMES]
    with MESSAGES.open(newline="") as f:
        for n, (t, typ, oid, size, price, d) in enumerate(csv.reader(f), 1):
            ts, size_i, price_i, d_i = utc_ns(t), int(size), int(price), int(d)
            while times and ts > times[0]:  # the state now is the state after all rows <= T
                tops[times.pop(0)] = top(levels[1], levels[-1])
            prices.append(price_i)
            if typ == "1":
                orders[oid] = [d_i, price_i, size_i]
                lv = levels[d_i]
                lv[price_i] = lv.get(price_i, 0) + size_i
            elif typ in "234":
                o = orders.get(oid)
                if o is None:
                    unknown += 1
                else:
                    o[2] -= size_i
                    lv = levels[o[0]]
                    lv[o[1]] -= size_i
                    if not lv[o[1]]:
                        del lv[o[1]]
                    if not o[2]:
                        del orders[oid]
            if typ in "45":
                aggressor = Aggressor.SELLER if d_i == 1 else Aggressor.BUYER
                trades.append(TradeTick("AAPL", ts, price_i, size_i, None, aggressor))
            if n in CHECK_ROWS:
                checkpoints[n] = crc_top(levels[1], levels[-1], 10)
    for t in times:
        tops[t] = top(levels[1], levels[-1])
    return {
        "tops": tops,
        "trades": trades,
        "checkpoints": checkpoints,
        "unknown": unknown,
        "prices": (min(prices), max(prices)),
        "last": (orders, levels),
        "rows": n,
    }


@pytest.fixture(scope="module")
def independent() -> dict:
    return independent_replay()


@pytest.fixture(scope="module")
def replay() -> tuple[LobsterReader, list]:
    reader = LobsterReader(MESSAGES, AAPL, date(2012, 6, 21))
    return reader, list(reader)


def test_counts_match_readme(replay, independent) -> None:
    # Arrange
    reader, events = replay

    # Act
    trades = [e for e in events if type(e) is TradeTick]

    # Assert
    assert reader.rows == independent["rows"] == 91_997
    assert reader.counts == {1: 44_256, 2: 469, 3: 41_004, 4: 4_067, 5: 2_201, 6: 0, 7: 0}
    assert reader.unknown_refs == independent["unknown"] == 84
    assert len(trades) == 4_067 + 2_201
    assert sum(t.size for t in trades) == 533_629
    assert independent["prices"] == (4_770_000, 6_989_500)  # 477.00 .. 698.95 USD
    reader.book.validate()


def test_timestamps_are_utc_ns(replay) -> None:
    # Arrange
    _, events = replay

    # Act
    first, last = events[0].ts_ns, max(e.ts_ns for e in events)

    # Assert: 34200.004241176 s after midnight EDT = 2012-06-21T13:30:00.004241176Z
    assert first == 1340285400004241176
    assert last <= utc_ns("37799.837447053")
    assert all(a.ts_ns <= b.ts_ns for a, b in itertools.pairwise(events))


def test_trades_equal_independent_replay(replay, independent) -> None:
    # Arrange
    _, events = replay

    # Act
    trades = [e for e in events if type(e) is TradeTick]

    # Assert: executing a resting buy (direction 1) is a seller-initiated trade
    assert trades == independent["trades"]


@pytest.mark.parametrize("rows", CHECK_ROWS)
def test_book_checksum_at_chosen_rows(independent, rows: int) -> None:
    # Arrange
    reader = LobsterReader(MESSAGES, AAPL, date(2012, 6, 21), max_rows=rows)

    # Act
    for _ in reader:
        pass

    # Assert
    assert reader.rows == rows
    assert reader.book.checksum(10) == independent["checkpoints"][rows]
    reader.book.validate()


def test_final_book_and_last_quote_equal_independent(replay, independent) -> None:
    # Arrange
    reader, events = replay
    orders, levels = independent["last"]

    # Act
    last_quote = [e for e in events if type(e) is QuoteTick][-1]
    bids = dict(reader.book.depth(BookSide.BID, 10_000))
    asks = dict(reader.book.depth(BookSide.ASK, 10_000))

    # Assert
    assert (bids, asks) == (levels[1], levels[-1])
    assert len(reader.book) == len(orders)
    for oid, (d, price, size) in orders.items():
        side = BookSide.BID if d == 1 else BookSide.ASK
        assert reader.book.order(int(oid)) == (side, price, size)
    q = last_quote
    assert (q.bid, q.ask, q.bid_size, q.ask_size) == top(levels[1], levels[-1])


@pytest.mark.parametrize("seconds", CHECK_TIMES)
def test_top_of_book_at_chosen_times(replay, independent, seconds: str) -> None:
    # Arrange
    _, events = replay
    t = utc_ns(seconds)

    # Act
    q = [e for e in events if type(e) is QuoteTick and e.ts_ns <= t][-1]

    # Assert
    assert (q.bid, q.ask, q.bid_size, q.ask_size) == independent["tops"][t]


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("34200.004241176", 34_200_004_241_176),
        ("34436.83925", 34_436_839_250_000),  # trailing zeros trimmed in the file
        ("35821.088778456004", 35_821_088_778_456),  # float noise past ns, row 39,483
        ("1.0000000005", 1_000_000_001),  # half rounds up
        ("7", 7_000_000_000),
    ],
)
def test_seconds_parse_exactly(text: str, ns: int) -> None:
    # Arrange / Act
    got = parse_seconds_ns(text)

    # Assert
    assert got == ns


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2012, 3, 11), 13), (date(2012, 11, 4), 14), (date(2012, 6, 21), 13)],
)
def test_market_open_in_utc_across_dst_changes(day: date, utc_hour: int) -> None:
    # Arrange
    to_utc = local_midnight_clock(day, "America/New_York")

    # Act
    ns = to_utc(34_200 * 10**9)

    # Assert: 09:30 New York is 13:30Z in summer time, 14:30Z in winter time
    midnight_utc = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    assert ns == (midnight_utc + utc_hour * 3600 + 1800) * 10**9


def test_unknown_event_type_raises_with_line(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "x_message_10.csv"
    path.write_text("34200.1,1,7,100,5850000,1\n34200.2,9,7,100,5850000,1\n")

    # Act / Assert
    with pytest.raises(FeedError, match=r":2: unknown LOBSTER event type '9'"):
        list(LobsterReader(path, AAPL, date(2012, 6, 21)))


def test_execution_of_unknown_order_still_trades(tmp_path: Path) -> None:
    # Arrange: order 5 rested before the window; order 7 is a new sell
    path = tmp_path / "x_message_10.csv"
    path.write_text("34200.1,1,7,100,5850100,-1\n34200.2,4,5,30,5849900,1\n")
    reader = LobsterReader(path, AAPL, date(2012, 6, 21))

    # Act
    events = list(reader)

    # Assert
    assert reader.unknown_refs == 1
    assert events[-1] == TradeTick("AAPL", utc_ns("34200.2"), 5849900, 30, None, Aggressor.SELLER)
    assert events[0] == QuoteTick("AAPL", utc_ns("34200.1"), None, 5850100, None, 100)
