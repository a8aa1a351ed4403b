"""Fixtures of the persistence suite (imported by its test modules; no conftest files).

``db_url`` runs each test once on SQLite (a file under tmp_path, in a data directory created on
first start) and once on PostgreSQL (127.0.0.1:5432, database ``test``, its own schema, dropped
afterwards; skipped with a message when the server is unreachable). ``build_engine`` makes the
same engine every time (IBM, accounts A with 1,000 IBM long and B), as recovery requires.
``scenario()`` is a fixed list of inputs with linked groups, a trailing stop, Held OTO children
and a bracket; ``engine_state`` describes everything recovery must restore.
"""

from __future__ import annotations

import functools
import sys
import uuid
from pathlib import Path

import pytest

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import (
    AdvanceClock,
    CancelAllOrders,
    CancelOrder,
    ModifyOrder,
    SubmitOrder,
    TrailSpec,
)
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind
from condor.engine.clock import SimClock
from condor.store.recorder import Recorder
from condor.store.rows import all_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import builders

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
T0 = 1_700_000_000_000_000_000
IBM = builders.IBM
P = functools.partial(builders.px, IBM)


@functools.cache
def pg_user() -> str | None:
    """The first of postgres / root that can connect (trust auth), None when unreachable."""
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=2
            ):
                return user
        except psycopg.OperationalError:
            continue
    return None


def pg_base_url() -> str:
    return f"postgresql+psycopg://{pg_user()}@{PG_HOST}:{PG_PORT}/{PG_DB}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/condor.db"
        return
    if pg_user() is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT}/{PG_DB} (users postgres, root)")
    yield from pg_schema()


def pg_schema():
    """Yield a URL bound to a new schema; drop the schema afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=pg_user(), autocommit=True)
    with psycopg.connect(**conninfo) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{pg_base_url()}?options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(**conninfo) as c:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND query LIKE %s",
                (PG_DB, f"%{name}%"),
            )
            c.execute(f'DROP SCHEMA "{name}" CASCADE')


def build_engine():
    """The configured engine: the same instruments, accounts and start clock every time."""
    a = builders.account("A", "alice", positions={"IBM": (1000, "100", IBM)})
    b = builders.account("B", "bob")
    return builders.engine(a, b, clock=SimClock(T0))


def scenario() -> list:
    """Inputs with every kind of state recovery must restore. Order ids are 1, 2, ... in order
    of creation (checked by the tests that rely on them)."""
    gtc = TimeInForce.GTC
    t = [T0]

    def trade(price: str, size: int = 10):
        t[0] += 1_000_000
        return TradeTick("IBM", t[0], P(price), size, trade_id=str(t[0] % 10_000))

    def quote(bid: str, ask: str, size: int = 100):
        t[0] += 1_000_000
        return QuoteTick("IBM", t[0], P(bid), P(ask), size, size)

    sells = [
        SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 10, price=P(p), tif=gtc)
        for p in ("105", "106", "107", "108", "109")
    ]  # orders 1-5
    return [
        *sells,
        CreateGroup(
            GroupKind.ON_EXECUTE_OR_CANCEL, tuple(MemberSpec(order_id=i) for i in (1, 2, 3))
        ),
        CreateGroup(
            GroupKind.ON_EXECUTE_OR_CANCEL, tuple(MemberSpec(order_id=i) for i in (3, 4, 5))
        ),
        # 6: trailing stop, 1.00 behind the high
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL,
            OrdType.TRAILING_STOP_MARKET,
            20,
            tif=gtc,
            trail=TrailSpec(TrailKind.TICKS, 100),
            cl_ord_id="trail-1",
        ),
        # 7, 8: OTO, child Held until the parent fills
        CreateGroup(
            GroupKind.OTO,
            (
                MemberSpec(
                    SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 10, price=P("99"), tif=gtc)
                ),
                MemberSpec(
                    SubmitOrder("B", "IBM", Side.SELL, OrdType.LIMIT, 10, price=P("115"), tif=gtc)
                ),
            ),
            owner="bob",
        ),
        # 9, 10, 11: bracket
        CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(
                    SubmitOrder("B", "IBM", Side.BUY, OrdType.LIMIT, 5, price=P("97"), tif=gtc),
                    role="entry",
                ),
                MemberSpec(
                    SubmitOrder("B", "IBM", Side.SELL, OrdType.LIMIT, 5, price=P("116"), tif=gtc),
                    role="take_profit",
                ),
                MemberSpec(
                    SubmitOrder(
                        "B", "IBM", Side.SELL, OrdType.STOP_MARKET, 5, stop_price=P("94"), tif=gtc
                    ),
                    role="stop_loss",
                ),
            ),
            owner="bob",
        ),
        trade("101"),
        trade("102.50"),
        trade("104"),  # trail: high 104, stop 103
        quote("103.90", "104.10"),
        ModifyOrder(9, price=P("97.50")),
        trade("99"),  # OTO parent fills, child released; trailing stop elected
        quote("98.90", "99.10"),
        trade("105"),  # order 1 fills: group 1 cancels 2, 3; 3's cancel makes group 2 cancel 4, 5
        trade("97", 5),  # bracket entry fills, exits released
        AdvanceClock(t[0] + 5_000_000),
        CancelOrder(999),  # rejected: unknown order
        trade("116", 5),  # take-profit fills, stop-loss reduced to zero
        CancelAllOrders("B"),
    ]


def describe(x):
    """A comparable description of an object graph: orders by id, slotted objects as dicts."""
    from enum import Enum

    from condor.domain.orders.order import Order

    if isinstance(x, Order):
        return ("order", x.order_id)
    if x is None or isinstance(x, int | str | bool | Enum):
        return x
    if isinstance(x, dict):
        return [(describe(k), describe(v)) for k, v in x.items()]
    if isinstance(x, list | tuple | set | frozenset) or type(x).__name__ in ("SortedList", "Level"):
        items = [describe(v) for v in x]
        return sorted(items, key=repr) if isinstance(x, set | frozenset) else items
    slots = [s for c in type(x).__mro__ for s in getattr(c, "__slots__", ())]
    if slots:
        return (type(x).__name__, [(s, describe(getattr(x, s, None))) for s in slots])
    if hasattr(x, "__dict__"):
        return (type(x).__name__, describe(vars(x)))
    return repr(x)


def describe_order(o) -> list:
    """Every slot of an order; ``priority`` as a flag (its number is process-wide)."""
    out = []
    for s in type(o).__slots__:
        v = getattr(o, s)
        if s == "priority":
            v = bool(v)
        elif s == "inst":
            v = v.symbol
        out.append((s, describe(v)))
    return out


def engine_state(e) -> dict:
    """Everything recovery must restore, in comparable form."""
    return {
        "rows": all_rows(e),
        "groups": {g.group_id: g.as_dict() for g in e.groups},
        "live": sorted(e.live),
        "cl_index": sorted(e.cl_index.items()),
        "seqs": (e.seq, e.cmd_seq, e.order_seq, e.trade_seq, e._timer_seq, e.next_timer),
        "timers": sorted(e._timers),
        "clock": e.clock.now_ns(),
        "venues": {
            sym: [
                (s, describe(getattr(v, s))) for s in v.__slots__ if s not in ("inst", "schedule")
            ]
            for sym, v in e.venues.items()
        },
        "orders": {oid: describe_order(o) for oid, o in e.orders.items()},
        "history": {k: repr(v) for k, v in e.history.items()},
    }


def record(store, inputs, batch_sizes=(3, 1, 4, 2), recorder=None) -> Recorder:
    """Append ``inputs`` to ``store`` through a Recorder in batches of varying size."""
    from condor.store.recovery import open_recorder

    rec = recorder or open_recorder(store, build_engine)[0]
    i = k = 0
    while i < len(inputs):
        n = batch_sizes[k % len(batch_sizes)]
        for inp in inputs[i : i + n]:
            rec.apply(inp)
        store.append(rec.flush())
        i += n
        k += 1
    return rec


def run(e, inputs) -> list:
    """Feed ``inputs`` to engine ``e`` (no store); return every event."""
    out = []
    for inp in inputs:
        if isinstance(inp, QuoteTick | TradeTick):
            out.extend(e.on_market(inp))
        else:
            out.extend(e.handle(inp))
    return out
