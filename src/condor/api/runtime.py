"""The running system behind the API: engine, authenticator, stream hub, executions log.

Invariant: the engine is the single writer and is reached only through ``execute``, ``market``
and ``read`` under one lock, from the event loop's thread (handlers are ``async def`` and an
engine call never awaits: each one is short and does no I/O). Every batch of engine events is
fanned out to the stream hub and the executions log by one listener, in engine order, before
the call returns, so an HTTP answer never overtakes the stream.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from contextlib import contextmanager

from condor.api import mapping
from condor.api.auth import Authenticator
from condor.api.errors import ApiError
from condor.api.settings import Settings
from condor.api.stream import StreamHub
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.events import CauseKind, CommandRejected, ExecutionReport
from condor.engine.core import Engine


class Runtime:
    def __init__(self, settings: Settings, engine: Engine, auth: Authenticator) -> None:
        self.settings = settings
        self.engine = engine
        self.auth = auth
        self.hub = StreamHub(settings.stream.buffer_size, settings.stream.queue_size)
        self.fills: list[ExecutionReport] = []
        self._fill_seqs: list[int] = []
        self.lock = threading.RLock()
        self.ref_prices: dict[str, int] = {}
        engine.listeners.append(self._on_events)

    # -- the single writer's door -------------------------------------------------------
    def execute(self, cmd, field_prefix: str = "", field_map=None) -> list:
        """Run one command; return its events. Raises ApiError for a rejected command (which
        changed nothing)."""
        with self.lock:
            events = self.engine.handle(cmd)
        for ev in events:
            if type(ev) is CommandRejected and (
                ev.cause is None or ev.cause.kind is CauseKind.COMMAND
            ):
                err = ApiError.from_rejection(ev, field_prefix)
                if field_map is not None:
                    err.field = field_map(err.field)
                raise err
        return events

    def market(self, ev: QuoteTick | TradeTick) -> list:
        """Feed one market-data event to the venue and publish it on the stream."""
        with self.lock:
            out = self.engine.on_market(ev)
            kind = "quote" if type(ev) is QuoteTick else "trade"
            self.hub.publish(kind, None, mapping.market_message(self.engine, ev.symbol))
        return list(out)

    @contextmanager
    def read(self):
        """Hold the lock while reading engine state (a consistent snapshot)."""
        with self.lock:
            yield self.engine

    # -- fan-out ------------------------------------------------------------------------
    def _on_events(self, batch: list) -> None:
        e = self.engine
        moved: dict[tuple[str, str], None] = {}
        for ev in batch:
            for kind, accounts, owner, data in mapping.stream_messages(ev, e):
                self.hub.publish(kind, (accounts, owner), data)
            if type(ev) is ExecutionReport and ev.last_qty:
                self.fills.append(ev)
                self._fill_seqs.append(ev.seq)
                moved[(ev.account, ev.symbol)] = None
        for account, symbol in moved:
            a = e.accounts.get(account)
            if a is not None:
                self.hub.publish(
                    "position",
                    (frozenset((account,)), None),
                    mapping.position_message(a, symbol, e),
                )

    def fills_after(self, seq: int) -> list[ExecutionReport]:
        """Fills with an engine sequence above ``seq``, oldest first."""
        return self.fills[bisect_right(self._fill_seqs, seq) :]
