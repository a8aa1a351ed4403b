"""National best bid and offer folded from per-venue, single-sided quote rows.

Invariant: after each row the reader holds the latest (price ticks, size lots) per venue and
side; the NBBO is best bid = max over venues, best ask = min over venues, and each size is the
sum over venues quoting at that best price. A ``QuoteTick`` is emitted exactly when that tuple
(bid, ask, bid_size, ask_size) differs from the last one emitted, so the last tick with
``ts_ns <= T`` is the NBBO after every row up to T. Memory is constant (one line, a few venues).
Source of the rule: README section 2 ("keep the latest bid and ask per exchange and take the
best across venues"). The NBBO may be locked or crossed when venues disagree (pre-market).
Rows must be in time order (ties kept in file order): a row earlier than the one before raises
``OutOfOrderError`` naming file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from condor.domain.instruments import Instrument
from condor.domain.market import QuoteTick
from condor.marketdata.csv_feed import header_index, open_text
from condor.marketdata.errors import FeedError, OutOfOrderError, located
from condor.marketdata.units import lot_parser, tick_parser

_new = tuple.__new__


class NbboReader:
    """NBBO ``QuoteTick`` stream from a per-venue quote CSV (``ibm-us-equity-quotes-*.csv``).

    Each row is one side of one venue's quote: columns ``ts_col`` (UTC ns), ``venue_col``,
    ``side_col`` (``bid_value`` / ``ask_value``, default ``B`` / ``A``), ``price_col`` (decimal
    -> ticks), ``size_col`` (-> lots). Rows flagged in ``suspicious_col`` (value ``"1"``; pass
    None to keep them) are skipped and counted in ``skipped_suspicious``: AlgoSeek marks prints it
    distrusts (README section 2: only the last row, an ask of 186.00 at 20:00:00.122, is flagged).
    A venue row with price 0 or size 0 withdraws that venue's side (counted in ``withdrawals``;
    the IBM file has none). A side with no venue is ``None``. Counters are reset on each pass:
    ``rows`` (data rows), ``emitted``. Raises ``FeedError`` / ``OffGridError`` with file and line.
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        ts_col: str = "ts_ns",
        venue_col: str = "exchange",
        side_col: str = "side",
        price_col: str = "price",
        size_col: str = "size",
        suspicious_col: str | None = "suspicious",
        bid_value: str = "B",
        ask_value: str = "A",
        symbol: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.columns = {
            "ts": ts_col,
            "venue": venue_col,
            "side": side_col,
            "price": price_col,
            "size": size_col,
            "suspicious": suspicious_col,
        }
        self.bid_value, self.ask_value = bid_value, ask_value
        self.rows = self.emitted = self.skipped_suspicious = self.withdrawals = 0
        self.bids: dict[str, tuple[int, int]] = {}
        self.asks: dict[str, tuple[int, int]] = {}

    def __iter__(self) -> Iterator[QuoteTick]:
        self.rows = self.emitted = self.skipped_suspicious = self.withdrawals = 0
        self.bids, self.asks = bids, asks = {}, {}
        tick, lot = tick_parser(self.instrument), lot_parser(self.instrument)
        sym, cls, bid_value, ask_value = self.symbol, QuoteTick, self.bid_value, self.ask_value
        last: tuple = (None, None, None, None)
        bb = ba = bbs = bas = None  # current best bid, ask and their summed sizes
        with open_text(self.path) as f:
            idx = header_index(f.readline(), self.columns, self.path)
            ti, vi, di, pi, si = idx["ts"], idx["venue"], idx["side"], idx["price"], idx["size"]
            qi = idx.get("suspicious")
            n, prev = 0, -(1 << 63)
            try:
                for n, line in enumerate(f, 1):  # noqa: B007 - n is the row count after the loop
                    c = line.rstrip("\r\n").split(",")
                    ts = int(c[ti])
                    if ts < prev:
                        raise OutOfOrderError.of(ts, prev)
                    prev = ts
                    if qi is not None and c[qi] == "1":
                        self.skipped_suspicious += 1
                        continue
                    side, venue = c[di], c[vi]
                    if side == bid_value:
                        book, is_bid = bids, True
                    elif side == ask_value:
                        book, is_bid = asks, False
                    else:
                        raise FeedError(f"side {side!r} is neither {bid_value!r} nor {ask_value!r}")
                    px, sz = tick(c[pi]), lot(c[si])
                    if px == 0 or sz == 0:
                        old = book.pop(venue, None)
                        if old is None:
                            continue  # withdrawing an absent quote changes nothing
                        self.withdrawals += 1
                        new = None
                    else:
                        old = book.get(venue)
                        book[venue] = new = (px, sz)
                    if is_bid:
                        bb, bbs = _update(bids, old, new, bb, bbs, True)
                    else:
                        ba, bas = _update(asks, old, new, ba, bas, False)
                    if bb != last[0] or ba != last[1] or bbs != last[2] or bas != last[3]:
                        last = (bb, ba, bbs, bas)
                        self.emitted += 1
                        yield _new(cls, (sym, ts, bb, ba, bbs, bas))
            except (ValueError, IndexError) as exc:
                err = located(exc, self.path, n + 1)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.rows = n


def _update(
    book: dict[str, tuple[int, int]],
    old: tuple[int, int] | None,
    new: tuple[int, int] | None,
    best: int | None,
    total: int | None,
    highest: bool,
) -> tuple[int | None, int | None]:
    """New (best, summed size) of a side after one venue went from ``old`` to ``new``.

    Incremental: a full scan (``_best``) only when the venue leaves the best price and no
    other venue remains there.
    """
    if best is not None and old is not None and old[0] == best:
        total -= old[1]  # type: ignore[operator]
        if not total:
            return _best(book, highest)
    if new is not None:
        px = new[0]
        if best is None or (px > best if highest else px < best):
            return px, new[1]
        if px == best:
            return best, total + new[1]  # type: ignore[operator]
    return best, total


def _best(book: dict[str, tuple[int, int]], highest: bool) -> tuple[int | None, int | None]:
    """(best price, summed size at it) over venues; (None, None) for an empty side."""
    best = None
    total = 0
    for px, sz in book.values():
        if best is None or (px > best if highest else px < best):
            best, total = px, sz
        elif px == best:
            total += sz
    return best, (total if best is not None else None)
