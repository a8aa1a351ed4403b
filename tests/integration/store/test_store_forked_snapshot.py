"""Snapshots written by a forked child (``Snapshotter(fork=True)``, the server's default), on
SQLite and PostgreSQL: the child's snapshot restores the engine exactly as it stood when it
was forked, while the parent goes on applying inputs; a child that fails leaves no snapshot, is
counted, and the snapshot is retried at the next commit; the parent's own connections keep
working after the child exits."""

from __future__ import annotations

from condor.store.journal import Store
from condor.store.recovery import open_recorder, recover
from condor.store.snapshot import Snapshotter

from store_fixtures import (
    build_engine,
    db_url,  # noqa: F401  (fixture)
    engine_state,
    run,
    scenario,
)


def test_forked_child_snapshots_the_state_at_fork_time(db_url):  # noqa: F811
    inputs = scenario()
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        snap = Snapshotter(store, rec.engine, every=7, fork=True)
        forked_at = None
        for x in inputs[:16]:
            rec.apply(x)
            store.append(rec.flush())  # the parent's connection, used while a child writes
            if snap.maybe(rec.next_seq - 1) and forked_at is None:
                forked_at = rec.next_seq - 1
        snap.wait()
        assert snap.failures == 0 and forked_at == 7
        kept = [r.input_seq for r in store.snapshots()]
        # due at 14; while the child of 7 is still writing, the next inputs (15, 16) retry
        assert kept and kept[0] in (7, 14, 15, 16), kept
    with Store.open(db_url) as store:
        from_snap, info = recover(store, build_engine)
        full, _ = recover(store, build_engine, use_snapshot=False)
    assert info.snapshot_seq == kept[0] and info.replayed == 16 - kept[0]
    assert engine_state(from_snap) == engine_state(full)
    assert repr(run(from_snap, inputs[16:])) == repr(run(full, inputs[16:]))


def test_a_failed_child_leaves_no_snapshot_and_is_retried(db_url):  # noqa: F811
    inputs = scenario()
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        snap = Snapshotter(store, rec.engine, every=5, fork=True)
        rec.engine.unpicklable = lambda: None  # the child's pickling fails for real
        for x in inputs[:5]:
            rec.apply(x)
            store.append(rec.flush())
        assert snap.maybe(5)
        snap.wait()
        assert snap.failures == 1 and snap.last_seq == 0 and store.snapshots() == []
        del rec.engine.unpicklable
        rec.apply(inputs[5])
        store.append(rec.flush())
        assert snap.maybe(6)  # due again at once
        snap.wait()
        assert snap.failures == 1 and [r.input_seq for r in store.snapshots()] == [6]
