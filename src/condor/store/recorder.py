"""The recorder: runs inputs through the engine and turns them into journal batches.

Invariant: inputs get journal sequence numbers 1, 2, 3... in the order they reach the engine;
before each input the engine clock is read (and, with a ``time_source``, first advanced to it),
and that time is journaled with the input, so a replay that advances a clock to the recorded
time before each input sees exactly the same ``now_ns()`` (even with a wall clock in
production). ``flush`` returns the batch of everything applied since the previous flush,
with the read-model rows of the orders, groups, positions and accounts the batch touched, taken
from the engine as it stands after the batch's last input.

Stream positions: with a ``stream_head`` callable (the server's event-stream head once the
messages of the inputs applied so far are published), each input is journaled with that head
(``stream_seq``), read back after a restart (``Store.last_stream_seq``).

Inputs of the clock: an input may be given as a function of time (a callable, e.g.
``AdvanceClock``: the server's timer pump); it is called with the ``time_source`` time (at
least the engine clock; the engine clock without a time source), and what it returns is applied
and journaled. The engine clock is not advanced first, so an ``AdvanceClock`` made this way
fires each due timer at its own instant (a GTD expiry that passed while the server was down
expires at its expiry time, not at the restart's).

Idempotency: an input submitted with a key ``(scope, key)`` already seen (in this process or,
since the keys are loaded from the store, before a restart) is not applied; its first answer
is returned. Scopes name the caller's key space, e.g. ``("native", account)`` for ClOrdID,
``("tradestation", user)`` for X-REQID, ``("alor", portfolio)`` for X-REQID,
``("sway", account)`` for orderCode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from condor.domain.market import L2Delta, L2Snapshot, QuoteTick, TradeTick
from condor.domain.orders.events import CommandRejected, ExecutionReport, TrailUpdated
from condor.domain.orders.group_events import GroupUpdated
from condor.store import codec, rows
from condor.store.idempotency import KEPT, IdempotencyKeys
from condor.store.journal import Batch

MARKET = frozenset({QuoteTick, TradeTick, L2Snapshot, L2Delta})


class Applied(NamedTuple):
    """The outcome of one submission: its journal ``input_seq``, the engine ``events`` (empty
    for a duplicate), the ``response`` (JSON-ready; the first one for a duplicate) and whether
    it was a ``duplicate`` of an earlier idempotency key."""

    input_seq: int
    events: list
    response: Any
    duplicate: bool = False


def default_response(events: list) -> Any:
    """The answer remembered for an idempotency key: the events, codec form."""
    return [codec.to_jsonable(e) for e in events]


def event_row(ev, input_seq: int) -> dict:
    t = type(ev)
    cause = ev.cause
    return {
        "seq": ev.seq,
        "input_seq": input_seq,
        "type": t.__name__,
        "ts_ns": ev.ts_ns,
        "order_id": getattr(ev, "order_id", None),
        "group_id": getattr(ev, "group_id", None),
        "account": getattr(ev, "account", None),
        "payload": codec.encode_without_cause(ev),
        "cause": codec.dumps(cause.shallow()) if cause is not None else None,
    }


class Recorder:
    """Applies inputs to ``engine`` and collects them for the store.

    Args: ``engine``; ``next_seq`` the journal sequence of the next input (last stored + 1);
    ``idempotency`` the keys already stored ((scope, key) -> (input_seq, response JSON text));
    ``time_source`` an optional callable returning int ns (e.g. ``time.time_ns``) the engine
    clock is advanced to before each input; ``stream_head`` (attribute, optional) a callable
    returning the event-stream head after the input just applied (int).
    """

    stream_head: Callable[[], int] | None = None

    def __init__(
        self,
        engine,
        next_seq: int = 1,
        idempotency: dict | None = None,
        time_source: Callable[[], int] | None = None,
        load_answer: Callable[[str, str], str | None] | None = None,
        lookup_key: Callable[[str, str], tuple[int, str] | None] | None = None,
        keys_complete: bool = True,
        keys_kept: int = KEPT,
    ) -> None:
        self.engine = engine
        self.next_seq = next_seq
        self.time_source = time_source
        self.keys = IdempotencyKeys(
            idempotency, load_answer, lookup=lookup_key, kept=keys_kept, complete=keys_complete
        )
        self._batch = Batch()
        self._orders: dict[int, None] = {}
        self._groups: dict[str, None] = {}
        self._accounts: dict[str, None] = {}
        self._positions: dict[tuple[str, str], None] = {}

    @property
    def pending(self) -> int:
        return len(self._batch.inputs)

    def seen(self, scope: str, key: str) -> Applied | None:
        """The first answer to ``(scope, key)`` if it was submitted before, else None."""
        hit = self.keys.get(scope, key)
        return None if hit is None else Applied(hit[0], [], hit[1], True)

    def apply(
        self,
        inp,
        key: tuple[str, str] | None = None,
        respond: Callable[[list], Any] = default_response,
    ) -> Applied:
        """Run one command or market event (or a function of the clock that returns one, see
        the module doc); record it for the next ``flush``. ``respond(events)``
        makes the answer right after the input ran (called when a ``key`` is given or a
        ``respond`` other than the default is; kept with the key, so JSON-ready then)."""
        if key is not None:
            dup = self.seen(*key)
            if dup is not None:
                return dup
        e = self.engine
        if callable(inp):
            now = e.clock.now_ns()
            inp = inp(max(self.time_source(), now) if self.time_source is not None else now)
        elif self.time_source is not None:
            e.clock.advance_to(self.time_source())
        ts = e.clock.now_ns()
        seq = self.next_seq
        is_market = type(inp) in MARKET
        events = list(e.on_market(inp) if is_market else e.handle(inp))
        self.next_seq = seq + 1
        b = self._batch
        row = {
            "seq": seq,
            "kind": "market" if is_market else "command",
            "type": type(inp).__name__,
            "ts_ns": ts,
            "payload": codec.encode(inp),
            "first_event": events[0].seq if events else None,
            "last_event": events[-1].seq if events else None,
            "stream_seq": None,
        }
        b.inputs.append(row)
        for ev in events:
            b.events.append(event_row(ev, seq))
            self._touch(ev)
        response = None
        if key is not None or respond is not default_response:
            response = respond(events)
        if self.stream_head is not None:
            row["stream_seq"] = self.stream_head()
        if key is not None:
            b.idempotency.append(self.keys.remember(key[0], key[1], seq, response))
        return Applied(seq, events, response)

    def _touch(self, ev) -> None:
        t = type(ev)
        if t is ExecutionReport or t is TrailUpdated:
            oid = ev.order_id
            self._orders[oid] = None
            self._accounts[ev.account] = None
            self._positions[(ev.account, ev.symbol)] = None
            o = self.engine.orders.get(oid)
            if o is not None and o.groups:
                for gid in o.groups:
                    self._groups[gid] = None
        elif t is GroupUpdated:
            self._groups[ev.group_id] = None
        elif t is CommandRejected:
            return

    def flush(self) -> Batch:
        """The batch of inputs applied since the last flush, with its state rows."""
        e = self.engine
        b = self._batch
        orders = []
        for gid in self._groups:
            g = e.groups.get(gid)
            if g is not None:
                for m in g.members:
                    self._orders[m.order_id] = None
        for oid in self._orders:
            o = e.orders.get(oid)
            if o is not None:
                orders.append(rows.order_row(o))
        groups = [rows.group_row(g) for gid in self._groups if (g := e.groups.get(gid))]
        accounts = [rows.account_row(a) for aid in self._accounts if (a := e.accounts.get(aid))]
        positions = []
        for aid, sym in self._positions:
            a = e.accounts.get(aid)
            p = a.positions.get(sym) if a is not None else None
            if p is not None:
                positions.append(rows.position_row(aid, p))
        b.state = {"orders": orders, "groups": groups, "accounts": accounts, "positions": positions}
        self._batch = Batch()
        self._orders.clear()
        self._groups.clear()
        self._accounts.clear()
        self._positions.clear()
        return b

    def discard(self) -> None:
        """Forget the unflushed batch (after a failed commit: the engine is then ahead of the
        store and must be rebuilt by recovery before accepting anything)."""
        for r in self._batch.idempotency:
            self.keys.forget(r["scope"], r["key"])
        self._batch = Batch()
