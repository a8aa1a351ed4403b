"""Client order book of one instrument: price-time priority.

Layout: per side a dict ``price (ticks) -> Level`` plus a sorted list of prices (sortedcontainers);
``best_bid`` / ``best_ask`` are cached ints (``NO_BID`` / ``NO_ASK`` sentinels when the side is
empty, exposed as None by ``top()``). A Level is a FIFO deque of orders.

Ordering invariant: within a level, orders are in arrival (priority) order; an order is in at
most one level, the one of its ``price``; the book is never crossed (best_bid < best_ask) after
the engine finishes matching.

Removal: ``cancel`` is lazy and O(1): the order is marked gone (it is terminal or re-queued by the
caller) and skipped when it reaches the front; ``level.live`` counts the live entries, and a
level whose dead entries outnumber its live ones is compacted. ``remove_now`` removes eagerly
(used when an order keeps living and moves, e.g. a price change).

Modify semantics: a quantity decrease keeps the order where it is; a price change or a quantity
increase is remove + add at the back (spec section 1).
"""

from __future__ import annotations

from collections import deque

from sortedcontainers import SortedList

NO_BID = -(1 << 62)
NO_ASK = 1 << 62


class Level(deque):
    """FIFO queue of orders at one price. ``live`` counts orders that are still resting."""

    __slots__ = ("live", "price")

    def __init__(self, price: int) -> None:
        super().__init__()
        self.price = price
        self.live = 0

    def __reduce__(self):
        return (_restore_level, (self.price, self.live, list(self)))


def _restore_level(price: int, live: int, orders: list) -> Level:
    level = Level(price)
    level.extend(orders)
    level.live = live
    return level


class OrderBook:
    """Resting client orders of one instrument. Holds Order objects; knows only price, side,
    visible quantity and queue order (exchange-core style)."""

    __slots__ = ("_ask_prices", "_bid_prices", "asks", "best_ask", "best_bid", "bids", "resting")

    def __init__(self) -> None:
        self.bids: dict[int, Level] = {}
        self.asks: dict[int, Level] = {}
        self._bid_prices = SortedList()
        self._ask_prices = SortedList()
        self.best_bid = NO_BID
        self.best_ask = NO_ASK
        self.resting = 0

    # -- queries ------------------------------------------------------------------------
    def top(self) -> tuple[int | None, int | None]:
        """(best bid, best ask) in ticks, None for an empty side."""
        return (
            None if self.best_bid == NO_BID else self.best_bid,
            None if self.best_ask == NO_ASK else self.best_ask,
        )

    def front(self, is_bid: bool) -> object | None:
        """The first live order at the best price of a side, or None. Drops dead entries."""
        if is_bid:
            if self.best_bid == NO_BID:
                return None
            level = self.bids[self.best_bid]
        else:
            if self.best_ask == NO_ASK:
                return None
            level = self.asks[self.best_ask]
        while level:
            o = level[0]
            if o.priority and o.visible > 0 and o.price == level.price:
                return o
            level.popleft()
        raise AssertionError("empty level left in the book")  # pragma: no cover

    def first_other(self, is_bid: bool, account: str) -> object | None:
        """The first live order of a side, in price-time order, whose account is not
        ``account`` (self-trade prevention skips the aggressor's own orders), or None."""
        for level in self.levels(is_bid):
            for o in level:
                if o.priority and o.price == level.price and o.account != account:
                    return o
        return None

    def is_front(self, order) -> bool:
        """True when ``order`` is the first live entry of its level."""
        level = (self.bids if order.side.is_buy else self.asks)[order.price]
        for o in level:
            if o.priority and o.price == level.price:
                return o is order
        return False

    def levels(self, is_bid: bool):
        """Levels of a side, best first (generator; do not mutate the book while iterating)."""
        if is_bid:
            for p in reversed(self._bid_prices):
                yield self.bids[p]
        else:
            for p in self._ask_prices:
                yield self.asks[p]

    def depth(self, is_bid: bool, n: int = 10) -> list[tuple[int, int]]:
        """Top ``n`` levels of a side as (price ticks, visible lots), best first."""
        out = []
        for level in self.levels(is_bid):
            qty = sum(o.visible for o in level if o.priority and o.price == level.price)
            out.append((level.price, qty))
            if len(out) >= n:
                break
        return out

    # -- mutations ----------------------------------------------------------------------
    def add(self, order, priority: int) -> None:
        """Append ``order`` at the back of its price level. ``order.visible`` must be > 0 and
        ``priority`` a positive, increasing number (time priority)."""
        price = order.price
        side = self.bids if order.side.is_buy else self.asks
        level = side.get(price)
        if level is None:
            level = Level(price)
            side[price] = level
            if order.side.is_buy:
                self._bid_prices.add(price)
                if price > self.best_bid:
                    self.best_bid = price
            else:
                self._ask_prices.add(price)
                if price < self.best_ask:
                    self.best_ask = price
        level.append(order)
        level.live += 1
        order.priority = priority
        self.resting += 1

    def cancel(self, order) -> None:
        """Lazily remove a resting order (caller has made it terminal or will re-add it)."""
        if not order.priority:
            return
        is_bid = order.side.is_buy
        level = (self.bids if is_bid else self.asks)[order.price]
        order.priority = 0
        self.resting -= 1
        level.live -= 1
        if level.live == 0:
            self._drop_level(level, is_bid)
        elif len(level) > 16 and len(level) > 2 * level.live:
            live = [o for o in level if o.priority and o.price == level.price]
            level.clear()
            level.extend(live)

    def remove_now(self, order, price: int | None = None) -> None:
        """Eagerly remove a resting order that stays alive (it may come back at another price
        or at the back of the queue). ``price``: the level it rests at, when the caller has
        already changed ``order.price``."""
        if not order.priority:
            return
        if price is None:
            price = order.price
        is_bid = order.side.is_buy
        level = (self.bids if is_bid else self.asks)[price]
        level.remove(order)
        order.priority = 0
        self.resting -= 1
        level.live -= 1
        if level.live == 0:
            self._drop_level(level, is_bid)

    def substitute(self, old, new) -> None:
        """Put ``new`` in ``old``'s place in its level, keeping its time priority (a
        cancel/replace that only lowers the quantity: spec section 1). ``new`` must have the
        same side and price; its ``visible`` becomes ``old``'s, capped at its own leaves."""
        level = (self.bids if old.side.is_buy else self.asks)[old.price]
        level[level.index(old)] = new
        new.priority, old.priority = old.priority, 0
        new.visible = min(old.visible, new.qty - new.cum_qty)

    def pop_front(self, order) -> None:
        """Remove ``order``, which is the front of its level (fully filled or refilling)."""
        is_bid = order.side.is_buy
        level = (self.bids if is_bid else self.asks)[order.price]
        while level[0] is not order and not (level[0].priority and level[0].price == level.price):
            level.popleft()  # lazily canceled entries ahead of it
        first = level.popleft()
        assert first is order, "pop_front on an order that is not at the front"
        order.priority = 0
        self.resting -= 1
        level.live -= 1
        if level.live == 0:
            self._drop_level(level, is_bid)

    def _drop_level(self, level: Level, is_bid: bool) -> None:
        price = level.price
        if is_bid:
            del self.bids[price]
            self._bid_prices.remove(price)
            if price == self.best_bid:
                self.best_bid = self._bid_prices[-1] if self._bid_prices else NO_BID
        else:
            del self.asks[price]
            self._ask_prices.remove(price)
            if price == self.best_ask:
                self.best_ask = self._ask_prices[0] if self._ask_prices else NO_ASK

    # -- invariant ----------------------------------------------------------------------
    def check_invariants(self) -> None:
        """Raise AssertionError if the book's internal state is inconsistent (every test calls
        it, exchange-core ``validateInternalState`` style)."""
        assert list(self._bid_prices) == sorted(self.bids), "bid price index out of sync"
        assert list(self._ask_prices) == sorted(self.asks), "ask price index out of sync"
        assert self.best_bid == (self._bid_prices[-1] if self._bid_prices else NO_BID)
        assert self.best_ask == (self._ask_prices[0] if self._ask_prices else NO_ASK)
        if self.bids and self.asks:
            assert self.best_bid < self.best_ask, "book crossed"
        seen = set()
        count = 0
        for side, is_bid in ((self.bids, True), (self.asks, False)):
            for price, level in side.items():
                assert level.price == price
                live = [o for o in level if o.priority and o.price == price]
                assert len(live) == level.live > 0, f"level {price} live count wrong"
                prios = [o.priority for o in live]
                assert prios == sorted(prios), f"FIFO broken at {price}"
                for o in live:
                    assert id(o) not in seen, "order twice in the book"
                    seen.add(id(o))
                    assert o.side.is_buy is is_bid
                    assert o.is_working, f"order {o.order_id} resting while {o.status}"
                    assert 0 < o.visible <= o.qty - o.cum_qty
                count += len(live)
        assert count == self.resting, "resting count out of sync"
