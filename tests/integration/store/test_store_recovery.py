"""The persistence suite, on SQLite and on PostgreSQL: append + recover restores the engine
exactly (orders, groups, positions, cash, book, trailing water marks, Held orders, sequence
numbers) and the recovered engine continues with the same events as one that never stopped;
snapshots; idempotency across restarts; ``check``; bad database files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from condor.domain.orders.enums import OrdStatus
from condor.store import schema as S
from condor.store.check import check
from condor.store.errors import RecoveryError, StoreError
from condor.store.journal import Store
from condor.store.recovery import open_recorder, recover
from condor.store.snapshot import Snapshotter

from store_fixtures import (
    build_engine,
    db_url,  # noqa: F401  (fixture)
    engine_state,
    record,
    run,
    scenario,
)

# Restart points: after the linked groups are set up and the trailing stop is mid-trail
# (11: trail at 102.50; 13: high 104, before the OTO parent fills), with Held OTO and bracket
# children (9..12), and after the cascade (18).
RESTARTS = [9, 11, 13, 18]


@pytest.mark.parametrize("k", RESTARTS)
def test_restart_gives_the_same_state_and_the_same_future(db_url, k):  # noqa: F811
    # Arrange: a reference engine that never stops, and a stored run of the first k inputs
    inputs = scenario()
    ref = build_engine()
    run(ref, inputs[:k])
    with Store.open(db_url) as store:
        record(store, inputs[:k])
    # Act: reopen and recover
    with Store.open(db_url) as store:
        rec, info = open_recorder(store, build_engine)
        e = rec.engine
        # Assert: state equal, then the same events from here on
        assert info.last_input_seq == k and info.snapshot_seq == 0
        assert engine_state(e) == engine_state(ref)
        after = [rec.apply(x).events for x in inputs[k:]]
        store.append(rec.flush())
        assert repr([ev for evs in after for ev in evs]) == repr(run(ref, inputs[k:]))
        assert check(store, build_engine).ok


def test_recovered_state_has_trail_held_children_and_links(db_url):  # noqa: F811
    # Arrange
    inputs = scenario()
    with Store.open(db_url) as store:
        record(store, inputs[:13])
    # Act
    with Store.open(db_url) as store:
        e, _ = recover(store, build_engine)
    # Assert: the things users lose on restart with other tools
    assert e.orders[6].trail.water == 10400 and e.orders[6].stop_price == 10300
    assert e.orders[8].status is OrdStatus.HELD and e.orders[10].status is OrdStatus.HELD
    assert e.orders[3].groups is not None and len(e.orders[3].groups) == 2
    assert e.venues["IBM"].triggers.entry(6) is not None
    e.check_invariants()


def test_snapshot_plus_tail_equals_full_replay(db_url):  # noqa: F811
    # Arrange: snapshot every 7 inputs while recording
    inputs = scenario()
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        snap = Snapshotter(store, rec.engine, every=7)
        for x in inputs[:16]:
            rec.apply(x)
            store.append(rec.flush())
            snap.maybe(rec.next_seq - 1)
        assert len(store.snapshots()) == 2  # 7 and 14 kept
    # Act
    with Store.open(db_url) as store:
        from_snap, info = recover(store, build_engine)
        full, info_full = recover(store, build_engine, use_snapshot=False)
    # Assert
    assert info.snapshot_seq == 14 and info.replayed == 2
    assert info_full.snapshot_seq == 0 and info_full.replayed == 16
    assert engine_state(from_snap) == engine_state(full)
    assert repr(run(from_snap, inputs[16:])) == repr(run(full, inputs[16:]))


def test_snapshot_of_other_code_is_skipped(db_url):  # noqa: F811
    # Arrange
    inputs = scenario()
    with Store.open(db_url) as store:
        rec = record(store, inputs[:10])
        store.write_snapshot(10, rec.engine.seq, "condor-engine-pickle/0/old", 0, b"junk")
    # Act
    with Store.open(db_url) as store:
        e, info = recover(store, build_engine)
    # Assert: full replay instead
    assert info.snapshot_seq == 0 and info.skipped_snapshots == ("condor-engine-pickle/0/old",)
    ref = build_engine()
    run(ref, inputs[:10])
    assert engine_state(e) == engine_state(ref)


def test_idempotency_survives_reopen(db_url):  # noqa: F811
    # Arrange
    cmd = scenario()[0]
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        first = rec.apply(cmd, key=("native:A", "cl-1"))
        store.append(rec.flush())
    # Act
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        again = rec.apply(cmd, key=("native:A", "cl-1"))
        other = rec.apply(cmd, key=("native:B", "cl-1"))
        store.append(rec.flush())
        # Assert: the first answer, nothing created; another scope is another key
        assert again.duplicate and again.input_seq == first.input_seq
        assert again.response == first.response and again.events == []
        assert not other.duplicate and len(rec.engine.orders) == 2
        assert store.last_input_seq() == 2


def test_check_finds_a_corrupted_state_row(db_url):  # noqa: F811
    # Arrange
    with Store.open(db_url) as store:
        record(store, scenario())
        assert check(store, build_engine).ok
        with store.db.begin() as c:
            c.execute(sa.update(S.orders).where(S.orders.c.order_id == 7).values(cum_qty=3))
            c.execute(sa.update(S.events).where(S.events.c.seq == 5).values(payload="{}"))
        # Act
        rep = check(store, build_engine)
    # Assert
    assert not rep.ok
    text = str(rep)
    assert "orders (7,) cum_qty: table 3, replay 10" in text
    assert "event 5 field payload" in text


def test_check_finds_holds_that_do_not_add_up(db_url):  # noqa: F811
    # Arrange: a stored run; an engine build whose account holds cash no order asked for
    with Store.open(db_url) as store:
        record(store, scenario())

        def leaky_engine():
            e = build_engine()
            a = next(iter(e.accounts.values()))
            a.held_cash["USD"] = a.held_cash.get("USD", 0) + 1
            return e

        # Act
        rep = check(store, leaky_engine)
    # Assert: named as a broken invariant (the rows differ too: the account's held cash)
    assert "the replayed engine breaks an invariant" in str(rep) and "held USD" in str(rep)


def test_replay_mismatch_is_a_recovery_error(db_url):  # noqa: F811
    # Arrange: a journal whose stored event range disagrees with the code
    with Store.open(db_url) as store:
        record(store, scenario()[:4])
        with store.db.begin() as c:
            c.execute(sa.update(S.journal).where(S.journal.c.seq == 3).values(last_event=99))
        # Act / Assert
        with pytest.raises(RecoveryError, match="input 3"):
            recover(store, build_engine)


def test_read_models_answer_without_the_engine(db_url):  # noqa: F811
    with Store.open(db_url) as store:
        record(store, scenario())
        mine = store.orders_of_account("B")
        canceled = store.orders_by_status("Canceled")
        groups = store.groups_of_owner("bob")
    assert [o["order_id"] for o in mine] == [7, 8, 9, 10, 11]
    assert {o["order_id"] for o in canceled} >= {2, 3, 4, 5}
    assert len(groups) == 2 and all(g["status"] != "Active" for g in groups)


def test_corrupt_sqlite_file_is_refused(tmp_path):
    # Arrange
    p = tmp_path / "condor.db"
    p.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    # Act / Assert
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(f"sqlite:///{p}")


def test_damaged_sqlite_pages_are_refused(tmp_path):
    # Arrange: a real Condor database whose pages after the header are overwritten
    url = f"sqlite:///{tmp_path}/condor.db"
    with Store.open(url) as store:
        record(store, scenario()[:5])
    raw = bytearray((tmp_path / "condor.db").read_bytes())
    raw[100:] = b"\xff" * (len(raw) - 100)
    (tmp_path / "condor.db").write_bytes(bytes(raw))
    # Act / Assert
    with pytest.raises(StoreError), Store.open(url) as store:
        store.last_input_seq()


def test_foreign_sqlite_database_is_refused(tmp_path):
    # Arrange
    import sqlite3

    p = tmp_path / "other.db"
    with sqlite3.connect(p) as c:
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    # Act / Assert
    with pytest.raises(StoreError, match="not a Condor database"):
        Store.open(f"sqlite:///{p}")


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot open database"):
        Store.open("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")


def test_migrations_create_exactly_the_schema(db_url):  # noqa: F811
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with Store.open(db_url) as store, store.db.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), S.metadata) == []
