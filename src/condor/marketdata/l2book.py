"""Market-by-price (L2) book: total size per price level, per side.

Invariant: each side maps price ticks -> total size lots, every stored size > 0 (setting 0
deletes the level). The book stores no order identity and never matches: it mirrors a venue's
aggregated depth. Sorting happens only when a snapshot or top levels are asked for.
"""

from __future__ import annotations

import heapq
import zlib

from condor.domain.market import BookSide

BID, ASK = BookSide.BID, BookSide.ASK


class L2Book:
    """Aggregated depth. ``bids`` / ``asks``: dict price ticks -> size lots (> 0)."""

    def __init__(self) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}

    def clear(self) -> None:
        self.bids.clear()
        self.asks.clear()

    def set(self, side: BookSide, price: int, size: int) -> bool:
        """Set a level's total (0 deletes it); return True when the book changed."""
        levels = self.bids if side is BID else self.asks
        if size:
            if levels.get(price) == size:
                return False
            levels[price] = size
            return True
        return levels.pop(price, None) is not None

    def depth(self, side: BookSide, n: int | None = None) -> tuple[tuple[int, int], ...]:
        """Levels of ``side`` best first as (price ticks, size lots); all when ``n`` is None."""
        if side is BID:
            prices = sorted(self.bids, reverse=True) if n is None else heapq.nlargest(n, self.bids)
            return tuple((p, self.bids[p]) for p in prices)
        prices = sorted(self.asks) if n is None else heapq.nsmallest(n, self.asks)
        return tuple((p, self.asks[p]) for p in prices)

    def best_bid(self) -> tuple[int, int] | None:
        """(price, size) of the highest bid, or None."""
        top = self.depth(BID, 1)
        return top[0] if top else None

    def best_ask(self) -> tuple[int, int] | None:
        """(price, size) of the lowest ask, or None."""
        top = self.depth(ASK, 1)
        return top[0] if top else None

    def checksum(self, n_levels: int) -> int:
        """CRC-32 of ``repr((depth(BID, n), depth(ASK, n)))`` as ASCII (same rule as L3Book)."""
        top = (self.depth(BID, n_levels), self.depth(ASK, n_levels))
        return zlib.crc32(repr(top).encode("ascii"))
