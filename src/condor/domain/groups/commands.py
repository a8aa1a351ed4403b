"""Group commands (imperative). Members are new orders (``SubmitOrder``) created atomically with
the group, or ids of orders that already exist (Alor)."""

from __future__ import annotations

from typing import NamedTuple

from condor.domain.groups.model import Rule
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.commands import SubmitOrder


class MemberSpec(NamedTuple):
    """Exactly one of ``order`` (a new order) or ``order_id`` (an existing one); ``role``."""

    order: SubmitOrder | None = None
    order_id: int | None = None
    role: str = ""


class CreateGroup(NamedTuple):
    """Create a group: ``kind`` (template) or CUSTOM with ``rules``; ``validators`` names the
    creation checks to apply (see ``validation.VALIDATORS``); ``group_id`` optional (a UUID
    string; the engine makes a deterministic one otherwise); ``owner`` the calling user."""

    kind: GroupKind
    members: tuple[MemberSpec, ...]
    rules: tuple[Rule, ...] | None = None
    validators: tuple[str, ...] = ()
    owner: str | None = None
    group_id: str | None = None


class EditGroup(NamedTuple):
    """Replace the members (existing order ids, with roles) and/or the kind of an Active group
    (Alor PUT). None keeps the current value."""

    group_id: str
    members: tuple[MemberSpec, ...] | None = None
    kind: GroupKind | None = None
    rules: tuple[Rule, ...] | None = None
    validators: tuple[str, ...] = ()
    owner: str | None = None


class DeleteGroup(NamedTuple):
    """Delete an Active group: it unlinks its members and changes no order (spec section 2)."""

    group_id: str
    owner: str | None = None
