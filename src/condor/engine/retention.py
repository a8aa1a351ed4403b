"""Retention of finished orders and closed groups: how long the engine keeps them in memory.

A long-running server sees orders end all day; keeping every terminal order and closed group in
``Engine.orders`` / ``Engine.groups`` makes memory grow without bound. With
``retain_terminal = N`` the engine keeps the N most recently *finished items* (an order that
reached a terminal OrdStatus, FIX 39 = 2/4/8/C; a group that closed) and forgets older ones;
their last state is in the journal's read model (``store.rows``), where readers find them.
``None`` (the default, used by backtests and tests) keeps everything.

Invariants:
- only terminal orders and closed groups are ever forgotten; open orders, Held orders and
  Active groups stay, whatever their age;
- a group that is kept keeps its members (``_pins`` counts, per order id, the kept groups that
  list it), so a group is always shown with all its orders; the members of a forgotten group are
  forgotten with it when they are terminal and no other kept group lists them;
- forgetting happens only between inputs (at the start of ``handle`` / ``on_market``), never in
  the middle of one, so listeners and the journal's recorder see every order an input touched;
- deterministic: what is kept is a function of the input sequence alone (a FIFO of finished
  items, no clock, no memory measurement), so a replayed journal and a restored snapshot keep
  exactly what the live engine kept.

What is kept is not only a matter of memory: a command naming a finished order the engine
still keeps is refused as ended (``order.terminal``, ``group.member_invalid``) and one naming a
forgotten order as unknown (``order.unknown_order``), and a modify chain walked through
``Order.orig_order_id`` (``GroupHandlers._heir_of``) stops at a forgotten link. So the limit is
part of the input sequence: it is set when the engine is built and changed only by the
``SetRetention`` input (``domain/orders/commands.py``), which a journaled server records when
its configured limit differs from the journal's (``store/writer.py``). A replay builds its
engine with the journal's first recorded limit (``api/bootstrap.engine_factory``) and applies
each change at the input where it was made; a snapshot carries the limit in effect with the
rest of this state (``retain_terminal``, ``_keep``, ``_done``), so the configuration a replay
runs under never changes what it reproduces.
"""

from __future__ import annotations

from collections import deque

from condor.domain.errors import DomainError, RejectReason
from condor.domain.groups.model import Group, GroupStatus
from condor.domain.orders.commands import SetRetention
from condor.domain.orders.events import Cause


class Retention:
    """Engine mixin (state set up by ``_init_retention``; the engine calls ``_retire_done``
    when an order ends, ``_track_group`` after every group event and ``_forget_finished``
    before each input; ``SetRetention`` runs ``_set_retention_cmd``)."""

    def _init_retention(self, retain_terminal: int | None) -> None:
        self._done: deque[tuple[bool, int | str]] = deque()  # (is_group, id), oldest first
        self._pins: dict[int, int] = {}  # order id -> kept groups listing it
        self._pinned: dict[str, tuple[int, ...]] = {}  # kept group id -> its member ids
        self._closed: set[str] = set()  # closed groups queued to be forgotten
        self.forgotten_orders = 0
        self.forgotten_groups = 0
        self.set_retention(retain_terminal)

    def set_retention(self, retain_terminal: int | None) -> None:
        """Change the limit (an int >= 0: finished items kept; ``None`` keeps everything from
        now on; what finished while there was no limit is never forgotten). Between inputs
        only, and for a journaled engine only through the ``SetRetention`` input (module
        doc: the limit changes answers, so a replay must change it at the same point).
        Raises ValueError for a negative or non-integer limit."""
        if retain_terminal is not None and (
            type(retain_terminal) is not int or retain_terminal < 0
        ):
            raise ValueError("retain_terminal must be an int >= 0 or None")
        if retain_terminal is None:
            self._done.clear()
        self.retain_terminal = retain_terminal
        self._keep = (1 << 62) if retain_terminal is None else retain_terminal

    def _set_retention_cmd(self, cmd: SetRetention, cause: Cause) -> None:
        """``SetRetention``: the new limit applies from the next input on (forgetting happens
        only at the start of an input); a bad value is a ``CommandRejected``
        (``validation.invalid_field``, field ``retain_terminal``) that changes nothing."""
        try:
            self.set_retention(cmd.retain_terminal)
        except ValueError as e:
            err = DomainError(RejectReason.INVALID_FIELD, str(e), "retain_terminal")
            self._reject("SetRetention", err, cause)

    # -- hooks --------------------------------------------------------------------------
    def _retire_done(self, o) -> None:
        """``o`` just became terminal: queue it to be forgotten unless a group keeps it."""
        if self.retain_terminal is not None and o.order_id not in self._pins:
            self._done.append((False, o.order_id))

    def _track_group(self, g: Group) -> None:
        """After a group event: pin its members (they may have changed) and queue the group
        once it is closed (pins are kept even without a limit, so one can be set later)."""
        gid = g.group_id
        old = self._pinned.get(gid, ())
        new = tuple(dict.fromkeys(m.order_id for m in g.members))
        if new != old:
            pins = self._pins
            for oid in new:
                if oid not in old:
                    pins[oid] = pins.get(oid, 0) + 1
            for oid in old:
                if oid not in new:
                    self._unpin(oid, queue=True)
            self._pinned[gid] = new
        if (
            self.retain_terminal is not None
            and g.status is not GroupStatus.ACTIVE
            and gid not in self._closed
        ):
            self._closed.add(gid)
            self._done.append((True, gid))

    def _unpin(self, oid: int, queue: bool) -> bool:
        """Drop one pin of ``oid``; True when nothing pins it any more and it is terminal
        (queued when ``queue``, else for the caller to forget now)."""
        n = self._pins[oid] - 1
        if n:
            self._pins[oid] = n
            return False
        del self._pins[oid]
        o = self.orders.get(oid)
        if o is None or not o.status.is_terminal or o.groups:
            return False
        if queue and self.retain_terminal is not None:
            self._done.append((False, oid))
        return True

    # -- forgetting ---------------------------------------------------------------------
    def _forget_finished(self) -> None:
        """Forget the oldest finished items beyond ``retain_terminal`` (between inputs)."""
        done, keep = self._done, self._keep
        while len(done) > keep:
            is_group, key = done.popleft()
            if is_group:
                self._forget_group(key)
            else:
                self._forget_order(key)

    def _forget_order(self, oid: int) -> None:
        o = self.orders.get(oid)
        if o is None or oid in self._pins or not o.status.is_terminal or o.groups:
            return
        del self.orders[oid]
        self.history.pop(oid, None)
        self.forgotten_orders += 1

    def _forget_group(self, gid: str) -> None:
        self._closed.discard(gid)
        g = self.groups.forget(gid)
        if g is None:
            return
        self.forgotten_groups += 1
        for oid in self._pinned.pop(gid, ()):
            if self._unpin(oid, queue=False):
                self._forget_order(oid)
