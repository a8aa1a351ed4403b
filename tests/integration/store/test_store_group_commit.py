"""Group commit: concurrent submitters share transactions, each is acknowledged only after its
commit, a repeated idempotency key answers the first response, and a failed commit fails its
batch and makes the committer refuse everything after it, as does an engine that raises while it
applies an input (it may hold changes the journal does not)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from condor.domain.market import TradeTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce
from condor.store.check import check
from condor.store.committer import GroupCommitter
from condor.store.errors import EngineFault, StoreError
from condor.store.journal import Store
from condor.store.recovery import open_recorder

from store_fixtures import T0, build_engine, db_url  # noqa: F401


def _order(i: int) -> SubmitOrder:
    return SubmitOrder(
        "B", "IBM", Side.BUY, OrdType.LIMIT, 1, price=9_000 + i % 50, tif=TimeInForce.GTC,
        cl_ord_id=f"c{i}",
    )  # fmt: skip


def test_concurrent_submitters_are_acknowledged_after_commit(db_url):  # noqa: F811
    async def main():
        with Store.open(db_url) as store:
            rec, _ = open_recorder(store, build_engine)
            gc = GroupCommitter(rec, store, max_batch=16, max_wait_ms=1)
            await gc.start()

            async def submitter(k: int) -> list:
                out = []
                for j in range(10):
                    i = k * 10 + j
                    a = await gc.submit(_order(i), key=("native:B", f"c{i}"))
                    # acknowledged: it is in the journal already
                    assert store.last_input_seq() >= a.input_seq
                    out.append(a)
                return out

            acks = [a for r in await asyncio.gather(*(submitter(k) for k in range(8))) for a in r]
            dup = await gc.submit(_order(3), key=("native:B", "c3"))
            await gc.stop()
            assert sorted(a.input_seq for a in acks) == list(range(1, 81))
            assert gc.commits < 80  # batches were shared
            assert dup.duplicate and dup.response == acks[3].response
            assert store.last_input_seq() == 80
            assert check(store, build_engine).ok

    asyncio.run(main())


def test_failed_commit_refuses_the_batch_and_everything_after(tmp_path):
    async def main():
        url = f"sqlite:///{tmp_path}/condor.db"
        with Store.open(url) as store:
            rec, _ = open_recorder(store, build_engine)
            gc = GroupCommitter(rec, store)
            await gc.start()
            ok = await gc.submit(_order(1))
            with store.db.begin() as c:  # the database breaks under the running server
                c.execute(sa.text("DROP TABLE events"))
            with pytest.raises(StoreError, match="commit failed"):
                await gc.submit(TradeTick("IBM", T0 + 1, 9_001, 5))
            with pytest.raises(StoreError, match="refused"):
                await gc.submit(_order(2))
            await gc.stop()
            assert ok.input_seq == 1 and store.last_input_seq() == 1

    asyncio.run(main())


def test_an_engine_that_raises_refuses_its_batch_and_everything_after(tmp_path):
    async def main():
        url = f"sqlite:///{tmp_path}/condor.db"
        with Store.open(url) as store:
            rec, _ = open_recorder(store, build_engine)
            gc = GroupCommitter(rec, store)
            await gc.start()
            ok = await gc.submit(_order(1))
            # Act: an input the engine raises on (after counting it as a command), queued
            # together with one it applies before it and one after it
            before, bad, after = await asyncio.gather(
                gc.submit(_order(2)), gc.submit(object()), gc.submit(_order(3)),
                return_exceptions=True,
            )  # fmt: skip
            later = await asyncio.gather(gc.submit(_order(4)), return_exceptions=True)
            await gc.stop()
            # Assert: the raiser sees its own error; nothing of its batch is acknowledged or
            # stored, everything after is refused; the journal replays
            assert isinstance(bad, TypeError)
            for r in (before, after, *later):
                assert isinstance(r, StoreError) and "engine failed" in str(r), r
            assert isinstance(gc.failed, EngineFault)
            assert ok.input_seq == 1 and store.last_input_seq() == 1
            assert check(store, build_engine).ok

    asyncio.run(main())
