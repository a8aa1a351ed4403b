"""Counting the order look-ups a read makes on a real server, instead of timing it: the
engine's order map is swapped, under the runtime lock, for a dict with the same contents that
counts each look-up (``get``, ``[]``) and charges a walk over all of it (``values``, ``items``,
iteration) at its length. Import by module name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class CountingOrders(dict):
    """``Engine.orders`` as it is, counting the look-ups made on it."""

    lookups = 0

    def get(self, key, default=None):
        CountingOrders.lookups += 1
        return super().get(key, default)

    def __getitem__(self, key):
        CountingOrders.lookups += 1
        return super().__getitem__(key)

    def values(self):
        CountingOrders.lookups += len(self)
        return super().values()

    def items(self):
        CountingOrders.lookups += len(self)
        return super().items()

    def __iter__(self):
        CountingOrders.lookups += len(self)
        return super().__iter__()


@contextmanager
def counted(server) -> Iterator[type[CountingOrders]]:
    """Count the look-ups in ``Engine.orders`` of ``server`` (a LiveServer) inside the block
    (``CountingOrders.lookups``); the engine gets its own map back afterwards, with any order
    added meanwhile."""
    rt = server.runtime
    with rt.read() as e:
        saved = e.orders
        e.orders = CountingOrders(saved)
        CountingOrders.lookups = 0
    try:
        yield CountingOrders
    finally:
        with rt.read() as e:
            grown = e.orders
            e.orders = saved
            saved.update(dict.items(grown))


class CountingGroups(dict):
    """``Engine.groups.groups`` as it is, charging a walk over it at its length."""

    walked = 0

    def values(self):
        CountingGroups.walked += len(self)
        return super().values()

    def items(self):
        CountingGroups.walked += len(self)
        return super().items()

    def __iter__(self):
        CountingGroups.walked += len(self)
        return super().__iter__()


@contextmanager
def counted_groups(server) -> Iterator[type[CountingGroups]]:
    """Count the groups of ``server``'s engine walked inside the block
    (``CountingGroups.walked``); the engine gets a plain map back afterwards."""
    rt = server.runtime
    with rt.read() as e:
        e.groups.groups = CountingGroups(e.groups.groups)
        CountingGroups.walked = 0
    try:
        yield CountingGroups
    finally:
        with rt.read() as e:
            e.groups.groups = dict(dict.items(e.groups.groups))
