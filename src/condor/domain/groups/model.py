"""The group aggregate and its rules (spec section 2).

Invariant: a group's rules refer to members by position in ``members``; a removed member stays in
the list with ``active=False`` so positions never shift. A group acts only while ``Active``;
once ``Filled`` or ``Canceled`` it is closed for good (``closed_ns`` set) and ignores events.
Rules are data: ``(on event of a source member) -> (action on target members)``; every named kind
in ``templates.py`` is a tuple of them.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from condor.domain.orders.enums import ExecType, OrdStatus


class GroupStatus(str, Enum):
    ACTIVE = "Active"
    FILLED = "Filled"
    CANCELED = "Canceled"


class RuleEvent(str, Enum):
    """What happened to the source member (spec section 2)."""

    FILL = "fill"  # any fill, partial included
    FULL_FILL = "full_fill"
    FINAL = "final"  # Filled, Canceled, Rejected or Expired
    CANCEL = "cancel"
    REPLACE = "replace"  # modified in place or replaced by a new order id
    REJECT = "reject"
    EXPIRE = "expire"


class RuleAction(str, Enum):
    CANCEL = "cancel"
    REDUCE = "reduce"  # by the source's fill quantity; cancel at zero
    REDUCE_PROPORTIONAL = "reduce_proportional"  # by fill x target open / source open qty
    RELEASE = "release"  # Held -> working, sized pro rata to the source's filled quantity
    REMOVE_MEMBER = "remove_member"  # the source leaves the group (no order changes)


class Rule(NamedTuple):
    """One edge of the contingency graph.

    ``sources``/``targets``: member positions (None: any member / every other active member;
    for REMOVE_MEMBER, None targets the source itself). ``closes``: when the firing event is an
    execution the group becomes Filled. ``when_filled``: for FINAL/CANCEL/EXPIRE events, fire
    only if the source had (True) or had not (False) any fill. ``requires_release``: fire only
    for a source this group has released (Alor TriggerBracketOrders stops).
    """

    on: RuleEvent
    action: RuleAction
    sources: tuple[int, ...] | None = None
    targets: tuple[int, ...] | None = None
    name: str = ""
    closes: bool = False
    when_filled: bool | None = None
    requires_release: bool = False

    def as_dict(self) -> dict:
        return {
            "on": self.on.value,
            "action": self.action.value,
            "sources": list(self.sources) if self.sources is not None else None,
            "targets": list(self.targets) if self.targets is not None else None,
            "name": self.name,
            "closes": self.closes,
            "when_filled": self.when_filled,
            "requires_release": self.requires_release,
        }


class Member:
    """A member order: ``order_id``, ``role`` (e.g. "entry", "take_profit", "stop_loss"),
    ``base_qty`` (lots it was created with; 0 = position-attached), ``released`` (lots this
    group has released to it), ``active`` (False once removed), ``filled_before`` (lots the
    member's earlier order ids filled before a cancel/replace gave it a new id)."""

    __slots__ = (
        "active", "base_qty", "filled_before", "order_id", "released", "role", "was_released",
    )  # fmt: skip

    def __init__(self, order_id: int, role: str = "", base_qty: int = 0) -> None:
        self.order_id = order_id
        self.role = role
        self.base_qty = base_qty
        self.released = 0
        self.was_released = False
        self.active = True
        self.filled_before = 0

    def as_dict(self) -> dict:
        return {
            "order_id": self.order_id,
            "role": self.role,
            "base_qty": self.base_qty,
            "released": self.released,
            "was_released": self.was_released,
            "active": self.active,
            "filled_before": self.filled_before,
        }


class Action(NamedTuple):
    """What a rule asks the engine to do: ``kind`` on ``order_id``; ``qty`` lots to reduce by
    or to release (None: the order's own quantity); ``group_id``/``rule`` and ``trigger`` (the
    event that fired it) for causality."""

    kind: RuleAction
    order_id: int
    qty: int | None
    group_id: str
    rule: str
    trigger: object


def report_events(r) -> frozenset[RuleEvent]:
    """The rule events an ExecutionReport stands for."""
    et = r.exec_type
    st = r.ord_status
    if et is ExecType.TRADE:
        return _FULL if st is OrdStatus.FILLED else _FILL
    if et is ExecType.CANCELED:
        return _CANCEL
    if et is ExecType.EXPIRED:
        return _EXPIRE
    if et is ExecType.REJECTED:
        return _REJECT
    if et is ExecType.REPLACED:
        return _REPLACE_FINAL if st is OrdStatus.FILLED else _REPLACE
    return _NONE


_SHRINKS = frozenset({RuleAction.CANCEL, RuleAction.REDUCE, RuleAction.REDUCE_PROPORTIONAL})


def fill_shrinks(rules: tuple[Rule, ...], i: int, j: int, released: bool = True) -> bool:
    """True when every fill of member ``i`` (partial ones included) cancels or reduces member
    ``j`` by one of ``rules``. ``released``: member ``i`` was released by the group (rules with
    ``requires_release`` fire only then)."""
    for r in rules:
        if r.on is not RuleEvent.FILL or r.action not in _SHRINKS:
            continue
        if r.requires_release and not released:
            continue
        if r.sources is not None and i not in r.sources:
            continue
        if (r.targets is None and i != j) or (r.targets is not None and j in r.targets):
            return True
    return False


def mutually_exclusive(rules: tuple[Rule, ...], i: int, j: int, released=(True, True)) -> bool:
    """True when a fill of either member shrinks the other at once (OCO, OUO, a bracket's
    take-profit against its stop-loss): together they never execute more than the larger of
    them, so closing orders among them may share one position hold (Condor's pre-trade holds: README, Semantics).
    One-way links (AlphaPoint OrderIdOCO), OTO children, and rules that wait for a final
    state (Sway OCO) are not exclusive: both members can execute."""
    return (
        i != j and fill_shrinks(rules, i, j, released[0]) and fill_shrinks(rules, j, i, released[1])
    )


_FILL = frozenset({RuleEvent.FILL})
_FULL = frozenset({RuleEvent.FILL, RuleEvent.FULL_FILL, RuleEvent.FINAL})
_CANCEL = frozenset({RuleEvent.CANCEL, RuleEvent.FINAL})
_EXPIRE = frozenset({RuleEvent.EXPIRE, RuleEvent.FINAL})
_REJECT = frozenset({RuleEvent.REJECT, RuleEvent.FINAL})
_REPLACE = frozenset({RuleEvent.REPLACE})
_REPLACE_FINAL = frozenset({RuleEvent.REPLACE, RuleEvent.FINAL})
_NONE: frozenset = frozenset()


class Group:
    """An order group. ``kind`` names the template (or "Custom" for explicit rules); ``owner``
    the user who created it; ``account`` the members' account where they share one."""

    __slots__ = (
        "account",
        "closed_ns",
        "created_ns",
        "group_id",
        "kind",
        "members",
        "owner",
        "pending",
        "rules",
        "status",
        "version",
    )

    def __init__(
        self,
        group_id: str,
        kind: str,
        members: list[Member],
        rules: tuple[Rule, ...],
        owner: str | None,
        created_ns: int,
        account: str | None = None,
    ) -> None:
        self.group_id = group_id
        self.kind = kind
        self.members = members
        self.rules = rules
        self.owner = owner
        self.account = account
        self.status = GroupStatus.ACTIVE
        self.created_ns = created_ns
        self.closed_ns: int | None = None
        self.version = 1
        # lots of reductions this group has asked for and the engine has not applied yet
        # (order id -> lots): rules fired by several fills of one sweep must not share out
        # again what an earlier fill's queued reduction already takes (see ``_open_after``)
        self.pending: dict[int, int] = {}

    @property
    def active_members(self) -> list[Member]:
        return [m for m in self.members if m.active]

    def position(self, order_id: int) -> int | None:
        for i, m in enumerate(self.members):
            if m.order_id == order_id and m.active:
                return i
        return None

    def exclusive(self, i: int, j: int) -> bool:
        """``mutually_exclusive`` for active members ``i`` and ``j`` of this Active group."""
        if self.status is not GroupStatus.ACTIVE:
            return False
        a, b = self.members[i], self.members[j]
        return (
            a.active
            and b.active
            and mutually_exclusive(self.rules, i, j, (a.was_released, b.was_released))
        )

    def evaluate(self, report, orders) -> tuple[list[Action], GroupStatus | None]:
        """Rules fired by ``report`` (an ExecutionReport of a member): the actions to run and
        the status the group closes with (None: stays Active). ``orders`` maps order id ->
        Order for reading members' quantities. Pure: changes only release bookkeeping.

        Actions are commands like a user's (spec section 3), so an event this group's own rules
        caused (a cancel, a reduction) fires its rules too, with one exception: they never act
        on the member whose event started this group's chain (``_origin``). OnExecuteOrCancel's
        cancel of a sibling thus never cancels the partly filled order that fired it, while a
        chain "parent final -> cancel child; child final -> cancel grandchild" runs to its end.
        Fills count whatever caused them."""
        if self.status is not GroupStatus.ACTIVE:
            return [], None
        i = self.position(report.order_id)
        if i is None:
            return [], None
        events = report_events(report)
        if not events:
            return [], None
        origin = self._origin(report)
        src = self.members[i]
        src_order = orders[report.order_id]
        actions: list[Action] = []
        close: GroupStatus | None = None
        for rule in self.rules:
            if rule.on not in events:
                continue
            if rule.sources is not None and i not in rule.sources:
                continue
            if rule.requires_release and not src.was_released:
                continue
            filled = src_order.cum_qty + src.filled_before
            if rule.when_filled is not None and (filled > 0) != rule.when_filled:
                continue
            name = rule.name or rule.action.value
            if rule.action is RuleAction.REMOVE_MEMBER:
                targets = (i,) if rule.targets is None else rule.targets
            else:
                targets = rule.targets
                if targets is None:
                    targets = tuple(j for j in range(len(self.members)) if j != i)
            if rule.action is RuleAction.REDUCE_PROPORTIONAL:
                actions.extend(self._proportional(targets, i, name, report, orders, origin))
                targets = ()
            for j in targets:
                m = self.members[j]
                if not m.active or (j == i and rule.action is not RuleAction.REMOVE_MEMBER):
                    continue
                if m.order_id == origin and j != i:
                    continue
                a = self._action(rule, name, report, src, src_order, m, orders)
                if a is not None:
                    actions.append(a)
            if rule.closes and events is not _REPLACE and RuleEvent.FILL in events:
                close = GroupStatus.FILLED
        return actions, close

    def _origin(self, report) -> int | None:
        """The order whose event started the chain of this group's own rules that ``report``
        ends (None when ``report`` was not caused by this group, or is a fill): follows
        ``cause.trigger`` back while each step was a non-fill caused by this group."""
        r = report
        while True:
            c = r.cause
            if c is None or c.group_id != self.group_id or r.exec_type is ExecType.TRADE:
                return None if r is report else r.order_id
            t = c.trigger
            if getattr(t, "order_id", None) is None or getattr(t, "exec_type", None) is None:
                return r.order_id
            r = t

    def _proportional(self, targets, i, name, report, orders, origin=None) -> list[Action]:
        """Proportional OUO: the targets lose, in all, fill x (their open quantity / the
        source's open quantity before the fill), shared in proportion to their open quantities
        with the rounding remainder going to the first targets, so tranches that add up to the
        source shrink by exactly the fill (a source that fills completely takes them all)."""
        src_leaves = report.leaves_qty + report.last_qty
        if not report.last_qty or src_leaves <= 0:
            return []
        open_qty = []
        for j in targets:
            m = self.members[j]
            if j == i or not m.active or m.order_id == origin:
                continue
            left = self._open_after(orders[m.order_id])
            if left > 0:
                open_qty.append((m.order_id, left))
        total_open = sum(q for _, q in open_qty)
        if not total_open:
            return []
        total = min(total_open, report.last_qty * total_open // src_leaves)
        shares = [total * q // total_open for _, q in open_qty]
        rest = total - sum(shares)
        for k, (_, q) in enumerate(open_qty):
            if rest and shares[k] < q:
                shares[k] += 1
                rest -= 1
        out = []
        for (oid, _), by in zip(open_qty, shares, strict=True):
            if by > 0:
                self._owe(oid, by)
                out.append(Action(RuleAction.REDUCE_PROPORTIONAL, oid, by, self.group_id, name,
                                  report))  # fmt: skip
        return out

    def _open_after(self, o) -> int:
        """Open lots of ``o`` once the reductions already queued against it have run."""
        if o.status.is_terminal:
            return 0
        return max(0, o.qty - o.cum_qty - self.pending.get(o.order_id, 0))

    def _owe(self, order_id: int, lots: int) -> None:
        self.pending[order_id] = self.pending.get(order_id, 0) + lots

    def applied(self, order_id: int, lots: int) -> None:
        """The engine ran (or dropped) a reduction of ``lots`` this group queued."""
        left = self.pending.get(order_id, 0) - lots
        if left > 0:
            self.pending[order_id] = left
        else:
            self.pending.pop(order_id, None)

    def _action(self, rule, name, report, src, src_order, m, orders) -> Action | None:
        act = rule.action
        gid = self.group_id
        if act is RuleAction.CANCEL or act is RuleAction.REMOVE_MEMBER:
            return Action(act, m.order_id, None, gid, name, report)
        if act is RuleAction.REDUCE:
            if not report.last_qty:
                return None
            self._owe(m.order_id, report.last_qty)
            return Action(act, m.order_id, report.last_qty, gid, name, report)
        # RELEASE: pro rata to the source's filled quantity (the whole base at a full fill;
        # the filled quantity itself for a position-attached child).
        cum = src_order.cum_qty + src.filled_before
        if cum <= 0:
            return None
        target_order = orders.get(m.order_id)
        if (
            m.released == 0
            and target_order is not None
            and target_order.status is not OrdStatus.HELD
        ):
            # an order that was already working when it joined (a group over existing orders):
            # there is nothing to release, and it must not grow (its size is the user's)
            m.was_released = True
            return None
        # sized against the parent's quantity at creation, so that amending the parent down
        # releases proportionally smaller children
        src_base = src.base_qty or src_order.qty
        target = cum if m.base_qty == 0 else min(m.base_qty, m.base_qty * cum // max(src_base, 1))
        delta = target - m.released
        if delta <= 0:
            return None
        m.released = target
        m.was_released = True
        return Action(act, m.order_id, delta, gid, name, report)

    def all_terminal(self, orders) -> bool:
        for m in self.members:
            if m.active:
                o = orders.get(m.order_id)
                if o is not None and not o.status.is_terminal:
                    return False
        return True

    def listens(self, i: int, event: RuleEvent) -> bool:
        """True when a rule of this group fires on ``event`` of member ``i`` (source and
        release conditions; ``when_filled`` aside). The engine asks it for REPLACE: a replaced
        member whose group does not react to the replace is carried over to the new order id."""
        m = self.members[i]
        return any(
            r.on is event
            and (r.sources is None or i in r.sources)
            and (m.was_released or not r.requires_release)
            for r in self.rules
        )

    def substitute(self, i: int, order_id: int, filled: int) -> None:
        """Member ``i`` continues as order ``order_id`` (cancel/replace with a new id, spec
        section 1): ``filled`` lots of the replaced order count as filled before. Its base
        quantity stays the one it was created with, so a parent replaced down releases its
        children in proportion, as a parent amended down does."""
        m = self.members[i]
        m.order_id = order_id
        m.filled_before += filled
        self.version += 1

    def close(self, status: GroupStatus, ts: int) -> None:
        self.status = status
        self.closed_ns = ts
        self.version += 1

    def as_dict(self) -> dict:
        return {
            "group_id": self.group_id,
            "kind": self.kind,
            "owner": self.owner,
            "account": self.account,
            "status": self.status.value,
            "members": [m.as_dict() for m in self.members],
            "rules": [r.as_dict() for r in self.rules],
            "created_ns": self.created_ns,
            "closed_ns": self.closed_ns,
            "version": self.version,
        }
