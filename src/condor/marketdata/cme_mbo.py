"""Databento CME market-by-order CSV replayed through an L3 book into trades and quotes.

Invariant: records are applied in file order to one ``L3Book``; the book is *published* (its top
compared with the last ``QuoteTick`` emitted, and a new one emitted if it differs) only right
after a record carrying the LAST flag (128), never in the middle of an event packet. Fills (F)
do not change the book: Databento's MBO normalisation follows every fill with the cancel or
modify that updates the resting order ("Trade and Fill actions do not affect the book",
Databento docs, order tracking example). Trades (T) are emitted as ``TradeTick`` when read.
Format: README section 6 (snapshot rows first, flags 40 = SNAPSHOT | BAD_TS_RECV).

The optional ``listener`` hears the book's changes in LOBSTER's vocabulary (1 add, 2 partial
cancel, 3 delete or loss of priority, 4 execution of a resting order), each before the book
applies the record. An F is reported as the execution; the C or M that follows it and only
removes the filled lots is not reported again (``_debt`` holds the lots filled but not yet
removed from the book, per order), so every lot leaves a queue exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from condor.domain.instruments import Instrument
from condor.domain.market import Aggressor, BookSide, MarketEvent, QuoteTick, TradeTick
from condor.marketdata.csv_feed import header_index, open_text
from condor.marketdata.errors import FeedError, OutOfOrderError, UnknownOrderError, located
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
    ``FeedError`` / ``OffGridError`` with file and line, ``OutOfOrderError`` for a ``ts_recv``
    before the previous row's (with ``ts="recv"``; event times may step back between packets).
    ``listener`` (optional, also settable as an attribute) is called as ``listener(kind, order_id, side, price_ticks, lots)`` before
    the book applies a record (see the module doc): A -> 1; C -> 2 (3 when nothing is left) for
    the lots not already reported by an F; M -> 2 for a size decrease at the same price beyond
    the filled lots, 3 then 1 for a price change or a size increase (the order loses its place);
    F -> 4 with the resting order's side and a sixth argument, the record's ``ts_ns`` (an F
    emits no market event of its own; an F of an order not in the book with side N is not
    reported); R -> 3 for every resting order. The queue-aware fill model reads it.
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        ts: Literal["recv", "event"] = "recv",
        max_rows: int | None = None,
        symbol: str | None = None,
        listener: Callable[[int, int, BookSide, int, int], None] | None = None,
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
        self.listener = listener

    def __iter__(self) -> Iterator[MarketEvent]:
        self.book = book = L3Book()
        self.rows = self.snapshot_rows = self.unknown_refs = self.published = 0
        counts = self.counts = dict.fromkeys("ACMFTRN", 0)
        tick, lot = tick_parser(self.instrument), lot_parser(self.instrument)
        sym, limit = self.symbol, self.max_rows
        last_top: tuple = (None, None, None, None)
        hear = self.listener
        debt: dict[int, int] = {}  # order id -> lots filled (F) not yet removed by its C/M
        n = 0
        with open_text(self.path) as f:
            idx = header_index(f.readline(), _COLUMNS, self.path)
            ti = idx["ts_recv"] if self.ts == "recv" else idx["ts_event"]
            ai, si, pi, zi = idx["action"], idx["side"], idx["price"], idx["size"]
            oi, fi = idx["order_id"], idx["flags"]
            # the file's sort key is ts_recv; ts_event may step back between packets
            ri, check_order, prev = idx["ts_recv"], self.ts == "recv", -(1 << 63)
            try:
                for n, line in enumerate(f, 1):
                    if limit is not None and n > limit:
                        n -= 1
                        break
                    c = line.rstrip("\r\n").split(",")
                    action, flags = c[ai], int(c[fi])
                    if check_order:
                        recv = int(c[ri])
                        if recv < prev:
                            raise OutOfOrderError.of(recv, prev)
                        prev = recv
                    if action not in counts:
                        raise FeedError(f"unknown action {action!r}")
                    counts[action] += 1
                    if hear is not None:
                        _tell(hear, book, debt, action, c, (oi, si, pi, zi, ti), tick, lot)
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


def _tell(hear, book: L3Book, debt: dict[int, int], action: str, c: list[str], cols: tuple, tick, lot) -> None:  # fmt: skip
    """Report one record to ``hear`` before the book applies it (module doc); ``cols`` are the
    column indexes of order id, side, price, size and the chosen time."""
    oi, si, pi, zi, ti = cols
    if action == "T" or action == "N":
        return
    if action == "R":
        for oid in book.order_ids():
            side, price, _ = book.order(oid)
            hear(3, oid, side, price, 0)
        debt.clear()
        return
    oid, price, size = int(c[oi]), tick(c[pi]), lot(c[zi])
    if action == "A":
        hear(1, oid, _SIDE[c[si]], price, size)
        return
    rest = book.order(oid)
    if action == "F":
        side = rest[0] if rest is not None else _SIDE.get(c[si])
        if side is not None:
            debt[oid] = debt.get(oid, 0) + size
            hear(4, oid, side, price, size, int(c[ti]))
        return
    if rest is None:
        debt.pop(oid, None)
        if action == "M":
            hear(1, oid, _SIDE[c[si]], price, size)  # treated as an add (class doc)
        return
    side, old_price, old_size = rest
    owed = debt.pop(oid, 0)
    if action == "C":
        left = old_size - size
        gone = size - min(size, owed)
        if gone:
            hear(3 if left <= 0 else 2, oid, side, old_price, gone)
    elif price == old_price and size <= old_size:
        gone = old_size - size - min(old_size - size, owed)
        if gone:
            hear(2, oid, side, old_price, gone)
    else:
        hear(3, oid, side, old_price, old_size)
        hear(1, oid, side, price, size)
