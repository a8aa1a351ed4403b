"""Idempotency keys are remembered forever in the table; memory holds the input numbers of the
newest keys and the answers of fewer still: a server that has taken a million ClOrdIDs keeps
neither a million order answers nor a million keys in memory; an older key's repeat reads its
first answer back from the table, on SQLite and PostgreSQL, also after a restart."""

from __future__ import annotations

from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce
from condor.store.idempotency import IdempotencyKeys
from condor.store.journal import Store
from condor.store.recovery import open_recorder

from store_fixtures import build_engine, db_url  # noqa: F401  (fixture)


def _buy(i: int) -> SubmitOrder:
    return SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 1, price=9_000 + i,
                       tif=TimeInForce.GTC)  # fmt: skip


def test_old_answers_leave_memory_and_come_back_from_the_table(db_url):  # noqa: F811
    # Arrange: 30 keyed orders journaled; a restarted recorder keeping the newest 5 answers
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        first = [rec.apply(_buy(i), key=("native:B", f"cl-{i}")) for i in range(30)]
        store.append(rec.flush())
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        rec.keys = IdempotencyKeys(store.idempotency_keys(5), store.idempotency_response, 5)
        # Assert: every key known, only 5 answers held
        assert len(rec.keys) == 30 and len(rec.keys._answers) == 5
        # Act: repeat the oldest and the newest key
        old = rec.apply(_buy(0), key=("native:B", "cl-0"))
        new = rec.apply(_buy(29), key=("native:B", "cl-29"))
        # Assert: both answer their first answer and create nothing; memory stays bounded
        assert old.duplicate and old.response == first[0].response
        assert new.duplicate and new.response == first[29].response
        assert len(rec.engine.orders) == 30 and len(rec.keys._answers) == 5
        assert rec.pending == 0


def test_answers_of_keys_not_yet_durable_stay_in_memory():
    # a recorder's batch is at most hundreds of inputs: far fewer than the answers kept
    keys = IdempotencyKeys(None, lambda scope, key: None, recent=3)
    for i in range(3):
        keys.remember("s", f"k{i}", i + 1, {"n": i})
    assert keys.get("s", "k0") == (1, {"n": 0})
    keys.remember("s", "k3", 4, {"n": 3})  # k1 is now the oldest answer: dropped
    assert set(keys._answers) == {("s", "k0"), ("s", "k2"), ("s", "k3")}


def test_old_keys_leave_memory_and_repeats_still_find_them(db_url):  # noqa: F811
    # Arrange: memory for 10 keys and 5 answers; 30 keyed orders committed
    with Store.open(db_url) as store:
        rec, _ = open_recorder(store, build_engine)
        rec.keys = IdempotencyKeys(
            None, store.idempotency_response, 5, store.idempotency_entry, kept=10
        )
        first = [rec.apply(_buy(i), key=("native:B", f"cl-{i}")) for i in range(30)]
        store.append(rec.flush())
        assert len(rec.keys) == 10 and rec.keys.partial
        # Act: repeat a key that left memory, then send a new one
        old = rec.apply(_buy(0), key=("native:B", "cl-0"))
        new = rec.apply(_buy(30), key=("native:B", "cl-30"))
        # Assert: the repeat answers its first answer and creates nothing; the new key runs
        assert old.duplicate and old.response == first[0].response
        assert not new.duplicate and len(rec.engine.orders) == 31
        store.append(rec.flush())
    # a restart loads only the newest keys when there are more than it keeps
    with Store.open(db_url) as store:
        keys = store.idempotency_keys(3, 10)
        assert len(keys) == 10 and min(seq for seq, _ in keys.values()) == 22
        assert store.idempotency_entry("native:B", "cl-0")[0] == 1
        assert store.idempotency_entry("native:B", "nope") is None
