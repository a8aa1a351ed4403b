"""Start-up recovery: rebuild the engine from the newest usable snapshot and the journal tail.

Invariant: the engine returned has applied exactly the journal's inputs 1..N (N = last stored
input), so its state, sequence numbers (events, commands, orders, trades) and future events are
those of an engine that never stopped. Every replayed input must reproduce the event sequence
numbers stored with it (``first_event``/``last_event``); otherwise ``RecoveryError`` (the code
or configuration differs from the one that wrote the journal: do not trade on a guess).
The retention limit is not such configuration: it is journaled (``SetRetention`` inputs;
``build_engine`` starts from the journal's first one, ``api.bootstrap.engine_factory``), so a
changed ``journal.retain_terminal`` never changes what a replay reproduces.
"""

from __future__ import annotations

import gc
import logging
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from condor.store import codec
from condor.store.errors import RecoveryError
from condor.store.idempotency import KEPT, RECENT
from condor.store.journal import Store
from condor.store.recorder import Recorder
from condor.store.snapshot import load_engine, snapshot_format

log = logging.getLogger("condor.store")


class RecoveryInfo(NamedTuple):
    snapshot_seq: int  # 0: full replay
    replayed: int  # inputs replayed after the snapshot
    last_input_seq: int
    skipped_snapshots: tuple[str, ...]  # formats of snapshots that could not be used


def replay_row(engine, row) -> list:
    """Apply one journal row (at its recorded clock time); return the events."""
    engine.clock.advance_to(row.ts_ns)
    inp = codec.decode(row.payload)
    if row.kind == "market":
        return engine.on_market(inp)
    return engine.handle(inp)


def _verify(row, events) -> None:
    first = events[0].seq if events else None
    last = events[-1].seq if events else None
    if first != row.first_event or last != row.last_event:
        raise RecoveryError(
            f"replay of input {row.seq} ({row.type}) produced events {first}..{last}, "
            f"the journal says {row.first_event}..{row.last_event}: the engine code or its "
            "configuration differs from the one that wrote the journal"
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while recovery builds the engine's object graph (each
    collection would rescan the growing graph: unpickling and replay run ~2x faster); the
    previous setting is restored afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def recover(
    store: Store, build_engine: Callable[[], object], use_snapshot: bool = True
) -> tuple[object, RecoveryInfo]:
    """Rebuild the engine: ``build_engine()`` makes one with the configured instruments,
    accounts and start clock (the same every time); the newest snapshot of this code's format
    is loaded into it and the journal inputs after it are replayed. Raises RecoveryError."""
    with _gc_paused():
        return _recover(store, build_engine, use_snapshot)


def _recover(
    store: Store, build_engine: Callable[[], object], use_snapshot: bool
) -> tuple[object, RecoveryInfo]:
    engine = build_engine()
    start = 0
    skipped: list[str] = []
    if use_snapshot:
        want = snapshot_format()
        for snap in store.snapshots():
            if snap.format != want:
                skipped.append(snap.format)
                continue
            candidate = build_engine()
            try:
                load_engine(candidate, snap.data)
            except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, KeyError) as e:
                log.warning("snapshot at input %s unusable (%s); trying older", snap.input_seq, e)
                skipped.append(snap.format)
                continue
            if candidate.seq != snap.event_seq:
                skipped.append(snap.format)
                continue
            engine, start = candidate, snap.input_seq
            break
    listeners, engine.listeners = engine.listeners, []
    n = 0
    last = start
    try:
        for row in store.inputs(after=start):
            if row.seq != last + 1:
                raise RecoveryError(f"journal gap: input {last + 1} missing before {row.seq}")
            _verify(row, replay_row(engine, row))
            last = row.seq
            n += 1
    finally:
        engine.listeners = listeners
    return engine, RecoveryInfo(start, n, last, tuple(skipped))


def open_recorder(
    store: Store,
    build_engine: Callable[[], object],
    time_source=None,
    use_snapshot=True,
    keys_kept: int = KEPT,
) -> tuple[Recorder, RecoveryInfo]:
    """Recover the engine and wrap it in a Recorder that continues the journal (with the
    newest ``keys_kept`` stored idempotency keys in memory, the rest looked up in the table).
    On a brand-new store, writes the initial read-model rows."""
    engine, info = recover(store, build_engine, use_snapshot)
    if info.last_input_seq == 0:
        store.write_state(engine)
    keys = store.idempotency_keys(min(RECENT, keys_kept), keys_kept)
    rec = Recorder(
        engine, info.last_input_seq + 1, keys, time_source, store.idempotency_response,
        store.idempotency_entry, keys_complete=len(keys) < keys_kept, keys_kept=keys_kept,
    )  # fmt: skip
    return rec, info
