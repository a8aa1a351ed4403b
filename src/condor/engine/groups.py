"""Group handlers (a mixin of ``Engine``): create (atomically with new orders or over existing
ones), edit, delete, and the execution of rule actions.

Invariants:
- creation with new orders is all or nothing: every order is validated and its holds taken
  before any is created; on the first failure the holds are given back and one CommandRejected
  (naming the member as ``members[i]``) is the only event.
- members that a RELEASE rule targets are created Held; the others are accepted in member order
  after the Held ones exist, so an entry that fills at once finds its children in place.
- a group closes Filled when a rule with ``closes`` fires on an execution, or when all its
  members have ended (Filled if any executed, else Canceled); deletion closes it Canceled. A
  closed group is unlinked from its members and acts no more (queued actions still run).
- exclusive siblings share one position hold (``holds``): a take-profit and a stop-loss on
  the same 100 shares hold 100, not 200.
"""

from __future__ import annotations

import functools
import uuid

from condor.domain.errors import DomainError, RejectReason
from condor.domain.groups import validation
from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup, MemberSpec
from condor.domain.groups.model import (
    Group,
    GroupStatus,
    Member,
    RuleAction,
    mutually_exclusive,
    report_events,
)
from condor.domain.groups.templates import GroupKind, rules_for
from condor.domain.orders.enums import ExecType, OrdStatus, Side
from condor.domain.orders.events import Cause, CauseKind
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.orders.status import Transition as T
from condor.engine.admission import check_session, validate_submit
from condor.engine.holds import REHOLD, SharedHolds, same_position

R = RejectReason
_NS = uuid.UUID("6f1c2a43-6d0b-4bb5-9a5e-2f3c8f0c0d1e")


class GroupHandlers(SharedHolds):
    # -- events -------------------------------------------------------------------------
    def _group_event(self, g: Group, change: str, cause, removed: int | None = None) -> None:
        self.seq += 1
        members = tuple(m.order_id for m in g.members if m.active)
        self._out.append(
            GroupUpdated(
                self.seq,
                self.clock.now_ns(),
                g.group_id,
                g.kind,
                change,
                g.status.value,
                g.owner,
                members,
                removed,
                cause,
            )
        )
        self._track_group(g)

    def _on_member_event(self, r, o) -> None:
        """Feed an order event to each group of the order, in the order it joined them."""
        if not report_events(r):
            return  # New, Triggered, Restated: no rule listens to these
        batch = []
        backed = self._leaning_siblings(o, r)
        for gid in tuple(o.groups):
            g = self.groups.get(gid)
            if g is None:
                continue
            actions, close = g.evaluate(r, self.orders)
            batch.extend(actions)
            if (
                close is None
                and r.ord_status.is_terminal
                and g.status is GroupStatus.ACTIVE
                and g.all_terminal(self.orders)
                and not _leaves(actions, r.order_id)  # its removal closes the group then
            ):
                close = GroupStatus.FILLED if _ended_by_execution(g, r) else GroupStatus.CANCELED
            if close is not None:
                self._close_group(g, close, _rule_cause(g.group_id, g.kind, r))
        batch.extend(backed)
        if batch:
            self._enqueue_front(batch)

    def _close_group(self, g: Group, status: GroupStatus, cause) -> None:
        g.close(status, self.clock.now_ns())
        for m in g.members:
            o = self.orders.get(m.order_id)
            if o is not None:
                o.remove_group(g.group_id)
        self._group_event(g, "closed", cause)

    # -- actions ------------------------------------------------------------------------
    def _run_action(self, a) -> None:
        if a.kind is RuleAction.REDUCE or a.kind is RuleAction.REDUCE_PROPORTIONAL:
            g = self.groups.get(a.group_id)
            if g is not None:
                g.applied(a.order_id, a.qty)  # run or dropped below: no longer pending
        o = self.orders.get(a.order_id)
        # REMOVE_MEMBER targets the source itself, which a cancel has just ended (Alor
        # IgnoreCancel: the canceled order leaves the group); every other action needs a live order
        if o is None or (o.status.is_terminal and a.kind is not RuleAction.REMOVE_MEMBER):
            return
        cause = _rule_cause(a.group_id, a.rule, a.trigger)
        k = a.kind
        if k == REHOLD:
            self._rehold_one(o, cause)
        elif k is RuleAction.CANCEL:
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, text=f"canceled by group {a.rule}")
        elif k is RuleAction.REDUCE or k is RuleAction.REDUCE_PROPORTIONAL:
            by = self._once_per_fill(a)
            if by:
                self._reduce(o, by, cause)
        elif k is RuleAction.RELEASE:
            if o.status is OrdStatus.HELD:
                qty = a.qty
                g = self.groups.get(a.group_id)
                i = g.position(o.order_id) if g is not None else None
                if qty is not None and i is not None and g.members[i].base_qty:
                    # a sibling's fill already reduced this Held exit: release only what is
                    # left to close (nothing left: _activate cancels it)
                    qty -= max(0, g.members[i].base_qty - o.qty)
                if o.price_offset is not None:
                    _link_price(o, a.trigger)
                self._activate(o, qty, cause)
            else:
                self._grow(o, a.qty, cause)
        elif k is RuleAction.REMOVE_MEMBER:
            g = self.groups.get(a.group_id)
            if g is not None and g.status is GroupStatus.ACTIVE:
                i = g.position(a.order_id)
                if i is not None:
                    g.members[i].active = False
                    g.version += 1
                    o.remove_group(g.group_id)
                    self._group_event(g, "member_removed", cause, removed=a.order_id)
                    if not g.active_members or g.all_terminal(self.orders):
                        self._close_group(g, GroupStatus.CANCELED, cause)
                    self._rehold_parted(o, g, cause)

    def _once_per_fill(self, a) -> int:
        """Lots reduction ``a`` still takes from its order: one fill reduces an order once,
        however many groups or rules link it to the filled one (spec section 2, OUO: "reduce
        the others by the filled quantity"), by the largest reduction asked for that fill
        (``a.trigger``); each group's action still settles its own ``pending``."""
        key = (a.trigger.seq, a.order_id)
        done = self._reduced.get(key, 0)
        if a.qty <= done:
            return 0
        self._reduced[key] = a.qty
        return a.qty - done

    def _reduce(self, o, by: int, cause) -> None:
        """OUO: lower OrderQty by ``by`` lots (keeps priority); at CumQty or below, cancel.
        A member of a group being created whose turn has not come (PendingNew: a sibling
        created before it filled at once) is acknowledged first, so that its New precedes
        the Restated; ``_create_group`` works it at its turn (the status table has no amend
        from PendingNew)."""
        new_qty = o.qty - by
        if new_qty <= o.cum_qty:
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, text="reduced to zero by group")
            return
        if o.status is OrdStatus.PENDING_NEW:
            self._acknowledge(o, self.venues[o.inst.symbol], cause)
        acct = self.accounts[o.account]
        if o.status is not OrdStatus.HELD:
            saved = (o.hold_cash, o.hold_pos, o.hold_net)
            acct.release(o)
            o.qty = new_qty
            try:
                self._reserve(o, self.venues[o.inst.symbol])
            except DomainError:  # a smaller order needs no more than it had: keep those holds
                acct.restore(o, *saved)
            if o.priority:
                o.visible = min(o.visible, new_qty - o.cum_qty)
        else:
            o.qty = new_qty
        o.apply(T.AMEND, self.clock.now_ns())
        self._report(o, ExecType.RESTATED, cause, text=f"reduced by {by}")

    def _grow(self, o, by: int, cause) -> None:
        """Partial-trigger OTO: a working child gets ``by`` more lots (loses priority)."""
        v = self.venues[o.inst.symbol]
        acct = self.accounts[o.account]
        saved = (o.hold_cash, o.hold_pos, o.hold_net)
        acct.release(o)
        o.qty += by
        try:
            self._reserve(o, v)
        except DomainError as e:
            o.qty -= by
            acct.restore(o, *saved)
            self._report(o, ExecType.RESTATED, cause, reason=e.reason, text=e.text)
            return
        o.apply(T.AMEND, self.clock.now_ns())
        self._unplace_alive(o)
        self._report(o, ExecType.RESTATED, cause, text=f"released {by} more")
        self._work(o, v, cause)

    # -- create -------------------------------------------------------------------------
    def _create_group(self, cmd: CreateGroup, cause: Cause) -> Group | None:
        taken = []
        try:
            g, new_orders, held = self._build_group(cmd, taken)
        except DomainError as e:
            for o in taken:
                self.accounts[o.account].release(o)
            self._reject("CreateGroup", e, cause, account=None)
            return None
        self.groups.add(g)
        for o in new_orders:
            self._register(o)
        for m in g.members:
            self.orders[m.order_id].add_group(g.group_id)
        self._group_event(g, "created", cause)
        now = self.clock.now_ns()
        for o in new_orders:
            if o.order_id in held:
                o.apply(T.HOLD, now)
                self._expire_held(o)
                self._report(o, ExecType.NEW, cause)
        for o in new_orders:
            if o.order_id in held or o.status.is_terminal:
                continue  # held until released; or ended by a sibling's cascade before its turn
            if o.status is OrdStatus.PENDING_NEW:
                self._accept(o, self.venues[o.inst.symbol], cause)
            else:  # acknowledged early by a sibling's cascade (``_reduce``), not yet worked
                self._work(o, self.venues[o.inst.symbol], cause)
            self._drain()
        return g

    def _build_group(self, cmd: CreateGroup, taken: list):
        kind = cmd.kind
        if not isinstance(kind, GroupKind):
            raise DomainError(R.INVALID_FIELD, "kind must be a group kind", "kind")
        if not isinstance(cmd.members, (tuple, list)) or not all(
            isinstance(m, MemberSpec) for m in cmd.members
        ):
            raise DomainError(R.INVALID_FIELD, "members must be a list of members", "members")
        n = len(cmd.members)
        if n == 0:
            raise DomainError(R.GROUP_INVALID, "a group needs members", "members")
        roles = [m.role for m in cmd.members]
        rules = self._rules(kind, cmd.rules, n, roles)
        release_targets = {
            j
            for r in rules
            if r.action is RuleAction.RELEASE
            for j in (r.targets if r.targets is not None else range(n))
        }
        now = self.clock.now_ns()
        views, members, new_orders, held, batch_cl = [], [], [], set(), set()
        new_pos: list[int] = []  # member position of each new order
        seen_ids = set()
        for i, spec in enumerate(cmd.members):
            field = f"members[{i}]"
            if (spec.order is None) == (spec.order_id is None):
                raise DomainError(R.GROUP_INVALID, "give a new order or an order id", field)
            if spec.order_id is not None:
                o = self.orders.get(spec.order_id)
                if o is None:
                    raise DomainError(R.UNKNOWN_ORDER, f"unknown order {spec.order_id}", field)
                if o.order_id in seen_ids:
                    raise DomainError(R.GROUP_INVALID, "an order appears twice", field)
                seen_ids.add(o.order_id)
                views.append(_view(o, o.status, spec.role))
                members.append(Member(o.order_id, spec.role, o.qty))
                continue
            sub = spec.order
            if i in release_targets and sub.activate:
                sub = sub._replace(activate=False)
            try:
                acct = self._account(sub.account)
                v = self._venue(sub.symbol)
                validate_submit(sub, v.inst, now, v.ext)
                check_session(sub, v.phase if v.schedule is not None else None)
                if sub.cl_ord_id is not None and (
                    (sub.account, sub.cl_ord_id) in self.cl_index
                    or (sub.account, sub.cl_ord_id) in batch_cl
                ):
                    raise DomainError(R.DUPLICATE_CL_ORD_ID, "ClOrdID already in use", "cl_ord_id")
            except DomainError as e:
                raise DomainError(e.reason, f"member {i}: {e.text}", f"{field}.{e.field}") from None
            if sub.cl_ord_id is not None:
                batch_cl.add((sub.account, sub.cl_ord_id))
            o = self._new_order(sub, v.inst, Cause(CauseKind.COMMAND, command_id=self.cmd_seq))
            views.append(_view(o, None, spec.role))
            members.append(Member(o.order_id, spec.role, o.qty))
            new_orders.append(o)
            new_pos.append(i)
            if not sub.activate:
                held.add(o.order_id)
            else:
                siblings = [
                    p
                    for k, p in enumerate(new_orders[:-1])
                    if p.side is o.side and (p.hold_pos or p.hold_cash) and same_position(p, o)
                    and mutually_exclusive(rules, new_pos[k], i, (False, False))
                ]  # fmt: skip
                shared = sum(p.hold_pos for p in siblings)
                cash = (0, 0)
                if o.side is Side.BUY_TO_COVER and siblings:  # exits of one short: see holds
                    needs = [self._cash_need(p) for p in siblings]
                    cash = (sum(p.hold_cash for p in siblings), max(needs))
                try:
                    acct.reserve(o, self._reference_price(o, v), shared, cash)
                except DomainError as e:
                    raise DomainError(e.reason, f"member {i}: {e.text}", field) from None
                taken.append(o)
        validation.validate(cmd.validators, views, cmd.owner)
        if kind is GroupKind.BRACKET:  # spec section 2: bracket price sanity, always
            validation.bracket_prices(views, cmd.owner)
            self._check_exits_covered(views)
        # deterministic: derived from the command number, unique per engine and journal
        gid = cmd.group_id or str(uuid.UUID(int=_NS.int ^ self.cmd_seq))
        if gid in self.groups.groups:
            raise DomainError(R.GROUP_INVALID, f"group {gid} already exists", "group_id")
        accounts = {v.account for v in views}
        g = Group(
            gid, kind.value, members, rules, cmd.owner, now,
            account=accounts.pop() if len(accounts) == 1 else None,
        )  # fmt: skip
        return g, new_orders, held

    def _check_exits_covered(self, views) -> None:
        """A bracket's exits close what the entry opens: other side, same account and
        instrument, no more than the entry's quantity (take-profit tranches together, and
        stop-losses together); and they must have a position to close once the entry has
        filled: the free position plus the entry's quantity covers each exit (else the exits would be canceled
        for want of a position the moment they are released, leaving the entry unprotected)."""
        entry = next((v for v in views if v.role == "entry"), None)
        if entry is None:
            return
        for i, v in enumerate(views):
            if v.role not in ("take_profit", "stop_loss"):
                continue
            if v.side.is_buy == entry.side.is_buy:
                raise DomainError(
                    R.GROUP_MEMBER_INVALID,
                    f"member {i}: an exit must be on the other side of the entry",
                    f"members[{i}]",
                )
            if v.qty > entry.qty or v.account != entry.account or v.symbol != entry.symbol:
                raise DomainError(
                    R.GROUP_MEMBER_INVALID,
                    f"member {i}: an exit closes the entry: same account and instrument, "
                    f"quantity at most the entry's {entry.qty}",
                    f"members[{i}]",
                )
        for role in ("take_profit", "stop_loss"):
            total = sum(v.qty for v in views if v.role == role)
            if total > entry.qty:
                raise DomainError(
                    R.GROUP_INVALID,
                    f"{role} quantities add up to {total}, more than the entry's {entry.qty}",
                    "members",
                )
        acct = self.accounts.get(entry.account)
        pos = acct.positions.get(entry.symbol) if acct is not None else None
        qty = pos.qty if pos else 0
        for i, v in enumerate(views):
            if v.role not in ("take_profit", "stop_loss"):
                continue
            if v.side is Side.SELL:
                free = qty - (pos.held_long if pos else 0)
                after = free + (entry.qty if entry.side.is_buy else -entry.qty)
                if v.qty > after:
                    raise DomainError(
                        R.GROUP_MEMBER_INVALID,
                        f"member {i}: sell exit of {v.qty} exceeds the long position the "
                        f"entry leaves ({max(after, 0)})",
                        f"members[{i}]",
                    )
            elif v.side is Side.BUY_TO_COVER:
                free = -qty - (pos.held_short if pos else 0)
                after = free + (entry.qty if not entry.side.is_buy else -entry.qty)
                if v.qty > after:
                    raise DomainError(
                        R.GROUP_MEMBER_INVALID,
                        f"member {i}: buy-to-cover exit of {v.qty} exceeds the short position "
                        f"the entry leaves ({max(after, 0)})",
                        f"members[{i}]",
                    )

    def _rules(self, kind: GroupKind, explicit, n: int, roles: list[str]):
        if kind is GroupKind.CUSTOM:
            if not explicit:
                raise DomainError(R.GROUP_INVALID, "a custom group needs rules", "rules")
            for k, r in enumerate(explicit):
                for j in (r.sources or ()) + (r.targets or ()):
                    if not 0 <= j < n:
                        raise DomainError(
                            R.GROUP_INVALID, f"rule {k} names member {j} of {n}", f"rules[{k}]"
                        )
            return tuple(explicit)
        try:
            return _template(kind, n, tuple(roles))
        except ValueError as e:
            raise DomainError(R.GROUP_INVALID, str(e), "members") from None

    # -- edit / delete ------------------------------------------------------------------
    def _active_group(self, group_id: str, owner: str | None) -> Group:
        g = self.groups.get(group_id)
        if g is None or (owner is not None and g.owner != owner):
            raise DomainError(R.UNKNOWN_GROUP, f"unknown group {group_id}", "group_id")
        if g.status is not GroupStatus.ACTIVE:
            raise DomainError(
                R.GROUP_NOT_ACTIVE, f"group {group_id} is {g.status.value}", "group_id"
            )
        return g

    def _edit_group(self, cmd: EditGroup, cause: Cause) -> None:
        try:
            g = self._active_group(cmd.group_id, cmd.owner)
            kind = cmd.kind or GroupKind(g.kind)
            if not isinstance(kind, GroupKind):
                raise DomainError(R.INVALID_FIELD, "kind must be a group kind", "kind")
            if cmd.members is not None and (
                not isinstance(cmd.members, (tuple, list))
                or not all(isinstance(m, MemberSpec) for m in cmd.members)
            ):
                raise DomainError(R.INVALID_FIELD, "members must be a list of members", "members")
            # a member that stays keeps what the group recorded (base size, lots released,
            # fills of replaced ids), and the status checks judge it as it was before the
            # group acted on it (``_kept_status``): a group whose entry has filled can still
            # be edited (Alor PUT lists every member, old and new)
            if cmd.members is not None:
                specs = cmd.members
                if any(s.order is not None for s in specs):
                    raise DomainError(R.GROUP_INVALID, "edit takes existing orders", "members")
                old = {m.order_id: m for m in g.members if m.active}
                members, views = [], []
                for i, s in enumerate(specs):
                    o = self.orders.get(s.order_id)
                    if o is None:
                        raise DomainError(
                            R.UNKNOWN_ORDER, f"unknown order {s.order_id}", f"members[{i}]"
                        )
                    if any(m.order_id == o.order_id for m in members):
                        raise DomainError(
                            R.GROUP_INVALID, "an order appears twice", f"members[{i}]"
                        )
                    kept = old.get(o.order_id)
                    if kept is None and not o.status.is_terminal:  # modified out, back in?
                        heir = self._heir_of(g, o, s.role)
                        if heir is not None:
                            members.append(heir)
                            views.append(_view(o, _kept_status(o, heir), s.role))
                            continue
                    members.append(_edited_member(o, s.role, kept))
                    views.append(_view(o, _kept_status(o, kept), s.role))
                if all(self.orders[m.order_id].status.is_terminal for m in members):
                    raise DomainError(R.GROUP_INVALID, "a group needs a live order", "members")
            else:
                members = g.members
                views = [_kept_view(self.orders[m.order_id], m) for m in members]
            rules = self._rules(kind, cmd.rules, len(members), [m.role for m in members])
            validation.validate(cmd.validators, views, cmd.owner)
        except DomainError as e:
            self._reject("EditGroup", e, cause)
            return

        def change():
            g.members, g.rules, g.kind = members, rules, kind.value
            g.version += 1

        try:
            self._unlink_reholding(g, change)
        except DomainError as e:
            self._reject("EditGroup", e, cause)
            return
        self._group_event(g, "edited", cause)

    def _heir_of(self, g: Group, o, role: str) -> Member | None:
        """The member of ``g`` that ``o`` continues: ``o`` replaced it, directly or through a
        chain of new ids (``Order.orig_order_id``), and it is still in ``g.members`` (active, or
        removed by that replace: Alor IgnoreCancel). Seed 003 changes an order of a group so:
        IgnoreCancel, modify (a new id, out of the group), add the new id back. It continues
        as ``Group.substitute`` would have carried it (base size, release bookkeeping, lots
        the replaced ids filled), so the checks and rules judge it as that member (a stop the
        TriggerBracketOrders limit released reads inactive). None otherwise."""
        members = {m.order_id: m for m in g.members}
        filled = 0
        oid = o.orig_order_id
        while oid is not None:
            prev = self.orders.get(oid)
            if prev is None:
                return None
            filled += prev.cum_qty
            m = members.get(oid)
            if m is not None:
                heir = _edited_member(o, role, m)
                heir.filled_before += filled
                return heir
            oid = prev.orig_order_id
        return None

    def _delete_group(self, cmd: DeleteGroup, cause: Cause) -> None:
        try:
            g = self._active_group(cmd.group_id, cmd.owner)
            self._unlink_reholding(g, lambda: g.close(GroupStatus.CANCELED, self.clock.now_ns()))
        except DomainError as e:
            self._reject("DeleteGroup", e, cause)
            return
        self._group_event(g, "deleted", cause)


@functools.lru_cache(maxsize=256)
def _template(kind: GroupKind, n: int, roles: tuple[str, ...]):
    """Templates are pure: one tuple of rules serves every group of the same shape."""
    return rules_for(kind, n, list(roles))


def _edited_member(o, role: str, kept: Member | None) -> Member:
    """The member ``o`` becomes in an edited group: ``kept`` (its member before the edit, or
    None for a newcomer) lends it its base size and release bookkeeping, so an OTO child
    released 4 of 10 before the edit is released the rest as the parent fills after it."""
    m = Member(o.order_id, role, o.qty)
    if kept is not None:
        m.base_qty, m.released, m.was_released = kept.base_qty, kept.released, kept.was_released
        m.filled_before = kept.filled_before
    return m


def _kept_status(o, kept: Member | None):
    """The status the creation checks see for ``o`` in an edit (``MemberView.status``): a
    newcomer's own; for a member that stays (``kept``), not what the group's life did to it:
    a stop the group released reads Held (inactive until then), a member that has ended reads
    None (it joined live); otherwise its own, so a policy change still needs what creation
    needs (TriggerBracketOrders over a stop that was always active is refused)."""
    if kept is None:
        return o.status
    if kept.was_released:
        return OrdStatus.HELD
    return None if o.status.is_terminal else o.status


def _kept_view(o, m: Member) -> validation.MemberView:
    return _view(o, _kept_status(o, m), m.role)


def _link_price(o, trigger) -> None:
    """A price-linked order (``SubmitOrder.price_offset``) released by ``trigger`` (the
    releasing member's ExecutionReport): its stop price (stop orders) or limit price becomes
    that member's average fill price, rounded half up to a tick, plus the offset. A result
    below one tick leaves the price unset (``_activate`` then cancels the order)."""
    if not trigger.cum_qty:
        return
    avg = (2 * trigger.cum_cost + trigger.cum_qty) // (2 * trigger.cum_qty)
    px = avg + o.price_offset
    if px <= 0:
        return
    if o.ord_type.is_stop and not o.ord_type.is_trailing:
        o.stop_price = px
    else:
        o.price = px


def _leaves(actions, order_id: int) -> bool:
    """One of ``actions`` removes ``order_id`` from its group (Alor IgnoreCancel): the group
    then closes when that removal runs, and lists the order as gone."""
    return any(a.kind is RuleAction.REMOVE_MEMBER and a.order_id == order_id for a in actions)


def _ended_by_execution(g: Group, r) -> bool:
    """Spec section 2: a group whose last member has just ended is Filled when that end
    comes from an execution (a fill, or this group's rule fired, step by step, by a fill) and
    Canceled when it comes from a cancellation, expiry or rejection (a user's cancel of the
    last exit after the entry filled ends the group Canceled)."""
    ev = r
    while ev.exec_type is not ExecType.TRADE and ev.ord_status is not OrdStatus.FILLED:
        c = ev.cause
        if c is None or c.kind is not CauseKind.RULE or c.group_id != g.group_id:
            return False
        ev = c.trigger
    return True


def _rule_cause(group_id: str, rule: str, trigger) -> Cause:
    root = trigger.cause.command_id if trigger.cause is not None else None
    return Cause(CauseKind.RULE, command_id=root, trigger=trigger, group_id=group_id, rule=rule)


def _view(o, status, role: str) -> validation.MemberView:
    return validation.MemberView(
        o.account, o.inst.symbol, o.side, o.ord_type, o.qty, o.price, o.stop_price, o.tif,
        o.position_effect, status, o.owner, role,
    )  # fmt: skip
