"""Read-side index: order id -> the id of the first group that listed it, for reads that name an
order's group (TradeStation's ``GroupName``, wire-formats.md 1.9) without walking every group
the engine keeps on each listing.

Invariants:
- fed by the runtime's engine listener with each ``GroupUpdated`` (``note``: a dict insert per
  member, only for group events), and seeded once from the groups of a recovered engine
  (``seed``); the engine is not touched.
- an order keeps the first group that listed it (at creation, or when an edit or a
  cancel/replace made it a member), also after that group closed, lost it as a member or was
  forgotten by the engine (``engine/retention.py``).
- bounded: when it holds more than twice the orders the engine keeps (plus ``SLACK``) the
  entries of orders the engine no longer keeps are dropped, so its size follows the engine's
  retention, at an amortized O(1) per entry.
"""

from __future__ import annotations

from condor.domain.orders.group_events import GroupUpdated

SLACK = 1024


class GroupNames:
    """Group ids by member order id (``engine``: the engine whose orders bound the index)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._first: dict[int, str] = {}
        self._limit = SLACK

    def seed(self) -> None:
        """File the members of the groups the engine keeps (oldest group first): a recovered
        engine's groups were made before the listener was attached."""
        first = self._first
        for g in self.engine.groups:
            for m in g.members:
                first.setdefault(m.order_id, g.group_id)
        self._bound()

    def note(self, ev: GroupUpdated) -> None:
        """A group event: file its members not yet filed (engine listener, under the lock)."""
        first, gid = self._first, ev.group_id
        for oid in ev.members:
            first.setdefault(oid, gid)
        if len(first) > self._limit:
            self._bound()

    def _bound(self) -> None:
        orders = self.engine.orders
        if len(self._first) > 2 * len(orders) + SLACK:
            self._first = {oid: g for oid, g in self._first.items() if oid in orders}
        self._limit = 2 * len(self._first) + SLACK

    def name(self, order_id: int) -> str:
        """The id of the first group that listed ``order_id``, "" when none did."""
        return self._first.get(order_id, "")
