"""Group events (past tense), with the same sequence and cause as order events."""

from __future__ import annotations

from typing import NamedTuple


class GroupUpdated(NamedTuple):
    """A group was created, edited, deleted, closed, or lost a member.

    ``change``: "created" | "edited" | "deleted" | "closed" | "member_removed" |
    "member_replaced" (a member was cancel/replaced with a new id, which takes its place);
    ``status``: Active | Filled | Canceled; ``members``: order ids of active members;
    ``removed``: the member order id for "member_removed", the replaced id for
    "member_replaced".
    """

    seq: int
    ts_ns: int
    group_id: str
    kind: str
    change: str
    status: str
    owner: str | None
    members: tuple[int, ...]
    removed: int | None = None
    cause: object = None
