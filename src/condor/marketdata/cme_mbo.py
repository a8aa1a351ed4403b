"""Databento CME market-by-order CSV replayed through an L3 book into trades and quotes.

Invariant: records are applied in file order to one ``L3Book``; the book is *published* (its top
compared with the last ``QuoteTick`` emitted, and a new one emitted if it differs) only right
after a record carrying the LAST flag (128), never in the middle of an event packet. Fills (F)
do not change the book: Databento's MBO normalisation follows every fill with the cancel or
modify that updates the resting order ("Trade and Fill actions do not affect the book",
Databento docs, order tracking example). Trades (T) are emitted as ``TradeTick`` when read.
Format: README section 6 (snapshot rows first, flags 40 = SNAPSHOT | BAD_TS_RECV).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from condor.domain.instruments import Instrument
from condor.domain.market import Aggressor, BookSide, MarketEvent, QuoteTick, TradeTick
from condor.marketdata.csv_feed import header_index, open_text
from condor.marketdata.errors import FeedError, UnknownOrderError, located
from condor.marketdata.l3book import L3Book
from condor.marketdata.units import lot_parser, tick_parser

_new = tuple.__new__
F_LAST, F_TOB, F_SNAPSHOT, F_BAD_TS_RECV = 128, 64, 32, 8
_SIDE = {"B": BookSide.BID, "A": BookSide.ASK}
_AGGRESSOR = {"B": Aggressor.BUYER, "A": Aggressor.SELLER, "N": Aggressor.NONE}
_COLUMNS = {
    "ts_recv": "ts_recv_ns",
    "ts_event": "ts_event_ns",
    "action": "action",
    "side": "side",
    "price": "price",
    "size": "size",
    "order_id": "order_id",
    "flags": "flags",
}


class CmeMboReader:
    """Replay ``esh4-cme-globex-mbo-l3-*.csv``: ``iter(reader)`` yields ``TradeTick``/``QuoteTick``.

    Actions: A add, C cancel ``size`` lots (partial allowed), M modify to (price, size) (priority
    per ``L3Book.modify``), F fill (counted, book unchanged, see module doc), T trade ->
    ``TradeTick`` (aggressor from ``side``: B buyer, A seller, N none; ``trade_id`` None),
    R clear. Snapshot rows (flags & 32) are ordinary adds into an empty book; as they carry no
    LAST flag, the first quote is published after the first live LAST record. ``ts`` picks
    ``ts_ns``: ``"recv"`` (Databento capture time, the file's sort key; default) or ``"event"``
    (matching-engine time, which for snapshot rows is the book time). A C/M naming an unknown
    order is counted in ``unknown_refs`` (an M is then treated as an add, as Databento's book
    example does). ``max_rows`` stops early. After or during a pass: ``book``, ``rows``,
    ``snapshot_rows``, ``counts`` by action, ``published`` (LAST records seen). Raises
    ``FeedError`` / ``OffGridError`` with file and line.
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        ts: Literal["recv", "event"] = "recv",
        max_rows: int | None = None,
        symbol: str | None = None,
    ) -> None:
        if ts not in ("recv", "event"):
            raise ValueError(f"ts must be 'recv' or 'event', got {ts!r}")
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.ts = ts
        self.max_rows = max_rows
        self.book = L3Book()
        self.rows = self.snapshot_rows = self.unknown_refs = self.published = 0
        self.counts: dict[str, int] = {}

    def __iter__(self) -> Iterator[MarketEvent]:
        self.book = book = L3Book()
        self.rows = self.snapshot_rows = self.unknown_refs = self.published = 0
        counts = self.counts = dict.fromkeys("ACMFTRN", 0)
        tick, lot = tick_parser(self.instrument), lot_parser(self.instrument)
        sym, limit = self.symbol, self.max_rows
        last_top: tuple = (None, None, None, None)
        n = 0
        with open_text(self.path) as f:
            idx = header_index(f.readline(), _COLUMNS, self.path)
            ti = idx["ts_recv"] if self.ts == "recv" else idx["ts_event"]
            ai, si, pi, zi = idx["action"], idx["side"], idx["price"], idx["size"]
            oi, fi = idx["order_id"], idx["flags"]
            try:
                for n, line in enumerate(f, 1):
                    if limit is not None and n > limit:
                        n -= 1
                        break
                    c = line.rstrip("\r\n").split(",")
                    action, flags = c[ai], int(c[fi])
                    if action not in counts:
                        raise FeedError(f"unknown action {action!r}")
                    counts[action] += 1
                    if action == "A":
                        if flags & F_SNAPSHOT:
                            self.snapshot_rows += 1
                        book.add(int(c[oi]), _SIDE[c[si]], tick(c[pi]), lot(c[zi]))
                    elif action == "C":
                        try:
                            book.cancel(int(c[oi]), lot(c[zi]))
                        except UnknownOrderError:
                            self.unknown_refs += 1
                    elif action == "M":
                        oid, price, size = int(c[oi]), tick(c[pi]), lot(c[zi])
                        if oid in book:
                            book.modify(oid, price, size)
                        else:
                            self.unknown_refs += 1
                            book.add(oid, _SIDE[c[si]], price, size)
                    elif action == "T":
                        yield _new(
                            TradeTick,
                            (sym, int(c[ti]), tick(c[pi]), lot(c[zi]), None, _AGGRESSOR[c[si]]),
                        )
                    elif action == "R":
                        book.clear()
                    if flags & F_LAST:
                        self.published += 1
                        top = book.top()
                        if top != last_top:
                            last_top = top
                            yield _new(QuoteTick, (sym, int(c[ti]), *top))
            except (ValueError, KeyError, IndexError) as exc:
                err = located(exc, self.path, n + 1)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.rows = n
