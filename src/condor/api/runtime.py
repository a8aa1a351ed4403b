"""The running system behind the API: engine, writer, authenticator, stream hub, executions log.

Invariants:
- the engine is the single writer's: it changes only through ``execute`` and ``market``, which
  hand the input to the writer (``writer.MemoryWriter``, or ``writer.JournalWriter`` when a
  database is configured); the writer applies inputs one at a time on the event loop's thread
  under ``lock`` (readers in other threads take it through ``read``).
- an answer is made right after its input ran (``answer(engine, events)``), so it describes
  the state the input produced, and it is returned only once the input is durable: a journaled
  server never acknowledges what it has not committed. A store that cannot commit turns every
  later input into a 503 problem (``store.unavailable``) until a restart recovers.
- stream messages and the executions log are computed as inputs run, but published only after
  the inputs are durable (``_flush``), in engine order and before the answers, so the stream
  never shows what a crash could undo and an HTTP answer never overtakes the stream. (Reads
  through ``read`` may see an input whose commit is still running.) Each input is journaled
  with the stream head its messages reach, and a restarted server resumes the stream there, so
  stream numbers never repeat (``since`` older than the restart closes with 4410).
- a repeated idempotency key answers the first answer (``replayed``) and changes nothing.
- a server on wall time (journaled, or in memory: ``MemoryWriter`` with a ``time_source``)
  fires its timers (GTD and DAY expiries, session changes, activation times) when they fall
  due, not only when the next input arrives: a timer pump submits ``AdvanceClock(now)``
  (journaled like any input) whenever the engine's earliest timer has passed, at start too
  (each timer fires at its own instant), so what expired while the server was down is
  expired (and published) as soon as it is back. A simulated clock moves only when told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

from condor.api import mapping
from condor.api.auth import Authenticator
from condor.api.errors import ApiError
from condor.api.group_names import GroupNames
from condor.api.order_index import OrderIndex
from condor.api.report_log import ReportLog
from condor.api.settings import Settings
from condor.api.stream import StreamHub
from condor.api.writer import KEY_MAX, KEY_SCOPE_MAX, MemoryWriter, Writer
from condor.domain.errors import RejectReason as R
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import AdvanceClock
from condor.domain.orders.events import CauseKind, CommandRejected, ExecutionReport
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.orders.order import Order
from condor.engine.core import Engine

log = logging.getLogger("condor.api")

Answer = Callable[[Engine, list], Any]
"""Makes the answer to a command from the engine and the command's events, right after it ran
(JSON-ready when the command has an idempotency key: the answer is stored with the key)."""

UNAVAILABLE = "store.unavailable"
PUMP_POLL_S = 0.25
"""Longest sleep of the timer pump (s): a new order's earlier timer is seen within this."""


class Outcome(NamedTuple):
    value: Any
    replayed: bool  # the first answer to a repeated idempotency key


def store_unavailable(err: BaseException, own: bool = True) -> ApiError:
    """The 503 problem for a store error: "nothing was accepted", unless ``err`` is the
    failure of this request's own commit (``own``) and says its outcome is unknown
    (``outcome_unknown``: the database could not be asked whether it holds the request; a
    restart recovers it if it does)."""
    if own and getattr(err, "outcome_unknown", False):
        tail = "the request may have been stored: after a restart, read it back or resend it "
        tail += "with the same idempotency key to learn its outcome"
    else:
        tail = "nothing was accepted"
    return ApiError(
        503, f"orders are refused: the journal cannot store them ({err}); {tail}", UNAVAILABLE
    )


class Runtime:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        auth: Authenticator,
        writer: Writer | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.auth = auth
        self.hub = StreamHub(settings.stream.buffer_size, settings.stream.queue_size)
        auth.revoke_listeners.append(self.hub.end_token)  # a logout closes its streams
        self.fills: list[ExecutionReport] = []
        self._fill_seqs: list[int] = []
        self.lock = threading.RLock()
        self.ref_prices: dict[str, int] = {}
        self.order_index = OrderIndex()  # orders by account and ClOrdID, for dialect reads
        self.group_names = GroupNames(engine)  # order id -> its first group, for dialect reads
        self.group_names.seed()
        self._pending: list[tuple[str, Any, dict]] = []  # stream messages not yet durable
        self._pending_fills: list[ExecutionReport] = []
        self._pending_reports: list[ExecutionReport] = []
        self.writer: Writer = writer if writer is not None else MemoryWriter(engine)
        # the stream continues where the journal says it was; each input journals its head
        self.hub.resume(self.writer.stream_base)
        self.writer.bind(
            self.lock, self._flush, self._drop, lambda: self.hub.seq + len(self._pending)
        )
        self._time: Callable[[], int] | None = self.writer.time_source
        self._pump: asyncio.Task | None = None  # fires due timers on wall time (start)
        self.fills_kept = settings.journal.fills_kept if self.writer.durable else None
        # the newest part of the executions log of a recovered server
        for ev in self.writer.stored_fills(newest=self.fills_kept):
            self.fills.append(ev)
            self._fill_seqs.append(ev.seq)
        # older fills are only in the journal (set again whenever the log is trimmed)
        self._fills_trimmed = self.fills_kept is not None and bool(self.fills)
        # an order's versions: a journaled server reads them from its events table
        self.reports = None if self.writer.durable else ReportLog(settings.journal.reports_kept)
        engine.listeners.append(self._on_events)

    # -- life cycle ----------------------------------------------------------------------
    @property
    def journaled(self) -> bool:
        return self.writer.durable

    @property
    def failed(self) -> BaseException | None:
        """The store error that stopped the writer (None while it works)."""
        return self.writer.failed

    async def start(self) -> None:
        await self.writer.start()
        if self._time is not None:
            self._pump = asyncio.create_task(self._pump_timers(), name="condor-timers")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        await self.writer.stop()

    async def _pump_timers(self) -> None:
        """Fire due timers on wall time: whenever the engine's earliest timer is at or before
        now, submit ``AdvanceClock`` as a function of time (``store.recorder``: it moves the
        clock to the wall time the input runs at, firing each timer at its own instant); stops
        when the store fails."""
        e, now_ns = self.engine, self._time
        while self.writer.failed is None:
            left = e.next_timer - now_ns()
            if left > 0:
                await asyncio.sleep(min(left / 1e9, PUMP_POLL_S))
                continue
            try:
                await self._submit(AdvanceClock, None, lambda events: None)
            except ApiError:
                return  # the store failed: nothing may run until a restart

    def now_ns(self) -> int:
        """The time a new input would run at (int ns): the wall clock for a server on wall
        time, the engine clock otherwise."""
        return self._time() if self._time is not None else self.engine.clock.now_ns()

    # -- the single writer's door ---------------------------------------------------------
    async def execute(
        self,
        cmd,
        answer: Answer | None = None,
        field_prefix: str = "",
        field_map=None,
    ) -> Any:
        """Run one command; return ``answer(engine, events)`` (default: the events) once it is
        durable. Raises ApiError for a rejected command (which changed nothing), and a 503
        ApiError when it could not be stored."""
        out = await self._run(cmd, None, answer, field_prefix, field_map)
        return out.value

    async def execute_once(
        self,
        cmd,
        key: tuple[str, str],
        answer: Answer,
        field_prefix: str = "",
        field_map=None,
    ) -> Outcome:
        """``execute`` with an idempotency key ``(scope, key)``: a repeated key returns the first
        answer (or raises the first rejection again) and runs nothing. ``answer`` must return
        JSON-ready data (it is stored with the key and survives a restart). Raises a 422
        ApiError (nothing run) for a key the journal cannot store (``writer.KEY_MAX``): its
        commit would fail and refuse every later input."""
        scope, k = key
        if len(scope) > KEY_SCOPE_MAX or len(k) > KEY_MAX or "\x00" in scope or "\x00" in k:
            raise ApiError(
                422,
                f"request key: at most {KEY_MAX} characters (scope {KEY_SCOPE_MAX}), no NUL",
                R.INVALID_FIELD,
            )
        return await self._run(cmd, key, answer, field_prefix, field_map)

    async def market(self, ev: QuoteTick | TradeTick, answer: Answer | None = None) -> Any:
        """Feed one market-data event to the venue (journaled like a command); publish it on
        the stream; return ``answer(engine, events)`` (default: the events)."""
        applied = await self._submit(ev, None, self._market_respond(ev, answer))
        return applied.response

    async def market_many(self, events: list[QuoteTick | TradeTick]) -> None:
        """Feed several market-data events; a journaled server commits them together."""
        await asyncio.gather(*(self._submit(ev, None, self._market_respond(ev)) for ev in events))

    async def _submit(self, inp, key, respond):
        if self.writer.failed is not None:
            raise store_unavailable(self.writer.failed, own=False)
        try:
            return await self.writer.submit(inp, key, respond)
        except self.writer.unavailable as e:
            raise store_unavailable(e) from None

    async def _run(self, cmd, key, answer, field_prefix, field_map) -> Outcome:
        engine = self.engine

        def respond(events: list) -> dict:
            for ev in events:
                if type(ev) is CommandRejected and (
                    ev.cause is None or ev.cause.kind is CauseKind.COMMAND
                ):
                    err = ApiError.from_rejection(ev, field_prefix)
                    if field_map is not None:
                        err.field = field_map(err.field)
                    return {"error": {"status": err.status, "detail": err.detail,
                                      "reason": err.reason, "field": err.field}}  # fmt: skip
            return {"ok": answer(engine, events) if answer is not None else events}

        applied = await self._submit(cmd, key, respond)
        out = applied.response
        if "error" in out:
            raise ApiError(**out["error"])
        return Outcome(out["ok"], applied.duplicate)

    def _market_respond(self, ev, answer: Answer | None = None):
        engine = self.engine
        kind = "trade" if type(ev) is TradeTick else "quote"  # book events move the quote

        def respond(events: list):
            self._pending.append((kind, None, mapping.market_message(engine, ev.symbol)))
            return answer(engine, events) if answer is not None else events

        return respond

    @contextmanager
    def read(self):
        """Hold the lock while reading engine state (a consistent snapshot)."""
        with self.lock:
            yield self.engine

    # -- fan-out --------------------------------------------------------------------------
    def _on_events(self, batch: list) -> None:
        """Engine listener: compute the batch's messages now (they describe this state)."""
        e = self.engine
        moved: dict[tuple[str, str], None] = {}
        pending = self._pending
        for ev in batch:
            for kind, accounts, owner, data in mapping.stream_messages(ev, e):
                pending.append((kind, (accounts, owner), data))
            t = type(ev)
            if t is ExecutionReport:
                if self.reports is not None:
                    self._pending_reports.append(ev)
                if ev.last_qty:
                    self._pending_fills.append(ev)
                    moved[(ev.account, ev.symbol)] = None
            elif t is GroupUpdated:
                self.group_names.note(ev)
        for account, symbol in moved:
            a = e.accounts.get(account)
            if a is not None:
                pending.append(
                    ("position", (frozenset((account,)), None),
                     mapping.position_message(a, symbol, e))
                )  # fmt: skip

    def _flush(self) -> None:
        """The pending inputs are durable: publish what they did, in engine order."""
        if self._pending:
            pending, self._pending = self._pending, []
            for kind, scope, data in pending:
                self.hub.publish(kind, scope, data)
        if self._pending_reports:
            for ev in self._pending_reports:
                self.reports.add(ev)
            self._pending_reports = []
        if self._pending_fills:
            for ev in self._pending_fills:
                self.fills.append(ev)
                self._fill_seqs.append(ev.seq)
            self._pending_fills = []
            kept = self.fills_kept
            if kept is not None and len(self.fills) > 2 * kept:  # amortized O(1) per fill
                cut = len(self.fills) - kept
                del self.fills[:cut], self._fill_seqs[:cut]
                self._fills_trimmed = True

    def _drop(self, err: BaseException) -> None:
        """The pending inputs were not stored: they never happened for clients."""
        log.error("journal commit failed, refusing orders until a restart: %s", err)
        self._pending = []
        self._pending_fills = []
        self._pending_reports = []

    def fills_after(self, seq: int) -> Iterator[ExecutionReport]:
        """Fills with an engine sequence above ``seq``, oldest first: the journal's for the
        part older than the log kept in memory (``journal.fills_kept``), then memory's."""
        seqs = self._fill_seqs
        if self._fills_trimmed and (not seqs or seq < seqs[0] - 1):
            yield from self.writer.stored_fills(seq, seqs[0] if seqs else None)
        yield from self.fills[bisect_right(seqs, seq) :]

    def fills_newest_first(self) -> Iterator[ExecutionReport]:
        """Every fill, newest first: the log kept in memory, then the journal's older part,
        read backwards in chunks (a reader that stops early reads only what it took)."""
        yield from reversed(self.fills)
        if self._fills_trimmed:
            seqs = self._fill_seqs
            yield from self.writer.stored_fills(0, seqs[0] if seqs else None, descending=True)

    def order_reports(self, order_ids) -> dict[int, list[ExecutionReport]]:
        """The execution reports of the orders ``order_ids`` (each one a version of its
        order), oldest first, by order id (an order without any is absent): a journaled
        server's every committed report from its events table (``Writer.stored_reports``), a
        memory-only server's newest ``journal.reports_kept`` of all (``ReportLog``)."""
        if self.reports is not None:
            return self.reports.of(order_ids)
        return self.writer.stored_reports(order_ids)

    # -- reads of orders the engine may have forgotten ---------------------------------------
    def order(self, order_id: int) -> Order | None:
        """The order with this id: the engine's, or for a finished order it no longer keeps
        (``engine/retention.py``) the read model's detached copy; None if there is none."""
        o = self.engine.orders.get(order_id)
        if o is None and 0 < order_id <= self.engine.order_seq:
            o = self.writer.archived_orders(order_id, order_id).get(order_id)
        return o

    def order_by_code(self, accounts: Iterable[str], cl_ord_id: str) -> Order | None:
        """The order of one of ``accounts`` whose ClOrdID (FIX 11) is ``cl_ord_id``: the live
        one (at most one per account: the engine refuses a ClOrdID an open order uses), else
        the newest the engine keeps (``order_index``), else, on a journaled server, the
        newest in the read model (a finished order the engine forgot, ``engine/retention.py``;
        a detached copy); None when no order of theirs has it. Cost: a few dict look-ups per
        account plus its orders with this ClOrdID, and one indexed query (``ix_orders_cl_ord_id``)
        when the engine keeps none; never a walk over every order. Call under ``read()``."""
        e = self.engine
        accs = list(dict.fromkeys(accounts))
        found: Order | None = None
        for a in accs:
            o = e.order_by_cl_ord_id(a, cl_ord_id)
            if o is None:
                o = self.order_index.by_code(e, a, cl_ord_id)
            if o is not None and (found is None or o.order_id > found.order_id):
                found = o
        if found is None and accs and self.writer.durable:
            found = self.writer.archived_order_by_code(accs, cl_ord_id)
        return found

    def group(self, group_id: str) -> tuple[Any, Mapping[int, Order]] | None:
        """(group, its orders by id): the engine's, or for a closed group it no longer keeps
        the read model's detached copies; None if there is no such group."""
        g = self.engine.groups.get(group_id)
        if g is not None:
            return g, self.engine.orders
        return self.writer.archived_group(group_id)

    def orders_from(self, first_id: int, chunk: int = 512) -> Iterator[Order]:
        """Every order with id >= ``first_id``, by id: the engine's, and the read model's for
        the ones it forgot (one range query per ``chunk`` ids that miss any)."""
        e = self.engine
        orders, last = e.orders, e.order_seq
        durable = self.writer.durable
        for a in range(max(first_id, 1), last + 1, chunk):
            b = min(a + chunk - 1, last)
            archived = None
            for oid in range(a, b + 1):
                o = orders.get(oid)
                if o is None and durable:
                    if archived is None:
                        archived = self.writer.archived_orders(a, b)
                    o = archived.get(oid)
                if o is not None:
                    yield o
