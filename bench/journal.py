"""Durable journal: acknowledged inputs per second, and recovery time.

1. Acknowledgements: ``S`` concurrent submitters (asyncio tasks, S = 1, 8, 64) each submit
   resting limit orders (one event each) through the ``GroupCommitter`` and wait for the
   acknowledgement, which comes only after the batch's transaction committed, on a new
   database (SQLite: WAL with synchronous=FULL, i.e. the WAL is fsynced by every commit;
   PostgreSQL 127.0.0.1, synchronous_commit on). Figure: acknowledged inputs / wall second,
   including the engine, encoding, and the read-model upserts. The JSON reports the best
   concurrency level per database. With at most S inputs in flight, a commit holds at most S
   inputs, so at S = 64 the figure is about 64 / (commit latency + 64 x CPU per input): it
   follows the disk's fsync latency, which varies several-fold on a shared machine.
2. Recovery: a journal of 1,000,000 events is generated on SQLite with a bracket workload
   (EURUSD quotes, a bracket every 5th quote; the generation stops early only past a
   15-minute guard, and says so). Snapshots are written every ``SNAPSHOT_EVERY`` inputs, the
   server's default. Timed: (a) recovery from the newest snapshot plus the journal tail: the
   start-up path and the JSON figure ``recovery_1m_events_s``; (b) a full replay without
   snapshot (extrapolated to 1,000,000 events only if the guard stopped the generation).

Last line: ``{"sqlite_acks_per_s", "pg_acks_per_s", "recovery_1m_events_s", ...}``.
Run: ``.venv/bin/python bench/journal.py [--quick]``. Never asserts on time.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce
from condor.store.committer import GroupCommitter
from condor.store.journal import Store
from condor.store.recovery import open_recorder, recover
from condor.store.snapshot import Snapshotter

from _common import MID, SYMBOL, chunks, emit, fx_engine, note, parser, quote_stream, table

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SNAPSHOT_EVERY = 100_000  # JournalWriter's default
INVENTORY = 10**9


def build():
    return fx_engine(("A", INVENTORY), ("B", 0))[0]


# -- 1. acknowledgements ------------------------------------------------------------------
async def _acks(url: str, submitters: int, total: int) -> tuple[float, int, float]:
    """(acks/s, commits, median commit ms) of ``total`` orders from ``submitters`` tasks."""
    with Store.open(url) as store:
        rec, _ = open_recorder(store, build)
        append, spent = store.append, []

        def timed_append(batch) -> None:  # the commit's latency: SQL, COMMIT and its fsync
            t = time.perf_counter()
            append(batch)
            spent.append(time.perf_counter() - t)

        store.append = timed_append
        gc = GroupCommitter(rec, store, max_batch=1024, max_wait_ms=0)
        await gc.start()
        per = total // submitters

        async def submitter(k: int) -> None:
            for j in range(per):
                buy = (k + j) & 1
                px = MID - 100 - j % 50 if buy else MID + 100 + j % 50
                side = Side.BUY if buy else Side.SELL
                acct = "B" if buy else "A"
                await gc.submit(
                    SubmitOrder(acct, SYMBOL, side, OrdType.LIMIT, 1, price=px, tif=TimeInForce.GTC)
                )

        t0 = time.perf_counter()
        await asyncio.gather(*(submitter(k) for k in range(submitters)))
        dt = time.perf_counter() - t0
        await gc.stop()
        return per * submitters / dt, gc.commits, statistics.median(spent) * 1e3


def pg_url() -> tuple[str, str] | None:
    try:
        import psycopg

        name = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{name}"')
        return f"{PG}?options=-csearch_path%3D{name}", name
    except Exception as e:
        note(f"PostgreSQL unavailable: {e}")
        return None


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as c:
        c.execute(f'DROP SCHEMA "{name}" CASCADE')


def bench_acks(quick: bool, tmp: Path) -> dict:
    total = 2_048 if quick else 40_960
    rows, best = [], {}
    for db in ("sqlite", "postgresql"):
        for s in (1, 8, 64):
            n = total // 8 if s == 1 else total
            if db == "sqlite":
                url, name = f"sqlite:///{tmp}/acks-{s}.db", None
            else:
                got = pg_url()
                if got is None:
                    continue
                url, name = got
            rate, commits, commit_ms = asyncio.run(_acks(url, s, n))
            if name:
                drop_pg(name)
            rows.append([db, s, n, commits, round(n / max(commits, 1), 1), round(commit_ms, 2),
                         round(rate)])  # fmt: skip
            best[db] = max(best.get(db, 0), rate)
    table("durable acknowledgements", ["db", "submitters", "inputs", "commits", "inputs/commit",
                                       "commit ms (median)", "acks/s"], rows)  # fmt: skip
    return best


# -- 2. recovery ----------------------------------------------------------------------------
def bracket(buy: bool, bid: int, ask: int) -> CreateGroup:
    entry, exit_side = (Side.BUY, Side.SELL) if buy else (Side.SELL, Side.BUY)
    tp, sl = (ask + 30, bid - 30) if buy else (bid - 30, ask + 30)
    o = lambda side, t, **k: SubmitOrder("A", SYMBOL, side, t, 1_000, **k)  # noqa: E731
    return CreateGroup(
        GroupKind.BRACKET,
        (
            MemberSpec(o(entry, OrdType.MARKET), role="entry"),
            MemberSpec(o(exit_side, OrdType.LIMIT, price=tp), role="take_profit"),
            MemberSpec(o(exit_side, OrdType.STOP_MARKET, stop_price=sl), role="stop_loss"),
        ),
    )


def generate(url: str, target_events: int, budget_s: float, snap_every: int) -> dict:
    t0 = time.perf_counter()
    with Store.open(url) as store:
        rec, _ = open_recorder(store, build)
        snap = Snapshotter(store, rec.engine, every=snap_every)
        e = rec.engine
        n = 0
        for chunk in chunks(quote_stream(7, 10**8, MID), 500):
            for q in chunk:
                rec.apply(q)
                n += 1
                if n % 5 == 0:
                    rec.apply(bracket(bool(n & 8), q.bid, q.ask))
            store.append(rec.flush())
            snap.maybe(rec.next_seq - 1)
            if e.seq >= target_events or time.perf_counter() - t0 > budget_s:
                break
        return {"inputs": rec.next_seq - 1, "events": e.seq, "seconds": time.perf_counter() - t0}


def bench_recovery(quick: bool, tmp: Path) -> dict:
    target = 50_000 if quick else 1_000_000
    url = f"sqlite:///{tmp}/recovery.db"
    g = generate(url, target, 60 if quick else 900, 5_000 if quick else SNAPSHOT_EVERY)
    with Store.open(url) as store:
        t0 = time.perf_counter()
        e1, info = recover(store, build)
        t_snap = time.perf_counter() - t0
        t0 = time.perf_counter()
        e2, _ = recover(store, build, use_snapshot=False)
        t_full = time.perf_counter() - t0
    assert e1.seq == e2.seq == g["events"]
    full_1m = t_full * 1_000_000 / g["events"]
    table(
        "recovery (SQLite)",
        ["journal inputs", "events", "generation s", "snapshot at", "tail inputs",
         "snapshot+tail s", "full replay s", "full replay s per 1M events"],
        [[g["inputs"], g["events"], round(g["seconds"], 1), info.snapshot_seq, info.replayed,
          round(t_snap, 2), round(t_full, 2), round(full_1m, 2)]],
    )  # fmt: skip
    if g["events"] < target:
        note(f"journal reached {g['events']} events (time guard); full-replay figure per 1M "
             "events is EXTRAPOLATED linearly")  # fmt: skip
    return {"recovery_events": g["events"], "recovery_snapshot_tail_s": t_snap,
            "recovery_full_replay_s": t_full, "recovery_full_replay_per_1m_s": full_1m}  # fmt: skip


def main() -> None:
    args = parser(__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="condor-bench-") as d:
        tmp = Path(d)
        best = bench_acks(args.quick, tmp)
        rec = bench_recovery(args.quick, tmp)
    figures = {
        "sqlite_acks_per_s": round(best.get("sqlite", 0)),
        "pg_acks_per_s": round(best.get("postgresql", 0)),
        "recovery_1m_events_s": round(rec["recovery_snapshot_tail_s"], 3),
        "recovery_events": rec["recovery_events"],
        "recovery_full_replay_per_1m_s": round(rec["recovery_full_replay_per_1m_s"], 2),
    }
    emit("journal", figures, args.quick)


if __name__ == "__main__":
    main()
