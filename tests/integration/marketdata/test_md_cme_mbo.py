"""Databento CME MBO replay (README section 6) checked against an independent dict replay."""

from __future__ import annotations

import csv
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import Aggressor, BookSide, QuoteTick, TradeTick
from condor.marketdata.cme_mbo import CmeMboReader
from condor.marketdata.errors import FeedError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real market data folder {DATA} is absent (see shared/data/README)"
)
MBO = DATA / "esh4-cme-globex-mbo-l3-20231225.csv"
ESH4 = Instrument(
    "ESH4", AssetClass.FUTURE, "CME", Decimal("0.25"), multiplier=Decimal(50), calendar="cme"
)
CHECK_ROWS = (8_725, 9_650, 30_000, 60_000)  # end of snapshot, around the 23:00Z open, later
SIDES = {"B": BookSide.BID, "A": BookSide.ASK}


def ticks(price: str) -> int:
    return ESH4.price_to_ticks(Decimal(price))


class DictBook:
    """Orders in a dict with a priority stamp; levels derived by scanning or kept as totals."""

    def __init__(self) -> None:
        self.orders: dict[str, list] = {}  # id -> [side, ticks, size, stamp]
        self.totals: dict[str, dict[int, int]] = {"B": {}, "A": {}}
        self.stamp = 0

    def _level(self, side: str, price: int, delta: int) -> None:
        lv = self.totals[side]
        lv[price] = lv.get(price, 0) + delta
        if not lv[price]:
            del lv[price]

    def apply(self, row: dict) -> None:
        action, oid = row["action"], row["order_id"]
        if action == "A":
            self.stamp += 1
            self.orders[oid] = [row["side"], ticks(row["price"]), int(row["size"]), self.stamp]
            self._level(row["side"], ticks(row["price"]), int(row["size"]))
        elif action == "C":
            o = self.orders[oid]
            o[2] -= int(row["size"])
            self._level(o[0], o[1], -int(row["size"]))
            if not o[2]:
                del self.orders[oid]
        elif action == "M":
            o = self.orders[oid]
            price, size = ticks(row["price"]), int(row["size"])
            self._level(o[0], o[1], -o[2])
            self._level(o[0], price, size)
            if price != o[1] or size > o[2]:  # loses priority
                self.stamp += 1
                o[3] = self.stamp
            o[1], o[2] = price, size
        elif action == "R":
            self.orders.clear()
            self.totals = {"B": {}, "A": {}}

    def top(self) -> tuple:
        b, a = self.totals["B"], self.totals["A"]
        bb, ba = (max(b) if b else None), (min(a) if a else None)
        return (bb, ba, b.get(bb), a.get(ba))

    def crc(self, n: int) -> int:
        b, a = self.totals["B"], self.totals["A"]
        bids = tuple((p, b[p]) for p in sorted(b, reverse=True)[:n])
        asks = tuple((p, a[p]) for p in sorted(a)[:n])
        return zlib.crc32(repr((bids, asks)).encode("ascii"))


def independent_replay() -> dict:
    book = DictBook()
    quotes, trades, checkpoints, last_top = [], [], {}, (None, None, None, None)
    with MBO.open(newline="") as f:
        for n, row in enumerate(csv.DictReader(f), 1):
            book.apply(row)
            ts = int(row["ts_recv_ns"])
            if row["action"] == "T":
                aggressor = {"B": Aggressor.BUYER, "A": Aggressor.SELLER}.get(
                    row["side"], Aggressor.NONE
                )
                trades.append(
                    TradeTick("ESH4", ts, ticks(row["price"]), int(row["size"]), None, aggressor)
                )
            if int(row["flags"]) & 128:
                t = book.top()
                if t != last_top:
                    quotes.append(QuoteTick("ESH4", ts, *t))
                    last_top = t
            if n in CHECK_ROWS:
                checkpoints[n] = (book.crc(10), book.top())
    return {"book": book, "quotes": quotes, "trades": trades, "checkpoints": checkpoints}


@pytest.fixture(scope="module")
def independent() -> dict:
    return independent_replay()


@pytest.fixture(scope="module")
def replay() -> tuple[CmeMboReader, list]:
    reader = CmeMboReader(MBO, ESH4)
    return reader, list(reader)


def test_counts_match_readme(replay) -> None:
    # Arrange
    reader, events = replay

    # Act
    trades = [e for e in events if type(e) is TradeTick]

    # Assert
    assert (reader.rows, reader.snapshot_rows, reader.unknown_refs) == (68_792, 8_725, 0)
    assert reader.counts == {
        "A": 29_216,
        "C": 17_999,
        "M": 12_233,
        "F": 6_371,
        "T": 2_973,
        "R": 0,
        "N": 0,
    }
    assert len(trades) == 2_973
    assert (min(t.price for t in trades), max(t.price for t in trades)) == (19201, 19247)
    reader.book.validate()


def test_first_quote_waits_for_first_last_flag(replay) -> None:
    # Arrange
    _, events = replay

    # Act
    first_quote = next(e for e in events if type(e) is QuoteTick)

    # Assert: the snapshot rows carry no LAST flag; row 8,726 (first live row) does
    assert first_quote.ts_ns == 1703541600181198464  # 2023-12-25T22:00:00.181Z
    assert (first_quote.bid, first_quote.ask) == (ticks("4799.00"), ticks("4799.50"))


def test_quotes_and_trades_equal_independent_replay(replay, independent) -> None:
    # Arrange
    _, events = replay

    # Act
    quotes = [e for e in events if type(e) is QuoteTick]
    trades = [e for e in events if type(e) is TradeTick]

    # Assert
    assert quotes == independent["quotes"]
    assert trades == independent["trades"]


@pytest.mark.parametrize("rows", CHECK_ROWS)
def test_book_checksum_and_top_at_chosen_rows(independent, rows: int) -> None:
    # Arrange
    reader = CmeMboReader(MBO, ESH4, max_rows=rows)
    crc, (bid, ask, bid_size, ask_size) = independent["checkpoints"][rows]

    # Act
    for _ in reader:
        pass

    # Assert
    assert reader.rows == rows
    assert reader.book.checksum(10) == crc
    assert reader.book.best_bid() == (bid, bid_size)
    assert reader.book.best_ask() == (ask, ask_size)


def test_final_book_and_queue_positions_equal_independent(replay, independent) -> None:
    # Arrange
    reader, _ = replay
    ref: DictBook = independent["book"]

    # Act
    queues: dict[tuple[str, int], list] = {}
    for oid, (side, price, size, stamp) in ref.orders.items():
        queues.setdefault((side, price), []).append((stamp, int(oid), size))

    # Assert
    assert len(reader.book) == len(ref.orders) == 11_217
    for side in ("B", "A"):
        assert dict(reader.book.depth(SIDES[side], 10_000)) == ref.totals[side]
    for (side, price), queue in queues.items():
        ahead = 0
        for _, oid, size in sorted(queue):
            assert reader.book.queue_ahead(SIDES[side], price, oid) == ahead
            ahead += size


def test_book_is_published_only_after_last_flag(tmp_path: Path) -> None:
    # Arrange: an add without LAST, then a cancel and an add closing the packet with LAST
    header = "ts_recv_ns,ts_event_ns,action,side,price,size,order_id,flags,sequence"
    path = tmp_path / "x-mbo.csv"
    path.write_text(
        f"{header}\n"
        "10,9,A,B,4800.00,2,1,0,1\n"
        "11,9,A,A,4800.50,3,2,0,1\n"
        "12,9,T,B,4800.50,1,0,0,2\n"
        "13,9,C,A,4800.50,3,2,128,2\n"
        "20,19,X,A,4800.50,3,2,128,3\n"
    )
    reader = CmeMboReader(path, ESH4)

    # Act
    events = []
    with pytest.raises(FeedError, match=r":6: unknown action 'X'"):
        for e in reader:
            events.append(e)

    # Assert: the trade is emitted when read; the one quote reflects the whole packet
    assert events == [
        TradeTick("ESH4", 12, 19202, 1, None, Aggressor.BUYER),
        QuoteTick("ESH4", 13, 19200, None, 2, None),
    ]
