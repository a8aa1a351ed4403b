"""Per-account index of the orders the engine keeps, for reads that list or search one
account's orders (TradeStation's account orders, Sway's order codes) without scanning every
order id the engine ever issued.

Invariants:
- read side only: the index is caught up lazily, under the runtime lock (``Runtime.read``),
  from ``Engine.order_seq`` and ``Engine.orders``; the engine and its ``Order`` slots are not
  touched, and the command path pays nothing.
- exact for the orders the engine keeps: an order's account and ClOrdID never change after
  it is created (a cancel/replace makes a new order id), so every id up to the last catch-up
  is filed under its account (ascending) and its ClOrdID. Ids of orders the engine has since
  forgotten (``engine/retention.py``) may linger until the next rebuild; every answer skips
  them, so readers see exactly what a scan of ``Engine.orders`` would show.
- bounded: when it files more than twice the orders the engine keeps (plus ``SLACK``) it is
  rebuilt from ``Engine.orders``, so its size follows the engine's retention, at an amortized
  O(1) per order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from condor.domain.orders.order import Order

SLACK = 1024


class OrderIndex:
    """Order ids by account, and by (account, ClOrdID)."""

    def __init__(self) -> None:
        self._top = 0  # the highest order id filed
        self._size = 0  # ids filed (stale ones included)
        self._ids: dict[str, list[int]] = {}
        self._codes: dict[tuple[str, str], list[int]] = {}

    def _file(self, o: Order) -> None:
        self._ids.setdefault(o.account, []).append(o.order_id)
        if o.cl_ord_id is not None:
            self._codes.setdefault((o.account, o.cl_ord_id), []).append(o.order_id)
        self._size += 1

    def _sync(self, e) -> None:
        """File the orders created since the last call (call under the runtime lock)."""
        seq, orders = e.order_seq, e.orders
        if seq == self._top:
            return
        if self._size + (seq - self._top) > 2 * len(orders) + SLACK:
            self._ids, self._codes, self._size = {}, {}, 0
            for oid in sorted(orders):
                self._file(orders[oid])
        else:
            for oid in range(self._top + 1, seq + 1):
                o = orders.get(oid)
                if o is not None:
                    self._file(o)
        self._top = seq

    def newest_first(self, e, accounts: Iterable[str]) -> Iterator[Order]:
        """The kept orders of ``accounts``, newest (highest id) first."""
        self._sync(e)
        orders = e.orders
        runs = [reversed(self._ids.get(a, ())) for a in dict.fromkeys(accounts)]
        for oid in heapq.merge(*runs, reverse=True):
            o = orders.get(oid)
            if o is not None:
                yield o

    def by_code(self, e, account: str, cl_ord_id: str) -> Order | None:
        """The newest kept order of ``account`` whose ClOrdID (FIX 11) is ``cl_ord_id``."""
        self._sync(e)
        orders = e.orders
        for oid in reversed(self._codes.get((account, cl_ord_id), ())):
            o = orders.get(oid)
            if o is not None:
                return o
        return None
