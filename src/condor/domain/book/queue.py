"""Queue position of resting client orders in an external venue's FIFO (L3) book.

Invariant: a tracked client order sits at (side, price) with ``leaves`` > 0 lots and ``ahead``,
the external orders (id -> lots) that rested at that level when it joined and still rest there:
only they stand before it. ``ahead`` only shrinks: a cancel or an execution of an order ahead
reduces it; an order that joins later, or one that loses its priority (price change, size
increase), is behind. A client order is filled only once nothing is ahead of it:

- an execution of an external order at a *worse* price of the same side (a bid below, an ask
  above the client's price) means the aggressor went through the client's price: the client
  order fills first, up to the executed lots;
- an execution at the client's own price of an order that is not ahead of it (it was behind,
  or hidden) fills the client order up to the executed lots once ``ahead`` is empty;
- an execution of an order ahead only consumes the queue.

Several client orders on one side are served best price first, then in joining order; each
execution's lots are handed out once. The tracker holds no prices of its own beyond the levels
it is told and does no I/O. Source: price-time priority (contingency spec section 4; NASDAQ
and CME FIFO matching; the queue-position models of hftbacktest).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class QueueFill(NamedTuple):
    """Market event: the external queue reached resting client order ``order_id``; fill
    ``qty`` lots at its own limit price (``ts_ns`` UTC)."""

    symbol: str
    ts_ns: int
    order_id: int
    qty: int


class _Entry:
    __slots__ = ("ahead", "is_bid", "leaves", "order_id", "price", "seq")

    def __init__(self, order_id: int, is_bid: bool, price: int, leaves: int, ahead: dict, seq: int) -> None:  # fmt: skip
        self.order_id = order_id
        self.is_bid = is_bid
        self.price = price
        self.leaves = leaves
        self.ahead = ahead
        self.seq = seq


class QueueTracker:
    """Queue positions of client orders (ids are the engine's order ids; external ids are the
    feed's). Prices in ticks, quantities in lots. ``on_execute`` returns the client fills
    ``[(order_id, lots)]`` the execution implies; the caller applies them and reports back
    with ``set_leaves`` / ``leave``."""

    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._entries

    def join(self, order_id: int, is_bid: bool, price: int, leaves: int, ahead: Iterable[tuple[int, int]]) -> None:  # fmt: skip
        """Start tracking a client order resting at ``price``; ``ahead`` is the external
        level's FIFO at that moment as (external id, lots), front first. Raises ValueError
        for a non-positive ``leaves`` or an order already tracked."""
        if leaves <= 0:
            raise ValueError(f"order {order_id}: leaves {leaves} must be positive")
        if order_id in self._entries:
            raise ValueError(f"order {order_id} is already tracked")
        self._seq += 1
        self._entries[order_id] = _Entry(
            order_id, is_bid, price, leaves, {x: q for x, q in ahead if q > 0}, self._seq
        )

    def leave(self, order_id: int) -> None:
        """Stop tracking (filled, canceled, expired, repriced); unknown ids are ignored."""
        self._entries.pop(order_id, None)

    def set_leaves(self, order_id: int, leaves: int) -> None:
        """The client order's remaining lots changed (a fill from elsewhere); 0 leaves."""
        e = self._entries.get(order_id)
        if e is None:
            return
        if leaves <= 0:
            del self._entries[order_id]
        else:
            e.leaves = leaves

    def ahead(self, order_id: int) -> int:
        """Lots still ahead of a tracked order. Raises KeyError for an untracked one."""
        return sum(self._entries[order_id].ahead.values())

    def on_reduce(self, ext_id: int, lots: int | None = None) -> None:
        """An external order was canceled (``lots`` None: all of it), partly canceled, or lost
        its priority (pass None): it no longer stands ahead for what was removed."""
        for e in self._entries.values():
            q = e.ahead.get(ext_id)
            if q is None:
                continue
            left = 0 if lots is None else q - lots
            if left > 0:
                e.ahead[ext_id] = left
            else:
                del e.ahead[ext_id]

    def on_execute(self, ext_id: int, is_bid: bool, price: int, lots: int) -> list[tuple[int, int]]:  # fmt: skip
        """An external order resting on side ``is_bid`` at ``price`` executed ``lots``.
        Returns the client fills ``[(order_id, lots)]`` it implies (see the module rules) and
        updates the queues; the caller applies the fills and calls ``set_leaves``."""
        fills: list[tuple[int, int]] = []
        left = lots
        for e in sorted(
            (e for e in self._entries.values() if e.is_bid is is_bid),
            key=lambda e: (-e.price if is_bid else e.price, e.seq),
        ):
            better = e.price > price if is_bid else e.price < price
            if not better and e.price != price:
                continue
            q = e.ahead.get(ext_id)
            if q is not None:  # the execution went to an order ahead of this one
                if q > lots:
                    e.ahead[ext_id] = q - lots
                else:
                    del e.ahead[ext_id]
                continue
            if left <= 0 or (not better and e.ahead):
                continue
            f = min(e.leaves, left)
            left -= f
            fills.append((e.order_id, f))
        return fills
