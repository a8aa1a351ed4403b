"""The journal as a server's single writer: recovery at start, then group-committed inputs.

Invariant: inputs are applied one at a time, in arrival order, on the event loop's thread
(under the server's lock, see ``bind``), and a submission resolves (an ``Applied``) only after
the group commit holding it is durable. ``on_commit()`` runs after each commit and before any
submitter of it is answered, so what a server publishes is never ahead of what is stored;
``on_abort(error)`` runs instead when a commit failed, after which every input is refused
(``failed``): the engine is then ahead of the store and only a restart (recovery) may accept
orders again. ``stream_base`` is the event-stream head journaled last (0 on a new database):
a server resumes its stream there, and ``bind(..., stream_head=)`` journals the head after each
input, so stream sequence numbers stay monotone across restarts. Idempotency keys answer a repeated submission with its first answer, also after a
restart.

This module knows nothing of the API: the server's runtime uses any object with this shape
(``api.writer.Writer``); ``api.bootstrap`` loads this one when a database is configured.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from sqlalchemy.engine import make_url

from condor.domain.errors import DomainError
from condor.domain.groups.model import Group
from condor.domain.orders.commands import AdvanceClock, SetRetention
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.order import Order
from condor.store import codec, rows
from condor.store.committer import GroupCommitter
from condor.store.errors import StoreError
from condor.store.heap import limit_heap_growth
from condor.store.idempotency import KEPT
from condor.store.journal import Store
from condor.store.recorder import Applied, Recorder, default_response
from condor.store.recovery import RecoveryInfo, open_recorder
from condor.store.snapshot import Snapshotter

log = logging.getLogger("condor.store")

UNAVAILABLE: tuple[type[BaseException], ...] = (StoreError,)
"""Errors that mean "the database cannot be used; nothing was stored or accepted"."""


class JournalWriter:
    """Journals through ``Recorder`` + ``GroupCommitter``; built by ``open_journal``.
    ``unavailable``: the exception types that mean "not stored, not accepted" (or, for one
    with ``outcome_unknown`` set, "the database could not say whether it stored it")."""

    durable = True
    unavailable = UNAVAILABLE

    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        info: RecoveryInfo,
        max_batch: int = 512,
        max_wait_ms: float = 0.0,
        snapshot_every: int = 100_000,
        snapshot_fork: bool = False,
    ) -> None:
        self.store = store
        self.recorder = recorder
        self.info = info
        self.engine = recorder.engine
        self.stream_base = store.last_stream_seq()
        snap = store.latest_snapshot()
        self.snapshotter = Snapshotter(
            store,
            self.engine,
            snapshot_every,
            snap.input_seq if snap is not None else 0,
            fork=snapshot_fork,
        )
        self.committer = GroupCommitter(recorder, store, max_batch, max_wait_ms, self.snapshotter)
        if snapshot_every > 0:
            limit_heap_growth()  # snapshots must not ratchet the resident set (store/heap.py)

    @property
    def time_source(self) -> Callable[[], int] | None:
        return self.recorder.time_source

    @property
    def failed(self) -> BaseException | None:
        return self.committer.failed

    @property
    def last_input_seq(self) -> int:
        return self.recorder.next_seq - 1

    @property
    def database(self) -> str:
        return make_url(self.store.url).render_as_string(hide_password=True)

    def bind(
        self,
        lock,
        on_commit: Callable[[], None],
        on_abort: Callable[[BaseException], None],
        stream_head: Callable[[], int] | None = None,
    ) -> None:
        """Attach the server's lock and publication hooks (before ``start``); ``stream_head()``
        gives the event-stream head after the input just applied (journaled with it)."""
        c = self.committer
        c.lock, c.on_commit, c.on_abort = lock, on_commit, on_abort
        self.recorder.stream_head = stream_head

    async def start(self) -> None:
        await self.committer.start()

    async def stop(self) -> None:
        """Commit what is queued, snapshot the engine (so the next start replays nothing),
        then close the database. A failed store is only closed."""
        try:
            await self.committer.stop()
            last = self.last_input_seq
            if self.failed is None and last > self.snapshotter.last_seq:
                try:
                    self.snapshotter.take(last)
                except StoreError as e:  # the journal is complete; recovery replays it all
                    log.warning("no snapshot at shutdown: %s", e)
        finally:
            self.snapshotter.wait()
            self.store.close()

    async def submit(self, inp, key=None, respond=default_response) -> Applied:
        """Apply ``inp`` and return once it is durable. Raises StoreError when it could not be
        stored (it is then not accepted)."""
        return await self.committer.submit(inp, key, respond)

    def stored_fills(
        self,
        after: int = 0,
        before: int | None = None,
        newest: int | None = None,
        descending: bool = False,
    ) -> Iterator[ExecutionReport]:
        """Stored fills (execution reports with a non-zero ``last_qty``) with
        ``after < seq < before``, by seq (newest first when ``descending``), their causes left
        out; with ``newest``, only about the ``newest`` latest ones (the executions log a
        restarted server keeps in memory)."""
        if newest is not None:
            after = max(after, self.store.newest_fills_start(newest))
        for row in self.store.fills(after, before, descending=descending):
            ev = codec.decode(row.payload)
            if type(ev) is ExecutionReport and ev.last_qty:
                yield ev

    def stored_reports(self, order_ids) -> dict[int, list[ExecutionReport]]:
        """Every stored execution report of the orders ``order_ids`` (an order's versions),
        oldest first, by order id (an order without any is absent), causes left out. Only
        committed reports: what a crash could undo is never read (like ``stored_fills``)."""
        out: dict[int, list[ExecutionReport]] = {}
        for row in self.store.order_reports(order_ids):
            ev = codec.decode(row.payload)
            if type(ev) is ExecutionReport:
                out.setdefault(ev.order_id, []).append(ev)
        return out

    def archived_group(self, group_id: str) -> tuple[Group, dict[int, Order]] | None:
        """A group as the read model last stored it, with its member orders (detached
        copies), or None (for groups the engine no longer keeps, ``engine/retention.py``)."""
        row = self.store.group_by_id(group_id)
        if row is None:
            return None
        try:
            g = rows.group_from_row(row)
        except (KeyError, ValueError):
            return None
        return g, self._detached(self.store.orders_by_ids([m.order_id for m in g.members]))

    def archived_orders(self, first_id: int, last_id: int) -> dict[int, Order]:
        """Orders with ids in [first_id, last_id] as the read model last stored them
        (detached copies; for orders the engine no longer keeps, ``engine/retention.py``)."""
        return self._detached(self.store.orders_between(first_id, last_id))

    def archived_order_by_code(self, accounts, cl_ord_id: str) -> Order | None:
        """The newest order of one of ``accounts`` with ClOrdID ``cl_ord_id`` as the read
        model last stored it (a detached copy), or None."""
        row = self.store.newest_order_by_code(accounts, cl_ord_id)
        return None if row is None else self._detached([row]).get(row["order_id"])

    def _detached(self, order_rows) -> dict[int, Order]:
        """Order rows as detached ``Order`` copies by id (rows of an instrument no longer
        configured are left out)."""
        reg = self.engine.instruments
        out: dict[int, Order] = {}
        for row in order_rows:
            try:
                out[row["order_id"]] = rows.order_from_row(row, reg)
            except (KeyError, ValueError, DomainError):
                continue
        return out


def open_journal(
    url: str,
    engine_factory: Callable[[Store], Callable[[], object]],
    wall_clock: bool,
    max_batch: int = 512,
    max_wait_ms: float = 0.0,
    snapshot_every: int = 100_000,
    snapshot_fork: bool = False,
    keys_kept: int = KEPT,
    retain_terminal: int | None = None,
) -> JournalWriter:
    """Open (create on first start) the database at ``url``, recover the engine from its
    newest snapshot and the journal tail, and return the writer that continues the journal.

    ``engine_factory(store)`` returns the function that builds the configured engine, the same
    every time. With ``wall_clock`` the engine runs a simulated clock that the recorder moves to
    ``time.time_ns()`` before each input (the time is journaled with it, so a replay sees the
    same ``now``); on first start input 1 is ``AdvanceClock(t0)`` at the engine's start time
    ``t0``, so that the factory can read ``t0`` back (``Store.first_input_ts``) after a
    restart. ``snapshot_fork``: periodic snapshots are written by a forked child
    (``Snapshotter``); ``keys_kept``: idempotency keys kept in memory (``IdempotencyKeys``).

    ``retain_terminal`` (int >= 0; None: leave the journal's limit as it is): the finished
    orders and closed groups the engine keeps from now on. The limit changes answers
    (``engine/retention.py``), so it is journaled, never just set: after recovery (which ran
    with the limits the journal recorded), a ``SetRetention(retain_terminal)`` input is
    appended when it differs from the recovered engine's or when the journal records none
    yet (its first start, or a journal older than this rule: from then on its limit is pinned
    too). On first start it follows the ``AdvanceClock(t0)``, before any order exists.

    Raises StoreError (RecoveryError included) with a message naming the cause."""
    store = Store.open(url)
    try:
        rec, info = open_recorder(store, engine_factory(store), keys_kept=keys_kept)
        if wall_clock and info.last_input_seq == 0:
            rec.apply(AdvanceClock(rec.engine.clock.now_ns()))
        if retain_terminal is not None and (
            rec.engine.retain_terminal != retain_terminal or store.first_retention() is None
        ):
            rec.apply(SetRetention(retain_terminal))
        if rec.pending:
            store.append(rec.flush())
        if wall_clock:
            rec.time_source = time.time_ns
        w = JournalWriter(store, rec, info, max_batch, max_wait_ms, snapshot_every, snapshot_fork)
        log.info(
            "journal %s: %d inputs (snapshot at %d, %d replayed)",
            w.database, w.last_input_seq, info.snapshot_seq, info.replayed,
        )  # fmt: skip
        return w
    except BaseException:
        store.close()
        raise
