"""Binance spot websocket capture (``<recv_ns> <json>`` lines, gzip) -> quotes, trades, L2 book.

Invariant: events come out in file order stamped with the recorder's local receive time
(``ts_ns`` = the line's ``recv_ns``; README section 4 "Clock note": Binance's ``E`` runs on
another clock 1.25-1.28 s ahead, so the two are never mixed); a line received before the one
above it raises ``OutOfOrderError``. The L2 book is published only once
synced by Binance's documented procedure (README section 4; Binance "How to manage a local
order book correctly"): depth updates are kept in a bounded ring; on the REST snapshot the book
is reset to it, buffered updates with ``u <= lastUpdateId`` are dropped, the first one applied
must satisfy ``U <= lastUpdateId + 1 <= u``, and every later one ``U == previous u + 1``, else
``GapError``. Then one ``L2Snapshot`` is emitted (snapshot + buffered updates), and after it one
``L2Delta`` per level whose size actually changed (deletes of absent levels and unchanged sizes
emit nothing). Memory is bounded by the book and the ring, not by the file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from condor.domain.instruments import Instrument
from condor.domain.market import (
    Aggressor,
    BookSide,
    L2Delta,
    L2Snapshot,
    MarketEvent,
    QuoteTick,
    TradeTick,
)
from condor.marketdata.csv_feed import open_text
from condor.marketdata.errors import FeedError, GapError, OffGridError, OutOfOrderError, located
from condor.marketdata.l2book import L2Book
from condor.marketdata.units import floor_parser, lot_parser, tick_parser

try:  # orjson is a project dependency; the stdlib parser keeps the reader usable without it
    from orjson import loads
except ImportError:  # pragma: no cover
    from json import loads

_new = tuple.__new__
BID, ASK = BookSide.BID, BookSide.ASK


class BinanceReader:
    """Replay a Binance spot capture: ``iter(reader)`` yields every ``MarketEvent`` kind.

    - ``@bookTicker`` -> ``QuoteTick`` (prices in ticks, quantities in lots) if ``quotes``.
    - ``@trade`` -> ``TradeTick`` (``trade_id`` = Binance ``t`` as text; aggressor SELLER when
      ``m`` is true, i.e. the buyer was the maker, else BUYER) if ``trades``.
    - ``@depth`` + the snapshot line -> ``L2Snapshot`` then ``L2Delta`` (module doc) if ``depth``.
      A later snapshot line re-syncs the book the same way from the ring and emits a new
      ``L2Snapshot``.

    ``off_lot``: a quantity finer than the instrument's lot raises ``OffGridError`` (``"raise"``,
    default) or is rounded down to the lot grid and counted in ``floored`` (``"floor"``; a level
    below one lot then disappears). Prices are always exact. ``ring`` bounds the depth-update
    buffer (lines). ``max_lines`` stops early. During/after a pass: ``book`` (``L2Book``),
    ``synced``, ``last_update_id``, ``lines``, ``counts`` by stream, ``dropped`` (buffered
    updates older than the snapshot), ``floored``. Raises ``FeedError`` (malformed line),
    ``GapError`` (sequence break), ``OffGridError``, ``OutOfOrderError`` (a receive time before
    the previous line's), all with file and line; ``FeedError`` at the first stream line when
    its market (``btcusdt@...``) is not ``instrument.symbol`` (case-insensitive), so a capture
    is never replayed as another instrument.
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        quotes: bool = True,
        trades: bool = True,
        depth: bool = True,
        off_lot: Literal["raise", "floor"] = "raise",
        ring: int = 1000,
        max_lines: int | None = None,
        symbol: str | None = None,
    ) -> None:
        if off_lot not in ("raise", "floor"):
            raise ValueError(f"off_lot must be 'raise' or 'floor', got {off_lot!r}")
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.want_quotes, self.want_trades, self.want_depth = quotes, trades, depth
        self.off_lot = off_lot
        self.ring_size = ring
        self.max_lines = max_lines
        self._reset()

    def _reset(self) -> None:
        self.book = L2Book()
        self.synced = False
        self.last_update_id: int | None = None
        self._first_pending = False
        self._ring: deque = deque(maxlen=self.ring_size)
        self.lines = self.dropped = self.floored = 0
        self.counts = {"bookTicker": 0, "trade": 0, "depth": 0, "snapshot": 0}
        self._tick = tick_parser(self.instrument)
        exact = lot_parser(self.instrument, cache=True)
        floor = floor_parser(self.instrument.lot_size)
        if self.off_lot == "raise":
            self._lots = exact
        else:

            def lots(text: str) -> int:
                try:
                    return exact(text)
                except OffGridError:
                    self.floored += 1
                    return floor(text)

            self._lots = lots

    def __iter__(self) -> Iterator[MarketEvent]:
        self._reset()
        sym, tick, lots, counts, limit = (
            self.symbol,
            self._tick,
            self._lots,
            self.counts,
            self.max_lines,
        )
        want_q, want_t, want_d = self.want_quotes, self.want_trades, self.want_depth
        seller, buyer = Aggressor.SELLER, Aggressor.BUYER
        n, prev = 0, -(1 << 63)
        want_symbol, checked = self.instrument.symbol.upper(), None
        with open_text(self.path) as f:
            try:
                for n, line in enumerate(f, 1):
                    if limit is not None and n > limit:
                        n -= 1
                        break
                    sp = line.find(" ")
                    recv = int(line[:sp])
                    if recv < prev:
                        raise OutOfOrderError.of(recv, prev)
                    prev = recv
                    msg = loads(line[sp + 1 :])
                    stream = msg.get("stream")
                    if stream is None:
                        counts["snapshot"] += 1
                        if want_d:
                            yield self._on_snapshot(msg, recv, n)
                        continue
                    if checked is None:  # the stream names the market: "btcusdt@trade"
                        checked = stream.partition("@")[0]
                        if checked.upper() != want_symbol:
                            raise FeedError(
                                f"the capture is of {checked.upper()}, not of the instrument "
                                f"{want_symbol}"
                            )
                    d = msg["data"]
                    if stream.endswith("@bookTicker"):
                        counts["bookTicker"] += 1
                        if want_q:
                            yield _new(
                                QuoteTick,
                                (sym, recv, tick(d["b"]), tick(d["a"]), lots(d["B"]), lots(d["A"])),
                            )
                    elif stream.endswith("@trade"):
                        counts["trade"] += 1
                        if want_t:
                            yield _new(
                                TradeTick,
                                (
                                    sym,
                                    recv,
                                    tick(d["p"]),
                                    lots(d["q"]),
                                    str(d["t"]),
                                    seller if d["m"] else buyer,
                                ),
                            )
                    elif "@depth" in stream:
                        counts["depth"] += 1
                        if not want_d:
                            continue
                        self._ring.append((n, d))
                        if self.synced:
                            for side, price, size in self._apply(d, n):
                                yield _new(L2Delta, (sym, recv, side, price, size))
                    else:
                        raise FeedError(f"unknown stream {stream!r}")
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                err = located(exc, self.path, n)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.lines = n

    def _on_snapshot(self, msg: dict, recv: int, n: int) -> L2Snapshot:
        """Reset the book to a REST snapshot, replay the ring, return the ``L2Snapshot``."""
        book, tick, lots = self.book, self._tick, self._lots
        book.clear()
        for px, qty in msg["bids"]:
            book.set(BID, tick(px), lots(qty))
        for px, qty in msg["asks"]:
            book.set(ASK, tick(px), lots(qty))
        self.last_update_id = int(msg["lastUpdateId"])
        self._first_pending = True
        self.synced = True
        for line_no, d in self._ring:
            self._apply(d, line_no)
        return _new(L2Snapshot, (self.symbol, recv, book.depth(BID), book.depth(ASK)))

    def _apply(self, d: dict, n: int) -> list[tuple[BookSide, int, int]]:
        """Check the sequence rule and apply one depthUpdate; return the levels that changed."""
        first, last = d["U"], d["u"]
        prev = self.last_update_id
        assert prev is not None
        if self._first_pending:
            if last <= prev:
                self.dropped += 1
                return []
            if not first <= prev + 1 <= last:
                raise GapError(
                    f"first depth update after snapshot lastUpdateId={prev} has U={first}, "
                    f"u={last}: need U <= {prev + 1} <= u (snapshot older than the "
                    f"{len(self._ring)} buffered updates?)",
                    self.path,
                    n,
                )
            self._first_pending = False
        elif first != prev + 1:
            raise GapError(
                f"depth update U={first} does not follow previous u={prev} (expected U={prev + 1})",
                self.path,
                n,
            )
        self.last_update_id = last
        tick, lots = self._tick, self._lots
        changed = []
        for side, levels, key in ((BID, self.book.bids, "b"), (ASK, self.book.asks, "a")):
            for px, qty in d[key]:
                price, size = tick(px), lots(qty)
                if size:
                    if levels.get(price) != size:
                        levels[price] = size
                        changed.append((side, price, size))
                elif levels.pop(price, None) is not None:
                    changed.append((side, price, 0))
        return changed
