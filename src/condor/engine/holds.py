"""Shared position holds of closing orders in groups (a mixin of ``Engine``).

Invariants:
- a closing order (Sell, BuyToCover) may count on the position holds of its mutually exclusive
  siblings (``Group.exclusive``: every fill of either shrinks the other), in every group it
  sits in, instead of holding those lots a second time: together they never execute more than
  the larger of them, so the account never sells what it does not hold. A BuyToCover shares
  the cash holds of its exclusive BuyToCover siblings the same way: together they hold what
  the dearest of them costs (``Account.reserve``), not the sum.
- an order that holds less than its leaves (or a BuyToCover less cash than it costs:
  "under-held") always has such siblings; when the one holding for it ends, shrinks or leaves
  the group, it re-takes its own hold (REHOLD, the largest first so the others can share its
  hold again); one the account can no longer back is canceled. Deleting or editing a group is
  refused (POSITION_HELD) when its orders could not all be backed once unlinked, and then
  changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from condor.domain.errors import DomainError, RejectReason
from condor.domain.groups.model import Action, Group, GroupStatus
from condor.domain.orders.enums import ExecType, Side
from condor.domain.orders.status import Transition as T

R = RejectReason
REHOLD = "rehold"
"""Engine-internal action: re-take the position hold of a closing order whose exclusive
sibling, which held the position for both, ended or shrank (not a rule a user can write)."""
_CLOSING = (Side.SELL, Side.BUY_TO_COVER)


_SIBLING_GONE = (
    "canceled: the sibling that held its position ended or left its group and the position "
    "no longer covers it"
)


def _largest_first(o) -> tuple[int, int]:
    """Sort key of under-held orders: the largest leaves first, then by order id."""
    return (o.cum_qty - o.qty, o.order_id)


def same_position(a, b) -> bool:
    """Whether orders ``a`` and ``b`` close the same position (account and instrument): only
    then may one count on the other's position and cash holds (a group may span accounts)."""
    return a.account == b.account and a.inst.symbol == b.inst.symbol


class SharedHolds:
    def _reserve(self, o, v) -> None:
        """Take ``o``'s holds, sharing the position (and, for a BuyToCover, the cash) holds of
        exclusive siblings."""
        pos = held = dearest = 0
        for _, s in self._exclusive_siblings(o):
            pos += s.hold_pos
            if s.side is Side.BUY_TO_COVER:
                held += s.hold_cash
                dearest = max(dearest, self._cash_need(s))
        self.accounts[o.account].reserve(o, self._reference_price(o, v), pos, (held, dearest))

    def _cash_need(self, o) -> int:
        """Cash units a BuyToCover ``o`` needs for its leaves at its reference price, alone."""
        ref = self._reference_price(o, self.venues[o.inst.symbol])
        if ref is None or ref <= 0:
            return 0
        return o.inst.notional(ref, o.qty - o.cum_qty) // self.accounts[o.account].leverage

    def _under_held(self, o) -> bool:
        """A working closing order holding fewer position lots than it may still sell, or (a
        BuyToCover) less cash than it needs: it counts on an exclusive sibling's hold."""
        if not (o.status.is_working and o.side in _CLOSING):
            return False
        if o.hold_pos < o.qty - o.cum_qty:
            return True
        return o.side is Side.BUY_TO_COVER and o.hold_cash < self._cash_need(o)

    def _exclusive_siblings(self, o) -> Iterator[tuple[str, object]]:
        """(group id, order) of each other member on ``o``'s side and position (account and
        instrument) that is mutually exclusive with ``o`` in one of its groups, each order
        once, in group then member order."""
        if o.groups is None or o.side not in _CLOSING:
            return
        seen = {o.order_id}
        for gid in tuple(o.groups):
            g = self.groups.get(gid)
            i = g.position(o.order_id) if g is not None else None
            if i is None:
                continue
            for j, m in enumerate(g.members):
                s = self.orders.get(m.order_id)
                if (
                    s is not None
                    and s.order_id not in seen
                    and s.side is o.side
                    and same_position(s, o)
                    and g.exclusive(i, j)
                ):
                    seen.add(s.order_id)
                    yield gid, s

    def _leaning_siblings(self, o, r) -> list[Action]:
        """REHOLD actions for the under-held exclusive siblings of ``o`` (they may have counted
        on ``o``'s hold, and ``o`` has just ended or changed: report ``r``), largest first."""
        found = [(gid, s) for gid, s in self._exclusive_siblings(o) if self._under_held(s)]
        found.sort(key=lambda gs: _largest_first(gs[1]))
        return [Action(REHOLD, s.order_id, None, gid, "position hold", r) for gid, s in found]

    def _rehold_one(self, o, cause) -> None:
        """REHOLD: take the hold ``o`` now needs; when the position cannot back it any more,
        cancel it (a closing order never sells what the account does not hold)."""
        if self._under_held(o):
            self._retake(o, cause, lambda e: _SIBLING_GONE)

    def _retake(self, o, cause, why: Callable[[DomainError], str]) -> bool:
        """Release ``o``'s holds and take them again as they are needed now (``_reserve``).
        When the account cannot back them, put the old holds back, cancel ``o`` with the
        reason and the text ``why(error)``, and return False."""
        acct = self.accounts[o.account]
        saved = (o.hold_cash, o.hold_pos, o.hold_net)
        acct.release(o)
        try:
            self._reserve(o, self.venues[o.inst.symbol])
        except DomainError as e:
            acct.restore(o, *saved)
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, reason=e.reason, text=why(e))
            return False
        return True

    def _rehold_parted(self, o, g: Group, cause) -> None:
        """``o`` has just left group ``g`` (REMOVE_MEMBER) and may keep working: it and the
        members it shared a position hold with through ``g`` lose that sibling, so each
        under-held one re-takes its own hold or is canceled (``_rehold_one``), largest first."""
        parted = [o] + [
            s for m in g.members
            if (s := self.orders.get(m.order_id)) is not None and s is not o and s.side is o.side
        ]  # fmt: skip
        for s in sorted(filter(self._under_held, parted), key=_largest_first):
            self._rehold_one(s, cause)

    def _rehold_priced(self, o, cause) -> bool:
        """Re-take the holds of ``o``, an elected trailing stop limit whose limit price is set
        only now (spec section 1, "Triggers"): it was held at the touch when it arrived (or not
        at all when no price was known), and once it rests a passive fill spends its limit with
        no further check, so a buy must hold what its limit may cost. When the account cannot
        cover that, cancel it with the reason (INSUFFICIENT_FUNDS) and return False."""
        return self._retake(o, cause, lambda e: f"canceled when triggered: {e.text}")

    def _rehold(self, orders) -> None:
        """Re-take the position holds of the under-held ``orders`` (their group was deleted or
        edited), largest first. Raises DomainError (POSITION_HELD) when the position cannot
        back them all; the caller then puts every hold back."""
        todo = sorted(filter(self._under_held, orders), key=_largest_first)
        for o in todo:
            self.accounts[o.account].release(o)
        for o in todo:
            try:
                self._reserve(o, self.venues[o.inst.symbol])
            except DomainError as e:
                raise DomainError(
                    R.POSITION_HELD,
                    f"order {o.order_id} would then need a position hold it cannot have "
                    f"({e.text}); cancel or reduce it first",
                    "group_id",
                ) from None

    def _link(self, g: Group) -> None:
        """Link an Active group's active members to it."""
        if g.status is GroupStatus.ACTIVE:
            for m in g.members:
                if m.active:
                    self.orders[m.order_id].add_group(g.group_id)

    def _unlink_reholding(self, g: Group, change) -> None:
        """Apply ``change`` (closing ``g`` or giving it new members and rules) and unlink the
        orders that leave it, then re-take the position holds of closing orders that counted
        on a sibling's hold through ``g``. All or nothing: raises DomainError (POSITION_HELD)
        with every hold, link and field of ``g`` as before when the position cannot back them
        (deleting the OCO of a take-profit and a stop on one position would leave two Sells
        of it)."""
        before = [self.orders[m.order_id] for m in g.members if m.order_id in self.orders]
        saved = [(o, o.hold_cash, o.hold_pos, o.hold_net) for o in before]
        fields = (g.members, g.rules, g.kind, g.status, g.closed_ns, g.version)
        for o in before:
            o.remove_group(g.group_id)
        change()
        self._link(g)
        try:
            self._rehold(before)
        except DomainError:
            for o, *holds in saved:
                self.accounts[o.account].restore(o, *holds)
            for m in g.members:
                o = self.orders.get(m.order_id)
                if o is not None:
                    o.remove_group(g.group_id)
            g.members, g.rules, g.kind, g.status, g.closed_ns, g.version = fields
            self._link(g)
            raise
