"""The single writer's port, its in-memory back end, and how a journal back end is loaded.

Invariant: a writer applies inputs one at a time, in arrival order, on the event loop's thread
under the runtime's lock, and resolves a submission only once it is as durable as the back end
makes it; ``on_commit()`` runs after each durable step, before the submitters are answered.
``MemoryWriter`` is durable at once in the only sense it has (nothing survives a restart);
the journal back end (``condor.store.writer.JournalWriter``) resolves after the group commit.

The API does not import the store (layer contract: they are independent adapters around the
engine). ``load_journal`` finds the journal back end by name when a database is configured;
any object of the ``Writer`` shape works in its place.

Timers: a writer with a ``time_source`` (the engine runs on wall time: a simulated clock the
writer moves to ``time_source()`` before each input) also takes, in place of an input, a
function of time (``AdvanceClock``), called with the time the input runs at and not advancing
the clock first (``condor.store.recorder``), so each due timer fires at its own instant:
``Runtime`` fires due timers that way, in memory as on a journal.

Order versions: ``stored_reports(order_ids)`` gives every stored execution report of those
orders, oldest first (the journal's events table); a memory writer stores none.

Stream positions: ``stream_base`` is the event-stream head a restarted server resumes from (0
in memory); ``bind(..., stream_head=)`` lets a journal store the head with each input.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, Protocol

from condor.domain.market import L2Delta, L2Snapshot, QuoteTick, TradeTick

MARKET = frozenset({QuoteTick, TradeTick, L2Snapshot, L2Delta})
JOURNAL_BACKEND = "condor.store.writer:open_journal"
KEY_SCOPE_MAX, KEY_MAX = 64, 200
"""Idempotency keys a writer stores: scope and key of at most these many characters, without
NUL (the journal's ``idempotency_keys`` columns; ``Runtime.execute_once`` refuses others)."""


class JournalUnavailable(RuntimeError):
    """The configured database cannot be used (unreachable, foreign, corrupt, needs an
    upgrade, or its journal does not replay); the message names the cause."""


class Applied(NamedTuple):
    """Outcome of one submission (the shape ``condor.store.recorder.Applied`` has)."""

    input_seq: int
    events: list
    response: Any
    duplicate: bool = False


class Writer(Protocol):
    durable: bool
    # errors that mean "not stored, not accepted" ("perhaps stored" when outcome_unknown)
    unavailable: tuple[type[BaseException], ...]
    engine: Any
    stream_base: int

    @property
    def failed(self) -> BaseException | None: ...

    def bind(
        self, lock, on_commit: Callable[[], None], on_abort, stream_head: Callable[[], int]
    ) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def submit(self, inp, key: tuple[str, str] | None, respond: Callable) -> Any: ...

    def stored_fills(
        self,
        after: int = 0,
        before: int | None = None,
        newest: int | None = None,
        descending: bool = False,
    ) -> Iterator: ...

    def stored_reports(self, order_ids) -> dict[int, list]: ...

    def archived_orders(self, first_id: int, last_id: int) -> dict: ...

    def archived_group(self, group_id: str) -> tuple[Any, dict] | None: ...

    def archived_order_by_code(self, accounts, cl_ord_id: str) -> Any: ...


class MemoryWriter:
    """Applies inputs directly to the engine; idempotency keys live as long as the process.

    ``time_source``: None when the engine clock moves only when told (a simulated clock);
    otherwise a callable returning int ns (``time.time_ns``: ``--database memory`` on wall
    time) that the engine's ``SimClock`` is advanced to before each input, as the journal's
    recorder does, so that the runtime's timer pump can fire due timers."""

    durable = False
    unavailable: tuple[type[BaseException], ...] = ()
    failed = None
    stream_base = 0

    def __init__(self, engine, time_source: Callable[[], int] | None = None) -> None:
        self.engine = engine
        self.time_source = time_source
        self.seq = 0
        self._keys: dict[tuple[str, str], tuple[int, Any]] = {}
        self._lock = None
        self._on_commit: Callable[[], None] = lambda: None

    def bind(self, lock, on_commit: Callable[[], None], on_abort=None, stream_head=None) -> None:
        self._lock, self._on_commit = lock, on_commit

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def submit(self, inp, key: tuple[str, str] | None, respond: Callable) -> Applied:
        """Never suspends: the input runs atomically with the caller's preceding reads."""
        if key is not None:
            hit = self._keys.get(key)
            if hit is not None:
                return Applied(hit[0], [], hit[1], True)
        e = self.engine
        with self._lock:
            if callable(inp):  # a function of time (the timer pump): the clock is not moved
                now = e.clock.now_ns()
                inp = inp(max(self.time_source(), now) if self.time_source is not None else now)
            elif self.time_source is not None:
                e.clock.advance_to(self.time_source())
            events = list(e.on_market(inp) if type(inp) in MARKET else e.handle(inp))
            self.seq += 1
            response = respond(events)
            if key is not None:
                self._keys[key] = (self.seq, response)
        self._on_commit()
        return Applied(self.seq, events, response)

    def stored_fills(
        self, after: int = 0, before: int | None = None, newest=None, descending=False
    ) -> Iterator:
        return iter(())

    def stored_reports(self, order_ids) -> dict[int, list]:
        return {}  # nothing is stored: the runtime keeps a bounded log (api/report_log.py)

    def archived_orders(self, first_id: int, last_id: int) -> dict:
        return {}  # a memory engine forgets nothing (no retention limit)

    def archived_group(self, group_id: str) -> None:
        return None

    def archived_order_by_code(self, accounts, cl_ord_id: str) -> None:
        return None


def load_journal(url: str, engine_factory, wall_clock: bool, config) -> Writer:
    """Open the journal back end on ``url`` (see ``condor.store.writer.open_journal``; it
    journals ``config.retain_terminal`` as a ``SetRetention`` input when the journal's limit
    differs, so the engine it returns already keeps that many finished items). Raises
    JournalUnavailable when the database cannot be used."""
    module_name, _, name = JOURNAL_BACKEND.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)(
            url, engine_factory, wall_clock,
            max_batch=config.max_batch, max_wait_ms=config.max_wait_ms,
            snapshot_every=config.snapshot_every, snapshot_fork=config.snapshot_fork,
            keys_kept=config.keys_kept, retain_terminal=config.retain_terminal,
        )  # fmt: skip
    except module.UNAVAILABLE as e:
        raise JournalUnavailable(str(e)) from e
