"""Values the engine computes past 64 bits are journaled exactly (SQLite and PostgreSQL): an
order's cost (``cum_cost``, ticks x lots, the numerator of AvgPx) can exceed 2**63 - 1 when a
sell fills far above its limit (price improvement), even though admission bounds the order's
own value (``engine.admission.check_units``). Stored as decimal text like a position's cost;
before, the commit failed and the writer stopped until a restart."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce
from condor.domain.values import MAX_UNITS
from condor.engine.clock import SimClock
from condor.store.check import check
from condor.store.journal import Store, create_db
from condor.store.migrations import upgrade
from condor.store.recovery import open_recorder

import builders
from store_fixtures import (
    T0,
    db_url,  # noqa: F401  (fixture)
    engine_state,
)

QTY = MAX_UNITS // 2  # the order's own value at its limit of 1 tick fits in 64 bits


def _engine():
    a = builders.account("A", "alice", positions={"IBM": (MAX_UNITS, "1", builders.IBM)})
    return builders.engine(a, clock=SimClock(T0))


def test_a_fill_whose_cost_passes_64_bits_is_stored_and_recovered(db_url):  # noqa: F811
    # Arrange: a sell at 0.01 while the feed bids 100.00 with unlimited depth
    inputs = [
        QuoteTick("IBM", T0 + 1_000, 10_000, 10_001, None, None),
        SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, QTY, price=1, tif=TimeInForce.GTC),
    ]
    # Act: journal both, then recover in a new process's way
    with Store.open(db_url) as store:
        rec = open_recorder(store, _engine)[0]
        for x in inputs:
            rec.apply(x)
        store.append(rec.flush())
        before = engine_state(rec.engine)
    with Store.open(db_url) as store:
        e = open_recorder(store, _engine)[0].engine
        # Assert: filled at the bid, cost exact past 64 bits, state as journaled
        (o,) = e.orders.values()
        assert (o.status, o.cum_qty, o.cum_cost) == (OrdStatus.FILLED, QTY, QTY * 10_000)
        assert o.cum_cost > MAX_UNITS
        assert engine_state(e) == before
        assert check(store, _engine).ok


def test_a_0002_database_upgrades_and_keeps_its_order_costs(db_url):  # noqa: F811
    # Arrange: an orders row written at revision 0002 (cum_cost BIGINT)
    if db_url.startswith("sqlite"):
        Path(make_url(db_url).database).parent.mkdir(parents=True)
    upgrade(db_url, "0002")
    db = create_db(db_url)
    with db.begin() as c:
        c.execute(sa.text(
            "INSERT INTO orders (order_id, account, symbol, side, ord_type, tif, status, qty, "
            "cum_qty, cum_cost, ts_created, ts_updated, detail) VALUES (7, 'A', 'IBM', 'Buy', "
            "'Limit', 'GTC', 'Filled', 3, 3, 9223372036854775807, 1, 2, '{}')"
        ))  # fmt: skip
    db.dispose()
    # Act
    upgrade(db_url)
    # Assert: the value is kept exactly, now as text, and the store opens
    with Store.open(db_url) as store, store.db.connect() as c:
        got = c.execute(sa.text("SELECT cum_cost FROM orders WHERE order_id = 7")).scalar()
        assert got == str(MAX_UNITS)
