"""Registry of groups: by id, by owner, and per order (orders carry their group ids).

Invariant: ``groups`` holds every group created and not forgotten (closed ones included, for
queries; an engine with a retention limit forgets the oldest closed ones, see
``engine/retention.py``); an
Active group's active members list the group id in their ``Order.groups``; a closed group's
members no longer do (they are unlinked at close or delete).
"""

from __future__ import annotations

from condor.domain.groups.model import Group


class GroupBook:
    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.by_owner: dict[str | None, dict[str, None]] = {}  # ordered: creation order
        self.serials: dict[str, int] = {}  # group id -> creation number (stable list cursor)
        self.last_serial = 0

    def add(self, g: Group) -> None:
        self.groups[g.group_id] = g
        self.by_owner.setdefault(g.owner, {})[g.group_id] = None
        self.last_serial += 1
        self.serials[g.group_id] = self.last_serial

    def after(self, serial: int):
        """(creation number, group) of the groups created after ``serial``, oldest first: a
        cursor that stays valid while older groups are forgotten."""
        serials = self.serials
        for gid, g in self.groups.items():
            n = serials[gid]
            if n > serial:
                yield n, g

    def forget(self, group_id: str) -> Group | None:
        """Remove a group from the registry (O(1)); return it, or None if unknown."""
        g = self.groups.pop(group_id, None)
        if g is not None:
            del self.serials[group_id]
            ids = self.by_owner.get(g.owner)
            if ids is not None:
                ids.pop(group_id, None)
                if not ids:
                    del self.by_owner[g.owner]
        return g

    def get(self, group_id: str) -> Group | None:
        return self.groups.get(group_id)

    def of_owner(self, owner: str | None) -> list[Group]:
        return [self.groups[g] for g in self.by_owner.get(owner, ())]

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self):
        return iter(self.groups.values())
