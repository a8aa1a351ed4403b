"""``condor db check``: verify the stored events and read models against a fresh replay.

Invariant checked: replaying the journal's inputs 1..N through a fresh engine reproduces every
stored event (same seq, type, payload and shallow cause, in the same input) and ends in the
state the read-model tables describe (orders, groups, positions, accounts: row for row; the
rows of finished orders and closed groups the engine's retention limit made it forget are
checked through the events that made them, not row by row), and that the replayed engine keeps
its invariants (``Engine.check_invariants``: books, trigger indexes, and every account's holds
equal to the holds of its live orders). Each
difference is reported as one line; an empty report means the database is consistent.

A database with an empty journal and empty read models (``condor db upgrade`` made it, no
server has started on it yet) is consistent: there is nothing to compare, and the first server
to start writes its initial state. Once any state row exists, the initial state is compared
like any other (a server that has journaled nothing yet wrote the configured accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from condor.store import codec
from condor.store.errors import RecoveryError
from condor.store.journal import Store
from condor.store.recorder import event_row
from condor.store.recovery import replay_row
from condor.store.rows import all_rows

MAX_REPORTED = 200


@dataclass
class CheckReport:
    inputs: int = 0
    events: int = 0
    differences: list[str] = field(default_factory=list)
    empty: bool = False  # no journal and no state: nothing was ever written

    @property
    def ok(self) -> bool:
        return not self.differences

    def add(self, text: str) -> None:
        if len(self.differences) < MAX_REPORTED:
            self.differences.append(text)

    def __str__(self) -> str:
        head = f"checked {self.inputs} inputs, {self.events} events: "
        if self.ok:
            return head + ("OK (empty: no server has started on it yet)" if self.empty else "OK")
        return head + f"{len(self.differences)} difference(s)\n" + "\n".join(self.differences)


_COMPARED = ("type", "input_seq", "ts_ns", "order_id", "group_id", "account", "payload")


def check(store: Store, build_engine: Callable[[], object], chunk: int = 5_000) -> CheckReport:
    """Replay the whole journal into ``build_engine()`` and compare (see module doc)."""
    rep = CheckReport()
    if store.last_input_seq() == 0 and store.last_event_seq() == 0 and not store.has_state():
        rep.empty = True
        return rep
    engine = build_engine()
    engine.listeners = []
    pending: list = []  # (input_seq, events) not yet compared

    def compare(batch: list) -> None:
        first = next((ev[0].seq for _, ev in batch if ev), None)
        last = next((ev[-1].seq for _, ev in reversed(batch) if ev), None)
        stored = {} if first is None else {r.seq: r for r in store.events_between(first, last)}
        for seq, evs in batch:
            for ev in evs:
                rep.events += 1
                want = event_row(ev, seq)
                got = stored.pop(ev.seq, None)
                if got is None:
                    rep.add(f"event {ev.seq} of input {seq} ({type(ev).__name__}) is missing")
                    continue
                for k in _COMPARED:
                    if got._mapping[k] != want[k]:
                        rep.add(f"event {ev.seq} field {k}: stored {got._mapping[k]!r}, "
                                f"replay {want[k]!r}")  # fmt: skip
                        break
                else:
                    if _cause(got.cause) != _cause(want["cause"]):
                        rep.add(f"event {ev.seq} cause: stored {got.cause}, replay {want['cause']}")
        for s in stored:
            rep.add(f"event {s} is stored but the replay does not produce it")

    last_seq = 0
    for row in store.inputs():
        if row.seq != last_seq + 1:
            rep.add(f"journal gap: input {last_seq + 1} missing before {row.seq}")
        last_seq = row.seq
        try:
            evs = list(replay_row(engine, row))
        except Exception as e:  # a journal the engine cannot run is a finding, not a crash
            rep.add(f"input {row.seq} ({row.type}) fails on replay: {e!r}")
            break
        rep.inputs += 1
        first = evs[0].seq if evs else None
        lst = evs[-1].seq if evs else None
        if (first, lst) != (row.first_event, row.last_event):
            rep.add(f"input {row.seq}: replay events {first}..{lst}, "
                    f"journal {row.first_event}..{row.last_event}")  # fmt: skip
        pending.append((row.seq, evs))
        if len(pending) >= chunk:
            compare(pending)
            pending = []
    if pending:
        compare(pending)
    stored_last = store.last_event_seq()
    if stored_last > engine.seq:
        rep.add(f"events up to {stored_last} are stored, the replay ends at {engine.seq}")
    _compare_state(store, engine, rep)
    try:
        engine.check_invariants()
    except AssertionError as e:  # books, triggers, holds: a broken invariant is a finding
        rep.add(f"the replayed engine breaks an invariant: {e}")
    return rep


def _cause(text):
    return None if text is None else codec.loads(text)


def _compare_state(store: Store, engine, rep: CheckReport) -> None:
    want_all = all_rows(engine)
    for table, want in want_all.items():
        got = store.state_rows(table)
        for pk, row in want.items():
            g = got.pop(pk, None)
            if g is None:
                rep.add(f"{table} {pk}: missing from the table")
                continue
            for k, v in row.items():
                if _norm(g[k]) != _norm(v):
                    rep.add(f"{table} {pk} {k}: table {g[k]!r}, replay {v!r}")
        for pk in got:
            if _forgotten(engine, table, pk):
                continue
            rep.add(f"{table} {pk}: in the table but not in the replayed state")


def _forgotten(engine, table: str, pk: tuple) -> bool:
    """A row of a finished order or closed group the replayed engine no longer keeps (its
    retention limit, ``engine/retention.py``): the events that made it were compared."""
    if table == "orders":
        return engine.forgotten_orders > 0 and pk[0] <= engine.order_seq
    if table == "groups":
        return engine.forgotten_groups > 0
    return False


def _norm(v):
    return int(v) if isinstance(v, bool) else v


def verify_or_raise(store: Store, build_engine) -> CheckReport:
    rep = check(store, build_engine)
    if not rep.ok:
        raise RecoveryError(str(rep))
    return rep
