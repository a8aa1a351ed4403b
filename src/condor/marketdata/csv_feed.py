"""Generic streaming CSV readers: one data row in, one ``TradeTick`` or ``QuoteTick`` out.

Invariant: a reader holds one line of its file at a time (constant memory), emits events in file
order, and converts every price and size exactly (``condor.marketdata.units``): a value off the
instrument's grid raises ``OffGridError`` naming file and line; nothing is rounded and no float
is used. Timestamps never decrease (equal ones are kept in file order); a row earlier than the
one before raises ``OutOfOrderError`` naming file and line. Files follow the conventions of
``/work/shared/data/README.md`` ("Conventions in the CSVs written here"): a header row, commas,
no quoting, ``*_ns`` columns in UTC epoch ns. Columns are picked by header name, so any file
with those conventions can be read.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from condor.domain.instruments import Instrument
from condor.domain.market import Aggressor, QuoteTick, TradeTick
from condor.marketdata.errors import FeedError, OutOfOrderError, located
from condor.marketdata.units import lot_parser, tick_parser

_new = tuple.__new__
_NO_AGGRESSOR = Aggressor.NONE


def open_text(path: str | Path) -> IO[str]:
    """Open ``path`` for streaming text reads; ``*.gz`` is decompressed on the fly."""
    p = Path(path)
    if p.suffix == ".gz":
        return gzip.open(p, "rt", encoding="utf-8", newline="")
    return p.open("r", encoding="utf-8", newline="")


def header_index(header: str, wanted: dict[str, str | None], path: object) -> dict[str, int]:
    """Map option name -> column index for each named column of ``wanted`` (None = not used).

    Raises ``FeedError`` (line 1) naming the missing column and the columns present, or saying
    the file is empty (``header`` is ``""``: not even a header line).
    """
    if not header:
        raise FeedError("empty file: no header row", path, 1)
    names = header.rstrip("\r\n").split(",")
    out: dict[str, int] = {}
    for option, column in wanted.items():
        if column is None:
            continue
        try:
            out[option] = names.index(column)
        except ValueError:
            raise FeedError(
                f"no column {column!r} ({option}); header has {names}", path, 1
            ) from None
    return out


class CsvTradeReader:
    """Trades from a CSV with a header: ``iter(reader)`` yields ``TradeTick``.

    Options (column names): ``ts_col`` (UTC epoch; multiplied by ``ts_scale`` to get ns, default
    1 for a ``*_ns`` column), ``price_col`` (decimal -> ticks), ``size_col`` (decimal -> lots),
    ``trade_id_col`` (copied as ``trade_id``) or ``row_ids=True`` (``trade_id`` = 1-based data row
    number as text), ``skip_col`` (rows whose value there is not ``"0"`` are skipped and counted
    in ``skipped``, e.g. AlgoSeek's ``suspicious``), ``symbol`` (default ``instrument.symbol``).
    After a pass ``rows`` holds the number of data rows read. Aggressor is ``NONE``: the tape
    does not say who initiated. Raises ``FeedError`` / ``OffGridError`` with file and line.
    Example: ``ibm-us-equity-trades-20131007.csv`` (README section 1).
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        ts_col: str = "ts_ns",
        price_col: str = "price",
        size_col: str = "size",
        trade_id_col: str | None = None,
        row_ids: bool = False,
        skip_col: str | None = None,
        ts_scale: int = 1,
        symbol: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.columns = {
            "ts": ts_col,
            "price": price_col,
            "size": size_col,
            "trade_id": trade_id_col,
            "skip": skip_col,
        }
        self.row_ids = row_ids
        self.ts_scale = ts_scale
        self.rows = 0
        self.skipped = 0

    def __iter__(self) -> Iterator[TradeTick]:
        self.rows = self.skipped = 0
        price = tick_parser(self.instrument)
        size = lot_parser(self.instrument)
        sym, scale, row_ids, cls = self.symbol, self.ts_scale, self.row_ids, TradeTick
        with open_text(self.path) as f:
            idx = header_index(f.readline(), self.columns, self.path)
            ti, pi, si = idx["ts"], idx["price"], idx["size"]
            ii, ki = idx.get("trade_id"), idx.get("skip")
            n, prev = 0, -(1 << 63)
            try:
                for n, line in enumerate(f, 1):
                    c = line.rstrip("\r\n").split(",")
                    if ki is not None and c[ki] != "0":
                        self.skipped += 1
                        continue
                    tid = c[ii] if ii is not None else (str(n) if row_ids else None)
                    ts = int(c[ti]) * scale if scale != 1 else int(c[ti])
                    if ts < prev:
                        raise OutOfOrderError.of(ts, prev)
                    prev = ts
                    yield _new(cls, (sym, ts, price(c[pi]), size(c[si]), tid, _NO_AGGRESSOR))
            except (ValueError, IndexError) as exc:
                err = located(exc, self.path, n + 1)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.rows = n


class CsvQuoteReader:
    """Two-sided quotes from a CSV with a header: ``iter(reader)`` yields ``QuoteTick``.

    Options (column names): ``ts_col`` (x ``ts_scale`` -> UTC ns), ``bid_col`` / ``ask_col``
    (decimal -> ticks; an empty cell means that side is absent -> ``None``), ``bid_size_col`` /
    ``ask_size_col`` (decimal -> lots; when not given the sizes are ``None``, "not published",
    as for Dukascopy FX in README section 3), ``symbol``. ``rows`` counts data rows after a
    pass. Raises ``FeedError`` / ``OffGridError`` with file and line.
    Example: ``usdjpy-dukascopy-quotes-20190101.csv``.
    """

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        ts_col: str = "ts_ns",
        bid_col: str = "bid",
        ask_col: str = "ask",
        bid_size_col: str | None = None,
        ask_size_col: str | None = None,
        ts_scale: int = 1,
        symbol: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.instrument = instrument
        self.symbol = symbol or instrument.symbol
        self.columns = {
            "ts": ts_col,
            "bid": bid_col,
            "ask": ask_col,
            "bid_size": bid_size_col,
            "ask_size": ask_size_col,
        }
        self.ts_scale = ts_scale
        self.rows = 0

    def __iter__(self) -> Iterator[QuoteTick]:
        self.rows = 0
        tick = tick_parser(self.instrument)
        lot = lot_parser(self.instrument)

        def price(text: str) -> int | None:
            return tick(text) if text else None

        def size(text: str) -> int | None:
            return lot(text) if text else None

        sym, scale, cls = self.symbol, self.ts_scale, QuoteTick
        with open_text(self.path) as f:
            idx = header_index(f.readline(), self.columns, self.path)
            ti, bi, ai = idx["ts"], idx["bid"], idx["ask"]
            bsi, asi = idx.get("bid_size"), idx.get("ask_size")
            n, prev = 0, -(1 << 63)
            try:
                if bsi is None and asi is None:
                    for n, line in enumerate(f, 1):  # noqa: B007
                        c = line.rstrip("\r\n").split(",")
                        ts = int(c[ti]) * scale if scale != 1 else int(c[ti])
                        if ts < prev:
                            raise OutOfOrderError.of(ts, prev)
                        prev = ts
                        b, a = c[bi], c[ai]
                        yield _new(
                            cls,
                            (
                                sym,
                                ts,
                                tick(b) if b else None,
                                tick(a) if a else None,
                                None,
                                None,
                            ),
                        )
                else:
                    for n, line in enumerate(f, 1):  # noqa: B007
                        c = line.rstrip("\r\n").split(",")
                        ts = int(c[ti]) * scale
                        if ts < prev:
                            raise OutOfOrderError.of(ts, prev)
                        prev = ts
                        bs = size(c[bsi]) if bsi is not None else None
                        az = size(c[asi]) if asi is not None else None
                        yield _new(cls, (sym, ts, price(c[bi]), price(c[ai]), bs, az))
            except (ValueError, IndexError) as exc:
                err = located(exc, self.path, n + 1)
                if err is exc:
                    raise
                raise err from exc
            finally:
                self.rows = n
