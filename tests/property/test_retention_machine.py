"""Forgetting finished orders and closed groups changes nothing an engine does.

Property (engine/retention.py invariants): the random group-cascade machine of
``test_group_cascades`` drives a second engine with ``retain_terminal=3`` in lockstep with the
one that keeps everything; after every input
- both produced the same events (same text, field by field);
- the forgetting engine passes the same invariants (book, triggers, holds, groups);
- it kept every live order, every Active group, and every member of every group it kept;
- once it has forgotten what is due, it keeps no more finished orders (beyond those its kept
  groups list) and closed groups than the limit;
- a snapshot-style copy (pickle) restored mid-run continues identically.
"""

from __future__ import annotations

import pickle

from hypothesis import HealthCheck, settings
from hypothesis.stateful import initialize, invariant
from test_group_cascades import LONG, SYM, CascadeMachine, check_engine, check_groups, watchdog

from condor.domain.groups.model import GroupStatus

import builders

IBM = builders.IBM
KEEP = 3
FORGOTTEN = [0, 0]  # orders, groups forgotten over the run (summed per step: a sanity figure)


def _accounts():
    return (
        builders.account("A", "alice", usd=10**8, positions={SYM: (10**5, "100", IBM)}),
        builders.account("B", "bob", usd=10**8, positions={SYM: (25, "100", IBM)}),
        builders.account("C", "carol", usd=10**8, positions={SYM: (10**5, "100", IBM)}),
    )


class RetentionMachine(CascadeMachine):
    @initialize()
    def start_shadow(self):
        self.shadow = builders.engine(*_accounts(), retain_terminal=KEEP)
        self.inputs = 0

    def _run(self, what: str, fn, arg):
        events = super()._run(what, fn, arg)
        name = fn.__name__
        method = self.shadow.handle if name == "handle" else self.shadow.on_market
        with watchdog(f"shadow {what}"):
            mirrored = method(arg)
        assert [repr(ev) for ev in mirrored] == [repr(ev) for ev in events], what
        self.inputs += 1
        if self.inputs % 7 == 0:  # a restored snapshot must carry the retention state
            self.shadow = pickle.loads(pickle.dumps(self.shadow))
        return events

    @invariant()
    def shadow_consistent(self):
        s = self.shadow
        check_engine(s)
        check_groups(s)

    @invariant()
    def shadow_keeps_what_matters(self):
        s, full = self.shadow, self.e
        s._forget_finished()  # what the next input does first
        assert s.live.keys() == full.live.keys()
        for oid in full.live:
            assert oid in s.orders, f"live order {oid} forgotten"
        kept_members: set[int] = set()
        for gid, g in full.groups.groups.items():
            if g.status is GroupStatus.ACTIVE:
                assert gid in s.groups.groups, f"active group {gid} forgotten"
        for g in s.groups:
            for m in g.members:
                assert m.order_id in s.orders, f"group {g.group_id} lost member {m.order_id}"
                kept_members.add(m.order_id)
        loose = [
            oid for oid, o in s.orders.items() if o.status.is_terminal and oid not in kept_members
        ]
        assert len(loose) <= KEEP, f"{len(loose)} finished orders kept, limit {KEEP}"
        closed = [g for g in s.groups if g.status is not GroupStatus.ACTIVE]
        assert len(closed) <= KEEP, f"{len(closed)} closed groups kept, limit {KEEP}"
        for oid, o in s.orders.items():
            assert full.orders[oid].status is o.status
        FORGOTTEN[0] += s.forgotten_orders
        FORGOTTEN[1] += s.forgotten_groups


RetentionMachine.TestCase.settings = settings(
    max_examples=150 * LONG,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_retention_machine = RetentionMachine.TestCase


def test_retention_machine_forgot_something():
    """The machine above exercised forgetting (runs after it in the same module)."""
    if FORGOTTEN == [0, 0]:
        test_retention_machine().runTest()
    assert FORGOTTEN[0] > 0 and FORGOTTEN[1] > 0, FORGOTTEN
