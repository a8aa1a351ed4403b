"""Binance spot capture (README section 4) checked against an independent json/Decimal replay."""

from __future__ import annotations

import gzip
import json
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import Aggressor, BookSide, L2Delta, L2Snapshot, QuoteTick, TradeTick
from condor.marketdata.binance import BinanceReader
from condor.marketdata.errors import GapError, OffGridError

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real market data folder {DATA} is absent (see shared/data/README)"
)
CAPTURE = DATA / "btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz"


def btcusdt(lot: str) -> Instrument:
    return Instrument(
        "BTCUSDT",
        AssetClass.CRYPTO,
        "BINANCE",
        Decimal("0.01"),
        lot_size=Decimal(lot),
        currency="USDT",
        calendar="24x7",
    )


# Binance's BTCUSDT lot step is 0.00001, but 7 depth levels far from the touch (74,000 to
# 200,000 USDT asks) carry 8-decimal totals, so the exact replay uses the wire precision.
BTC = btcusdt("0.00000001")
CHECK_LINES = (2_000, 50_000, 99_574)
CHECK_TIMES = (1723161254300000000, 1723161600000000000, 1723161900000000000)


def crc(bids: dict[int, int], asks: dict[int, int], n: int) -> int:
    b = tuple((p, bids[p]) for p in sorted(bids, reverse=True)[:n])
    a = tuple((p, asks[p]) for p in sorted(asks)[:n])
    return zlib.crc32(repr((b, a)).encode("ascii"))


def independent_replay() -> dict:
    """The Binance procedure with json, Decimal and plain dicts (ticks -> lots)."""
    px, qty = BTC.price_to_ticks, BTC.qty_to_lots
    book: dict[str, dict[int, int]] = {"b": {}, "a": {}}
    buffered: list[dict] = []
    last_u = None
    first_pending = False
    out = {"quotes": 0, "trades": 0, "depth": 0, "lines": 0, "seller": 0, "crossed": 0}
    trade_prices: list[int] = []
    checkpoints, at_times = {}, {}
    times = list(CHECK_TIMES)

    def apply(d: dict) -> None:
        nonlocal last_u, first_pending
        if first_pending:
            if d["u"] <= last_u:
                return
            assert d["U"] <= last_u + 1 <= d["u"]
            first_pending = False
        else:
            assert d["U"] == last_u + 1
        last_u = d["u"]
        for key in ("b", "a"):
            for p, q in d[key]:
                lots = qty(Decimal(q))
                if lots:
                    book[key][px(Decimal(p))] = lots
                else:
                    book[key].pop(px(Decimal(p)), None)

    with gzip.open(CAPTURE, "rt") as f:
        for n, line in enumerate(f, 1):
            recv_s, payload = line.split(" ", 1)
            recv = int(recv_s)
            out.setdefault("first_line", recv)
            while times and recv > times[0]:
                at_times[times.pop(0)] = crc(book["b"], book["a"], 20)
            msg = json.loads(payload)
            stream = msg.get("stream", "")
            d = msg.get("data")
            if not stream:
                book = {
                    "b": {px(Decimal(p)): qty(Decimal(q)) for p, q in msg["bids"]},
                    "a": {px(Decimal(p)): qty(Decimal(q)) for p, q in msg["asks"]},
                }
                last_u, first_pending = msg["lastUpdateId"], True
                for old in buffered:
                    apply(old)
                buffered = []
            elif stream.endswith("bookTicker"):
                out["quotes"] += 1
                out["crossed"] += Decimal(d["b"]) >= Decimal(d["a"])
            elif stream.endswith("trade"):
                out["trades"] += 1
                out["seller"] += d["m"]
                trade_prices.append(px(Decimal(d["p"])))
            else:
                out["depth"] += 1
                if last_u is None:
                    buffered.append(d)
                else:
                    apply(d)
            if n in CHECK_LINES:
                checkpoints[n] = crc(book["b"], book["a"], 20)
            out["lines"] = n
    out.update(
        checkpoints=checkpoints,
        at_times=at_times,
        book=book,
        trade_range=(min(trade_prices), max(trade_prices)),
    )
    return out


@pytest.fixture(scope="module")
def independent() -> dict:
    return independent_replay()


@pytest.fixture(scope="module")
def replay() -> dict:
    """One pass of the reader, summarised (and a consumer-side book rebuilt from L2 events)."""
    reader = BinanceReader(CAPTURE, BTC)
    s = {"quotes": 0, "trades": 0, "snapshots": [], "seller": 0, "crossed": 0, "at_times": {}}
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    first = last = None
    trade_prices: list[int] = []
    times = list(CHECK_TIMES)
    for e in reader:
        while times and e.ts_ns > times[0]:
            s["at_times"][times.pop(0)] = crc(bids, asks, 20)
        first = first if first is not None else e.ts_ns
        last = e.ts_ns
        kind = type(e)
        if kind is L2Delta:
            levels = bids if e.side is BookSide.BID else asks
            if e.size:
                levels[e.price] = e.size
            else:
                del levels[e.price]
        elif kind is QuoteTick:
            s["quotes"] += 1
            s["crossed"] += e.bid >= e.ask
        elif kind is TradeTick:
            s["trades"] += 1
            s["seller"] += e.aggressor is Aggressor.SELLER
            trade_prices.append(e.price)
        elif kind is L2Snapshot:
            s["snapshots"].append(e)
            bids, asks = dict(e.bids), dict(e.asks)
    s.update(reader=reader, first=first, last=last, consumer=(bids, asks))
    s["trade_range"] = (min(trade_prices), max(trade_prices))
    return s


def test_counts_and_ranges_match_readme(replay, independent) -> None:
    # Arrange
    reader = replay["reader"]

    # Act
    counts = reader.counts

    # Assert
    assert counts == {"bookTicker": 73_174, "trade": 19_904, "depth": 6_495, "snapshot": 1}
    assert reader.lines == independent["lines"] == 99_574
    assert (replay["quotes"], replay["trades"]) == (73_174, 19_904)
    # README range starts at 23:54:13.937Z, a depth update buffered before the snapshot: the
    # first emitted event is the bookTicker on line 3
    assert independent["first_line"] == 1723161253937085768
    assert replay["first"] == 1723161254087891268
    assert replay["last"] == 1723161904535092233  # 2024-08-09T00:05:04.535Z
    assert replay["trade_range"] == independent["trade_range"] == (6_155_604, 6_186_080)
    assert replay["seller"] == independent["seller"]  # m = true -> seller aggressor
    assert replay["crossed"] == independent["crossed"] == 0


def test_book_syncs_on_snapshot_from_the_buffer(replay) -> None:
    # Arrange
    reader = replay["reader"]

    # Act
    (snapshot,) = replay["snapshots"]

    # Assert: README: snapshot received 23:54:14.207Z; the first applied update
    # (U=50093239208, u=50093239224) was buffered 70 ms earlier; two older ones dropped
    assert snapshot.ts_ns == 1723161254206652067
    assert reader.dropped == 2
    assert reader.synced and reader.last_update_id == 50093696318
    assert snapshot.bids[0][0] < snapshot.asks[0][0]


@pytest.mark.parametrize("lines", CHECK_LINES)
def test_book_checksum_at_chosen_lines(independent, lines: int) -> None:
    # Arrange
    reader = BinanceReader(CAPTURE, BTC, quotes=False, trades=False, max_lines=lines)

    # Act
    for _ in reader:
        pass

    # Assert
    assert reader.book.checksum(20) == independent["checkpoints"][lines]


@pytest.mark.parametrize("t", CHECK_TIMES)
def test_emitted_l2_stream_rebuilds_the_book_at_chosen_times(replay, independent, t: int) -> None:
    # Arrange / Act: consumer book from L2Snapshot + L2Delta up to t (built in the fixture)
    got = replay["at_times"][t]

    # Assert
    assert got == independent["at_times"][t]


def test_final_consumer_book_equals_independent_book(replay, independent) -> None:
    # Arrange
    bids, asks = replay["consumer"]

    # Act
    reader_book = replay["reader"].book

    # Assert
    assert (bids, asks) == (independent["book"]["b"], independent["book"]["a"])
    assert (reader_book.bids, reader_book.asks) == (bids, asks)


def test_off_lot_quantity_raises_or_floors() -> None:
    # Arrange
    coarse = btcusdt("0.00001")

    # Act
    with pytest.raises(OffGridError) as info:
        for _ in BinanceReader(CAPTURE, coarse, quotes=False, trades=False):
            pass
    floored = BinanceReader(
        CAPTURE, coarse, quotes=False, trades=False, off_lot="floor", max_lines=40_000
    )
    for _ in floored:
        pass

    # Assert
    assert info.value.line == 1886 and "25.42618900" in str(info.value)
    assert floored.floored == 3  # lines 1,886, 34,306 and 38,887 (7 in the whole file)


def write_capture(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def depth(ts: int, first: int, last: int, bids: str = "[]") -> str:
    data = {"e": "depthUpdate", "E": 0, "s": "BTCUSDT", "U": first, "u": last, "a": []}
    data["b"] = json.loads(bids)
    return f"{ts} " + json.dumps({"stream": "btcusdt@depth@100ms", "data": data})


SNAPSHOT = '{"lastUpdateId":100,"bids":[["10.00","1.0"]],"asks":[["11.00","2.0"]]}'


def test_gap_after_sync_raises(tmp_path: Path) -> None:
    # Arrange
    path = write_capture(
        tmp_path / "binance.jsonl.gz",
        [
            depth(1, 95, 101, '[["10.00","3.0"]]'),
            f"2 {SNAPSHOT}",
            depth(3, 102, 105),
            depth(4, 107, 110),
        ],
    )

    # Act
    events = []
    with pytest.raises(GapError) as info:
        for e in BinanceReader(path, BTC):
            events.append(e)

    # Assert
    assert info.value.line == 4 and "expected U=106" in str(info.value)
    assert events == [L2Snapshot("BTCUSDT", 2, ((1000, 300_000_000),), ((1100, 200_000_000),))]


def test_first_update_must_bracket_the_snapshot(tmp_path: Path) -> None:
    # Arrange
    path = write_capture(tmp_path / "binance.jsonl.gz", [f"1 {SNAPSHOT}", depth(2, 103, 104)])

    # Act / Assert
    with pytest.raises(GapError, match=r"need U <= 101 <= u"):
        list(BinanceReader(path, BTC))
