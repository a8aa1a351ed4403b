"""The external market of one instrument, as the feed last showed it.

Invariant: ``bid``/``ask``/``last`` are ticks or None (never 0 for "no price"); ``*_avail`` is the
liquidity (lots) still available at that price within the current market-data event, or None
for unlimited (the feed published no size). Each new quote resets the quote liquidity, each new
trade the trade liquidity; fills against the feed consume it, so two client orders never both
take the same displayed size (spec section 4).
"""

from __future__ import annotations

from enum import Enum


class FillModel(str, Enum):
    """When a resting client limit fills from the external market (spec section 4).

    TOUCH: a quote at or through the limit, or a trade at or through it.
    THROUGH: a quote at or through the limit, or a trade strictly through it (a print at the
    limit price is assumed to have gone to orders queued ahead).
    QUEUE: a quote at or through the limit; trade prints fill nothing by themselves: an L3
    replay tracks the order's place in the venue's queue (``condor.domain.book.queue``) and
    sends ``QueueFill`` events once the volume ahead of it has traded.
    """

    TOUCH = "touch"
    THROUGH = "through"
    QUEUE = "queue"


class ExternalMarket:
    """Latest quote and trade of the feed, with per-event remaining liquidity."""

    __slots__ = (
        "ask",
        "ask_avail",
        "ask_size",
        "bid",
        "bid_avail",
        "bid_size",
        "last",
        "last_avail",
        "last_size",
        "ts_ns",
    )

    def __init__(self) -> None:
        self.bid: int | None = None
        self.ask: int | None = None
        self.bid_size: int | None = None
        self.ask_size: int | None = None
        self.bid_avail: int | None = None
        self.ask_avail: int | None = None
        self.last: int | None = None
        self.last_size: int | None = None
        self.last_avail: int | None = 0
        self.ts_ns = 0

    def set_quote(self, bid, ask, bid_size, ask_size, ts_ns: int) -> None:
        self.bid = bid
        self.ask = ask
        self.bid_size = bid_size
        self.ask_size = ask_size
        self.bid_avail = bid_size
        self.ask_avail = ask_size
        self.ts_ns = ts_ns

    def set_trade(self, price: int, size: int, ts_ns: int) -> None:
        self.last = price
        self.last_size = size
        self.last_avail = size
        self.ts_ns = ts_ns

    def mid2(self) -> int | None:
        """bid + ask (the doubled mid, exact in ticks), or None without a two-sided quote."""
        if self.bid is None or self.ask is None:
            return None
        return self.bid + self.ask


class Depth:
    """L2 depth of the feed: price (ticks) -> size (lots) per side, best level on demand."""

    __slots__ = ("asks", "bids")

    def __init__(self) -> None:
        from sortedcontainers import SortedDict

        self.bids = SortedDict()
        self.asks = SortedDict()

    def load(self, bids, asks) -> None:
        self.bids.clear()
        self.asks.clear()
        for p, q in bids:
            if q > 0:
                self.bids[p] = q
        for p, q in asks:
            if q > 0:
                self.asks[p] = q

    def set(self, is_bid: bool, price: int, size: int) -> None:
        side = self.bids if is_bid else self.asks
        if size > 0:
            side[price] = size
        else:
            side.pop(price, None)

    def top(self) -> tuple[int | None, int | None, int | None, int | None]:
        """(bid, ask, bid_size, ask_size) of the best levels; None for an empty side."""
        bid = bsz = ask = asz = None
        if self.bids:
            bid, bsz = self.bids.peekitem(-1)
        if self.asks:
            ask, asz = self.asks.peekitem(0)
        return bid, ask, bsz, asz

    def levels(self, is_bid: bool, n: int = 10) -> list[tuple[int, int]]:
        side = self.bids
        if is_bid:
            return [(p, side[p]) for p in list(reversed(side.keys()))[:n]]
        return list(self.asks.items()[:n])
