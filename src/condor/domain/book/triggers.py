"""Trigger index of one instrument: pending stops and trailing stops keyed by trigger price.

Layout: for each basis (Last, Bid, Ask, Mid) two sorted lists of ``(threshold, seq, order)``:
``up`` fires when the basis price >= threshold (buy stops, Alor More/MoreOrEqual), ``down`` fires
when it is <= threshold (sell stops, Alor Less/LessOrEqual). Strict comparisons are folded into the
threshold (More T == MoreOrEqual T+1 on the integer tick grid). Mid thresholds are stored doubled
(compared with bid + ask) so that half-tick mids stay exact; there the strict fold is one unit of
the doubled grid (More T on Mid == bid + ask >= 2T + 1: a mid of T + 1/2 is above T).
``up_min`` / ``down_max`` cache the nearest thresholds per basis so that a market-data event that
crosses nothing costs a few integer comparisons (no scan of the stops).

Trailing stops also sit in a water-mark index per (basis, direction): sell trailing stops sorted
by high-water mark, buy trailing stops by low-water mark. A new price moves only the orders whose
mark it passes (``wm_sell_min`` / ``wm_buy_max`` give the O(1) test); each moved order is re-keyed
in the trigger lists. Trailing stops with an activation price wait in the ``up``/``down`` lists
as activation entries (``kind`` ACTIVATE) until the price reaches it.

Deterministic order: entries fire by threshold (nearest first), then by ``seq`` (arrival).
"""

from __future__ import annotations

from sortedcontainers import SortedList

from condor.domain.orders.enums import TriggerBasis

NEVER_UP = 1 << 62
NEVER_DOWN = -(1 << 62)
BASES = (TriggerBasis.LAST, TriggerBasis.BID, TriggerBasis.ASK, TriggerBasis.MID)
_IDX = {b: i for i, b in enumerate(BASES)}

STOP = 0
ACTIVATE = 1


class TriggerEntry:
    """Where an order sits in the index: basis index, direction, threshold, kind."""

    __slots__ = ("basis", "key", "kind", "up")

    def __init__(self, basis: int, up: bool, key: tuple, kind: int) -> None:
        self.basis = basis
        self.up = up
        self.key = key
        self.kind = kind


class TriggerIndex:
    """Pending stops of one instrument. Orders carry their entry in ``order_entry`` (dict by
    order id) so that cancel and re-key are O(log n)."""

    __slots__ = (
        "_seq",
        "down",
        "down_max",
        "entries",
        "up",
        "up_min",
        "wm_buy",
        "wm_buy_max",
        "wm_keys",
        "wm_sell",
        "wm_sell_min",
    )

    def __init__(self) -> None:
        self.up = [SortedList() for _ in BASES]
        self.down = [SortedList() for _ in BASES]
        self.up_min = [NEVER_UP] * 4
        self.down_max = [NEVER_DOWN] * 4
        self.wm_sell = [SortedList() for _ in BASES]
        self.wm_buy = [SortedList() for _ in BASES]
        self.wm_sell_min = [NEVER_UP] * 4
        self.wm_buy_max = [NEVER_DOWN] * 4
        self.entries: dict[int, TriggerEntry] = {}
        self.wm_keys: dict[int, tuple[int, bool, tuple]] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self.entries)

    # -- stops --------------------------------------------------------------------------
    def add(
        self,
        order,
        basis: TriggerBasis,
        up: bool,
        threshold: int,
        kind: int = STOP,
        doubled: bool = False,
    ) -> None:
        """Index ``order`` to fire when ``basis`` crosses ``threshold`` (ticks; for MID the
        caller passes the plain tick threshold, doubled here, or with ``doubled`` a threshold
        already compared with bid + ask: a strict Mid comparison is ``2T + 1`` / ``2T - 1``)."""
        b = _IDX[basis]
        if b == 3 and not doubled:
            threshold *= 2
        self._seq += 1
        key = (threshold, self._seq, order) if up else (-threshold, self._seq, order)
        lst = self.up[b] if up else self.down[b]
        lst.add(key)
        self.entries[order.order_id] = TriggerEntry(b, up, key, kind)
        self._refresh(b, up)

    def remove(self, order) -> None:
        """Remove ``order`` from the trigger lists and the water-mark index (no-op if absent)."""
        e = self.entries.pop(order.order_id, None)
        if e is not None:
            (self.up[e.basis] if e.up else self.down[e.basis]).remove(e.key)
            self._refresh(e.basis, e.up)
        self.untrack_water(order)

    def substitute(self, old, new) -> None:
        """Put ``new`` in ``old``'s place (same threshold and arrival ``seq``: a cancel/replace
        that only lowers the quantity keeps time priority, spec section 1). ``old`` must be a
        plain stop (not tracked by water mark) and indexed; raises KeyError otherwise."""
        assert old.order_id not in self.wm_keys, "a trailing stop is re-armed, not substituted"
        e = self.entries.pop(old.order_id)
        lst = self.up[e.basis] if e.up else self.down[e.basis]
        lst.remove(e.key)
        e.key = (e.key[0], e.key[1], new)
        lst.add(e.key)
        self.entries[new.order_id] = e

    def entry(self, order_id: int) -> TriggerEntry | None:
        return self.entries.get(order_id)

    def _refresh(self, b: int, up: bool) -> None:
        if up:
            lst = self.up[b]
            self.up_min[b] = lst[0][0] if lst else NEVER_UP
        else:
            lst = self.down[b]
            self.down_max[b] = -lst[0][0] if lst else NEVER_DOWN

    def pop_crossed(self, b: int, price: int):
        """Pop and return ``(order, kind)`` of the next entry crossed by ``price`` on basis
        ``b`` (for MID pass ``bid + ask``, the doubled mid), or None."""
        if self.up_min[b] <= price:
            key = self.up[b].pop(0)
            self._refresh(b, True)
        elif self.down_max[b] >= price:
            key = self.down[b].pop(0)
            self._refresh(b, False)
        else:
            return None
        order = key[2]
        e = self.entries.pop(order.order_id)
        return order, e.kind

    def crossed(self, b: int, price: int) -> bool:
        return self.up_min[b] <= price or self.down_max[b] >= price

    # -- trailing water marks -----------------------------------------------------------
    def track_water(self, order, basis: TriggerBasis, is_sell: bool, water: int) -> None:
        """Index a trailing order by its water mark (ticks; sell: high-water, buy: low-water)."""
        b = _IDX[basis]
        self._seq += 1
        key = (water, self._seq, order)
        if is_sell:
            self.wm_sell[b].add(key)
            self.wm_sell_min[b] = self.wm_sell[b][0][0]
        else:
            self.wm_buy[b].add(key)
            self.wm_buy_max[b] = self.wm_buy[b][-1][0]
        self.wm_keys[order.order_id] = (b, is_sell, key)

    def untrack_water(self, order) -> None:
        k = self.wm_keys.pop(order.order_id, None)
        if k is None:
            return
        b, is_sell, key = k
        if is_sell:
            lst = self.wm_sell[b]
            lst.remove(key)
            self.wm_sell_min[b] = lst[0][0] if lst else NEVER_UP
        else:
            lst = self.wm_buy[b]
            lst.remove(key)
            self.wm_buy_max[b] = lst[-1][0] if lst else NEVER_DOWN

    def pop_passed_water(self, b: int, price: int) -> list:
        """Orders whose water mark ``price`` improves: sell marks below it, buy marks above.
        They are removed from the water index; the caller updates and re-tracks them."""
        out = []
        if self.wm_sell_min[b] < price:
            lst = self.wm_sell[b]
            while lst and lst[0][0] < price:
                key = lst.pop(0)
                out.append(key[2])
                del self.wm_keys[key[2].order_id]
            self.wm_sell_min[b] = lst[0][0] if lst else NEVER_UP
        if self.wm_buy_max[b] > price:
            lst = self.wm_buy[b]
            while lst and lst[-1][0] > price:
                key = lst.pop()
                out.append(key[2])
                del self.wm_keys[key[2].order_id]
            self.wm_buy_max[b] = lst[-1][0] if lst else NEVER_DOWN
        return out

    def check_invariants(self) -> None:
        """Raise AssertionError when caches and lists disagree."""
        n = 0
        for b in range(4):
            assert self.up_min[b] == (self.up[b][0][0] if self.up[b] else NEVER_UP)
            assert self.down_max[b] == (-self.down[b][0][0] if self.down[b] else NEVER_DOWN)
            n += len(self.up[b]) + len(self.down[b])
            assert self.wm_sell_min[b] == (self.wm_sell[b][0][0] if self.wm_sell[b] else NEVER_UP)
            assert self.wm_buy_max[b] == (self.wm_buy[b][-1][0] if self.wm_buy[b] else NEVER_DOWN)
        assert n == len(self.entries), "trigger entries out of sync"
