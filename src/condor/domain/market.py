"""Normalised market data: what every feed reader produces and the venue consumes.

Invariant: prices are int ticks and sizes int lots of the named instrument; ``ts_ns`` is integer
nanoseconds since the Unix epoch, UTC. A size of ``None`` means "not published" (the venue then
treats the displayed price as unlimited depth); ``0`` on an L2 level deletes it. These are
immutable NamedTuples (cheap to build, hashable, ``_asdict()`` for journals).
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Aggressor(str, Enum):
    BUYER = "buyer"
    SELLER = "seller"
    NONE = "none"


class QuoteTick(NamedTuple):
    """Top of book: best bid and ask (ticks) with sizes (lots or None)."""

    symbol: str
    ts_ns: int
    bid: int | None
    ask: int | None
    bid_size: int | None = None
    ask_size: int | None = None


class TradeTick(NamedTuple):
    """One print on the tape: price (ticks), size (lots), optional venue trade id."""

    symbol: str
    ts_ns: int
    price: int
    size: int
    trade_id: str | None = None
    aggressor: Aggressor = Aggressor.NONE


class BookSide(str, Enum):
    BID = "bid"
    ASK = "ask"


class L2Snapshot(NamedTuple):
    """Full depth: ``bids`` best-first descending, ``asks`` best-first ascending, (ticks, lots)."""

    symbol: str
    ts_ns: int
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]


class L2Delta(NamedTuple):
    """One level's new total size (lots) at ``price`` (ticks); size 0 removes the level."""

    symbol: str
    ts_ns: int
    side: BookSide
    price: int
    size: int


MarketEvent = QuoteTick | TradeTick | L2Snapshot | L2Delta
"""Anything a feed can hand the venue."""
