"""LOBSTER message files replayed through an L3 book into trades and top-of-book quotes.

Invariant: rows are applied in file order to one ``L3Book``; after each row, a ``QuoteTick`` is
emitted iff (best bid, best ask, their sizes) differs from the last one emitted, so the latest
quote is always the book's top. The book holds only orders added inside the file's window:
orders resting before it are unknown, and a cancel or execution naming one is counted in
``unknown_refs`` and otherwise skipped for the book (an execution still yields its trade). The
top of book can therefore miss depth that rested before the window.
Format (README section 5; LOBSTER_SampleFiles_ReadMe): no header; columns time (seconds after
midnight, exchange local time, up to ns decimals), type (1 add, 2 partial cancel, 3 delete,
4 visible execution, 5 hidden execution, 6 cross, 7 halt), order id, size, price (USD x 10,000),
direction (1 buy, -1 sell order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from condor.domain.instruments import Instrument
from condor.domain.market import Aggressor, BookSide, MarketEvent, QuoteTick, TradeTick
from condor.marketdata.csv_feed import open_text
from condor.marketdata.errors import FeedError, OutOfOrderError, UnknownOrderError, located
from condor.marketdata.l3book import L3Book
from condor.marketdata.units import scaled_int_converter

_new = tuple.__new__
_LOBSTER_PRICE_STEP = Decimal("0.0001")
_NS = 1_000_000_000
_SIDE = {"1": BookSide.BID, "-1": BookSide.ASK}
# An execution of a resting buy order was initiated by a seller, and vice versa (README 5).
_AGGRESSOR = {"1": Aggressor.SELLER, "-1": Aggressor.BUYER}


def local_midnight_clock(trade_date: date, tz: str) -> Callable[[int], int]:
    """Return ``to_utc_ns(ns_after_local_midnight) -> int`` UTC epoch ns for ``trade_date``.

    The UTC offset is constant on ordinary days; on a DST change day each wall time is
    converted with ``zoneinfo`` (wall time = local midnight + elapsed, fold 0).
    """
    zone = ZoneInfo(tz)
    midnight = datetime(trade_date.year, trade_date.month, trade_date.day, tzinfo=zone)
    noon = midnight + timedelta(hours=12)
    epoch_midnight_ns = int(midnight.timestamp()) * _NS
    if midnight.utcoffset() == noon.utcoffset():
        return lambda ns: epoch_midnight_ns + ns

    def convert(ns: int) -> int:
        wall = midnight + timedelta(seconds=ns // _NS)  # aware + timedelta = wall-clock sum
        return int(wall.timestamp()) * _NS + ns % _NS

    return convert


def parse_seconds_ns(text: str) -> int:
    """``"34200.004241176"`` -> 34200004241176000 ns, exact; more than 9 decimals round half up.

    LOBSTER writes float-formatted times, so ``"35821.088778456004"`` (one row of the AAPL
    sample) means 35821.088778456 s.
    """
    dot = text.find(".")
    if dot < 0:
        return int(text) * _NS
    frac = text[dot + 1 :]
    n = len(frac)
    if n <= 9:
        return int(text[:dot]) * _NS + int(frac) * 10 ** (9 - n) if n else int(text[:dot]) * _NS
    ns = int(text[:dot]) * _NS + int(frac[:9])
    return ns + (1 if frac[9] >= "5" else 0)


class LobsterReader:
    """Replay a LOBSTER message file: ``iter(reader)`` yields ``TradeTick`` and ``QuoteTick``.

    ``trade_date`` and ``tz`` (default America/New_York, NASDAQ's clock) turn seconds after
    midnight into UTC epoch ns. Prices are converted exactly from USD x 10,000 to ticks of
    ``instrument`` (``OffGridError`` otherwise). Types 4 and 5 yield a ``TradeTick`` at the
    message price, aggressor opposite to the executed order's direction; type 6 (cross) yields a
    ``TradeTick`` with aggressor NONE; type 7 (halt) is counted only. ``max_rows`` stops early.
    After or during a pass: ``book`` (the ``L3Book``), ``rows``, ``unknown_refs`` (cancels and
    executions of orders not in the book), ``counts`` by type. Raises ``FeedError`` with file
    and line for malformed rows or a book inconsistency, ``OutOfOrderError`` for a message
    earlier than the one before. ``listener`` (optional, also settable
    as an attribute) is called as ``listener(type, order_id, side, price_ticks, size)`` for
    every message of types 1-5 before the book applies it (the queue-aware fill model reads
    executions and cancels through it).
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        trade_date: date,
        *,
        tz: str = "America/New_York",
        max_rows: int | None = None,
        symbol: str | None = None,
        listener: Callable[[int, int, BookSide, int, int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.trade_date = trade_date
        self.tz = tz
        self.max_rows = max_rows
        self.book = L3Book()
        self.rows = self.unknown_refs = 0
        self.counts: dict[int, int] = {}
        self.listener = listener

    def __iter__(self) -> Iterator[MarketEvent]:
        self.book = book = L3Book()
        self.rows = self.unknown_refs = 0
        counts = self.counts = dict.fromkeys(range(1, 8), 0)
        to_ticks = scaled_int_converter(_LOBSTER_PRICE_STEP, self.instrument)
        to_utc = local_midnight_clock(self.trade_date, self.tz)
        sym, limit = self.symbol, self.max_rows
        add, cancel, top_of_book = book.add, book.cancel, book.top
        hear = self.listener
        last_top: tuple = (None, None, None, None)
        n, prev = 0, -(1 << 63)
        with open_text(self.path) as f:
            try:
                for n, line in enumerate(f, 1):
                    if limit is not None and n > limit:
                        n -= 1
                        break
                    t, typ, oid, size_s, px, d = line.rstrip("\r\n").split(",")
                    ts = to_utc(parse_seconds_ns(t))
                    if ts < prev:
                        raise OutOfOrderError.of(ts, prev)
                    prev = ts
                    kind = int(typ)
                    if kind not in counts:
                        raise FeedError(f"unknown LOBSTER event type {typ!r}")
                    counts[kind] += 1
                    size = int(size_s)
                    if hear is not None and kind <= 5:
                        hear(kind, int(oid), _SIDE[d], to_ticks(int(px)), size)
                    if kind == 1:
                        add(int(oid), _SIDE[d], to_ticks(int(px)), size)
                    elif kind <= 4:
                        try:  # type 3 deletes whatever rests; 2 and 4 remove ``size``
                            cancel(int(oid), None if kind == 3 else size)
                        except UnknownOrderError:
                            self.unknown_refs += 1
                        if kind == 4:
                            yield _trade(sym, ts, to_ticks(int(px)), size, _AGGRESSOR[d])
                            # fall through to the top-of-book check
                    elif kind == 5:
                        yield _trade(sym, ts, to_ticks(int(px)), size, _AGGRESSOR[d])
                        continue
                    elif kind == 6:
                        yield _trade(sym, ts, to_ticks(int(px)), size, Aggressor.NONE)
                        continue
                    else:  # 7: trading halt, nothing to replay
                        continue
                    top = top_of_book()
                    if top != last_top:
                        last_top = top
                        yield _new(QuoteTick, (sym, ts, *top))
            except (ValueError, KeyError, IndexError) as exc:
                err = located(exc, self.path, n)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.rows = n


def _trade(sym: str, ts: int, price: int, size: int, aggressor: Aggressor) -> TradeTick:
    return _new(TradeTick, (sym, ts, price, size, None, aggressor))
