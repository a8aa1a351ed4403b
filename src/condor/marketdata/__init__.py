"""Replay readers: recorded market data files -> normalised ``condor.domain.market`` events.

Invariant: every reader streams its file (one line in memory at a time, gzip decompressed on
the fly), emits events in file order, and converts prices to int ticks and sizes to int lots of
the given ``Instrument`` exactly, raising ``OffGridError`` rather than rounding; timestamps are
UTC epoch ns. Readers are re-iterable classes whose counters (``rows``, ``unknown_refs``...)
describe the last pass; book-building readers expose their ``book``.

Readers (formats in ``/work/shared/data/README.md``):

- ``csv_feed.CsvTradeReader`` / ``CsvQuoteReader``: generic header CSVs (IBM trades, USD/JPY).
- ``nbbo.NbboReader``: per-venue single-sided quotes folded into the NBBO (IBM quotes).
- ``binance.BinanceReader``: Binance spot websocket capture: quotes, trades, synced L2.
- ``lobster.LobsterReader``: LOBSTER L3 messages through ``l3book.L3Book``.
- ``cme_mbo.CmeMboReader``: Databento CME MBO CSV through ``l3book.L3Book``.

``open_feed(path, instrument, **options)`` picks one by file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from condor.domain.instruments import Instrument
from condor.domain.market import MarketEvent
from condor.marketdata.errors import FeedError

_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def open_feed(path: str | Path, instrument: Instrument, **options: object) -> Iterable[MarketEvent]:
    """Return the reader for ``path`` (an iterable of ``MarketEvent``), chosen by file name.

    Rules, first match wins (case-insensitive, on the file name):

    - ``*binance*.jsonl[.gz]`` -> ``BinanceReader``
    - ``*lobster*`` or ``*_message_*`` -> ``LobsterReader``; ``trade_date`` defaults to the
      first ``YYYYMMDD`` / ``YYYY-MM-DD`` in the name
    - ``*mbo*.csv[.gz]`` -> ``CmeMboReader``
    - ``*quotes*.csv[.gz]`` -> ``NbboReader`` when the header has ``exchange`` and ``side``
      columns (one venue side per row), else ``CsvQuoteReader``
    - ``*trades*.csv[.gz]`` -> ``CsvTradeReader``

    ``options`` are passed to the reader's constructor. Raises ``FeedError`` when no rule
    matches or a LOBSTER trade date cannot be found.
    """
    from condor.marketdata.binance import BinanceReader
    from condor.marketdata.cme_mbo import CmeMboReader
    from condor.marketdata.csv_feed import CsvQuoteReader, CsvTradeReader, open_text
    from condor.marketdata.lobster import LobsterReader
    from condor.marketdata.nbbo import NbboReader

    p = Path(path)
    name = p.name.lower()
    opts: dict = dict(options)
    is_csv = name.endswith((".csv", ".csv.gz"))
    if "binance" in name and ".jsonl" in name:
        return BinanceReader(p, instrument, **opts)
    if "lobster" in name or "_message_" in name:
        if "trade_date" not in opts:
            m = _DATE.search(name)
            if m is None:
                raise FeedError(f"no trade date in {p.name!r}; pass trade_date=")
            opts["trade_date"] = date(int(m[1]), int(m[2]), int(m[3]))
        return LobsterReader(p, instrument, **opts)
    if "mbo" in name and is_csv:
        return CmeMboReader(p, instrument, **opts)
    if "quote" in name and is_csv:
        with open_text(p) as f:
            header = f.readline().rstrip("\r\n").split(",")
        if {"exchange", "side"} <= set(header):
            return NbboReader(p, instrument, **opts)
        return CsvQuoteReader(p, instrument, **opts)
    if "trade" in name and is_csv:
        return CsvTradeReader(p, instrument, **opts)
    raise FeedError(f"no reader for {p.name!r}")


__all__ = ["open_feed"]
