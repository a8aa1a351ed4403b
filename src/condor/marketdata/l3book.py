"""Market-by-order (L3) book: price levels of FIFO order queues, indexed by order id.

Invariant: every resting order appears exactly once, in the order index and in the FIFO queue of
its (side, price) level; a level's ``total`` is the sum of its orders' sizes and is > 0 (empty
levels are removed at once); sizes are positive int lots, prices int ticks. Queue order is time
priority: ``add`` appends at the back, a size decrease keeps the place, a price change or a size
increase sends the order to the back of its (new) level (CME and NASDAQ rule; Databento's MBO
book example). ``validate()`` checks all of this and is what tests call after replaying.
The book never matches: it mirrors a venue's book from that venue's messages.
"""

from __future__ import annotations

import zlib

from sortedcontainers import SortedDict

from condor.domain.market import BookSide
from condor.marketdata.errors import BookError, DuplicateOrderError, UnknownOrderError

BID, ASK = BookSide.BID, BookSide.ASK


class Level:
    """One price level: ``orders`` maps order id -> size lots in FIFO (insertion) order."""

    __slots__ = ("orders", "total")

    def __init__(self) -> None:
        self.orders: dict[int, int] = {}
        self.total = 0


class L3Book:
    """Order-by-order book for one instrument (used by the LOBSTER and CME MBO readers).

    Order ids are ints; ``side`` is ``BookSide``; prices are int ticks; sizes int lots > 0.
    Errors: ``UnknownOrderError`` (id not resting), ``DuplicateOrderError`` (id already resting),
    ``BookError`` (non-positive size, or removing more than rests).
    """

    def __init__(self) -> None:
        self._orders: dict[int, list] = {}  # id -> [side, price, size]
        self._bids, self._asks = SortedDict(), SortedDict()
        self._sides: dict[BookSide, SortedDict] = {BID: self._bids, ASK: self._asks}
        self._bb: int | None = None  # cached best bid / ask price (None: side empty)
        self._ba: int | None = None

    # -- mutations --------------------------------------------------------------------------
    def add(self, order_id: int, side: BookSide, price: int, size: int) -> None:
        """Rest a new order at the back of its level's queue."""
        if order_id in self._orders:
            raise DuplicateOrderError(f"order {order_id} already rests in the book")
        if size <= 0:
            raise BookError(f"order {order_id}: size {size} must be positive")
        levels = self._sides[side]
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level()
        level.orders[order_id] = size
        level.total += size
        self._orders[order_id] = [side, price, size]
        if side is BID:
            if self._bb is None or price > self._bb:
                self._bb = price
        elif self._ba is None or price < self._ba:
            self._ba = price

    def cancel(self, order_id: int, size: int | None = None) -> int:
        """Remove ``size`` lots (None = all) from a resting order; return the lots left.

        A partial cancel keeps queue priority. Raises ``UnknownOrderError``, ``BookError`` if
        ``size`` exceeds what rests or is not positive.
        """
        order = self._orders.get(order_id)
        if order is None:
            raise UnknownOrderError(f"order {order_id} is not in the book")
        side, price, resting = order
        if size is None:
            size = resting
        elif size <= 0 or size > resting:
            raise BookError(f"order {order_id}: cannot remove {size} of {resting} lots")
        level = self._sides[side][price]
        left = resting - size
        level.total -= size
        if left:
            order[2] = level.orders[order_id] = left
        else:
            del level.orders[order_id]
            del self._orders[order_id]
            if not level.orders:
                levels = self._sides[side]
                del levels[price]
                if side is BID:
                    if price == self._bb:
                        self._bb = levels.keys()[-1] if levels else None
                elif price == self._ba:
                    self._ba = levels.keys()[0] if levels else None
        return left

    def execute(self, order_id: int, size: int) -> tuple[BookSide, int, int]:
        """Fill ``size`` lots of a resting order; return (resting side, price ticks, lots left).

        Same errors as ``cancel``.
        """
        order = self._orders.get(order_id)
        if order is None:
            raise UnknownOrderError(f"order {order_id} is not in the book")
        side, price = order[0], order[1]
        return side, price, self.cancel(order_id, size)

    def modify(self, order_id: int, price: int, size: int) -> bool:
        """Change a resting order's price and/or size; return True when it kept its priority.

        Priority is kept only for a size decrease at the same price (or no change); a price
        change or size increase moves the order to the back of the target level.
        Raises ``UnknownOrderError``; ``BookError`` for a non-positive size.
        """
        order = self._orders.get(order_id)
        if order is None:
            raise UnknownOrderError(f"order {order_id} is not in the book")
        if size <= 0:
            raise BookError(f"order {order_id}: size {size} must be positive")
        side, old_price, old_size = order
        if price == old_price and size <= old_size:
            level = self._sides[side][price]
            level.total += size - old_size
            order[2] = level.orders[order_id] = size
            return True
        self.cancel(order_id)
        self.add(order_id, side, price, size)
        return False

    def clear(self) -> None:
        """Remove every order (Databento action R, a venue book reset)."""
        self._orders.clear()
        for levels in self._sides.values():
            levels.clear()
        self._bb = self._ba = None

    # -- queries ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def order_ids(self) -> list[int]:
        """Ids of every resting order (a copy, in no particular order)."""
        return list(self._orders)

    def order(self, order_id: int) -> tuple[BookSide, int, int] | None:
        """(side, price ticks, size lots) of a resting order, or None."""
        o = self._orders.get(order_id)
        return None if o is None else (o[0], o[1], o[2])

    def best_bid(self) -> tuple[int, int] | None:
        """(price ticks, total lots) of the highest bid level, or None when no bid rests."""
        bb = self._bb
        return None if bb is None else (bb, self._bids[bb].total)

    def best_ask(self) -> tuple[int, int] | None:
        """(price ticks, total lots) of the lowest ask level, or None when no ask rests."""
        ba = self._ba
        return None if ba is None else (ba, self._asks[ba].total)

    def top(self) -> tuple[int | None, int | None, int | None, int | None]:
        """(best bid, best ask, bid lots, ask lots), ``QuoteTick`` field order; None if empty."""
        bb, ba = self._bb, self._ba
        return (
            bb,
            ba,
            None if bb is None else self._bids[bb].total,
            None if ba is None else self._asks[ba].total,
        )

    def depth(self, side: BookSide, n: int) -> tuple[tuple[int, int], ...]:
        """Up to ``n`` levels of ``side``, best first, as (price ticks, total lots)."""
        levels = self._sides[side]
        keys = levels.keys()
        prices = reversed(keys[-n:]) if side is BID else keys[:n]
        return tuple((p, levels[p].total) for p in prices)

    def orders_at(self, side: BookSide, price: int) -> tuple[tuple[int, int], ...]:
        """The FIFO queue at a level as (order id, lots), front first; empty if no level."""
        level = self._sides[side].get(price)
        return () if level is None else tuple(level.orders.items())

    def queue_ahead(self, side: BookSide, price: int, order_id: int) -> int:
        """Lots resting ahead of ``order_id`` in the FIFO queue of (side, price).

        Raises ``UnknownOrderError`` when the order does not rest at that level.
        """
        level = self._sides[side].get(price)
        if level is None or order_id not in level.orders:
            raise UnknownOrderError(f"order {order_id} does not rest at {side.value} {price}")
        ahead = 0
        for oid, size in level.orders.items():
            if oid == order_id:
                return ahead
            ahead += size
        raise AssertionError("unreachable")  # pragma: no cover

    def checksum(self, n_levels: int) -> int:
        """CRC-32 of ``repr((depth(BID, n), depth(ASK, n)))`` encoded as ASCII.

        A plain tuple of ints makes the value reproducible by any independent implementation.
        """
        top = (self.depth(BID, n_levels), self.depth(ASK, n_levels))
        return zlib.crc32(repr(top).encode("ascii"))

    def validate(self) -> None:
        """Check the module invariant; raise ``BookError`` describing the first breach."""
        seen = 0
        for side, levels in self._sides.items():
            for price, level in levels.items():
                if not level.orders:
                    raise BookError(f"empty level {side.value} {price}")
                if level.total != sum(level.orders.values()):
                    raise BookError(f"level {side.value} {price}: total != sum of orders")
                for oid, size in level.orders.items():
                    seen += 1
                    if size <= 0 or self._orders.get(oid) != [side, price, size]:
                        raise BookError(f"order {oid} at {side.value} {price} is inconsistent")
        if seen != len(self._orders):
            raise BookError(f"index holds {len(self._orders)} orders, levels hold {seen}")
        bids, asks = self._bids, self._asks
        if self._bb != (bids.keys()[-1] if bids else None) or self._ba != (
            asks.keys()[0] if asks else None
        ):
            raise BookError(f"cached best {self._bb}/{self._ba} disagrees with the levels")
