"""Wiring: ``Settings`` -> instruments, accounts, clock, engine, authenticator -> ``Runtime``.

Invariant: this is the one place where the parts are put together; nothing is built at import
time. The demo configuration is merged in here when ``settings.demo`` is set.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from condor.api.auth import Authenticator
from condor.api.demo import with_demo
from condor.api.mapping import dt_to_ns
from condor.api.runtime import Runtime
from condor.api.settings import AccountConfig, InstrumentConfig, Settings
from condor.api.writer import MemoryWriter, load_journal
from condor.domain.accounts.account import Account, Position
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.values import decimal_to_cash
from condor.engine.clock import SimClock
from condor.engine.core import Engine


def effective_settings(settings: Settings) -> Settings:
    """``settings`` with the demo configuration merged in when ``demo`` is set."""
    return with_demo(settings) if settings.demo else settings


def build_instrument(c: InstrumentConfig) -> Instrument:
    return Instrument(
        symbol=c.symbol, asset_class=AssetClass(c.asset_class), venue=c.venue,
        tick_size=c.tick_size, lot_size=c.lot_size, currency=c.currency, calendar=c.calendar,
        board=c.board, multiplier=c.multiplier, has_trades=c.has_trades,
        description=c.description,
    )  # fmt: skip


def build_account(c: AccountConfig, registry: InstrumentRegistry, refs: dict[str, int]) -> Account:
    """An account with its cash and positions (valued at the instrument's reference price)."""
    a = Account(c.account_id, owner=c.owner, leverage=c.leverage, name=c.name)
    for ccy, amount in c.cash.items():
        a.cash[ccy] = decimal_to_cash(amount)
    for symbol, qty in c.positions.items():
        inst = registry.get(symbol)
        lots = inst.qty_to_lots(qty, f"accounts.{c.account_id}.positions.{symbol}")
        ref = refs.get(symbol)
        cost = inst.notional(ref, abs(lots)) if ref is not None else 0
        a.positions[symbol] = Position(symbol, lots, cost if lots > 0 else -cost)
        a.cash.setdefault(inst.currency, 0)
    return a


def ref_prices(s: Settings, registry: InstrumentRegistry) -> dict[str, int]:
    """Reference prices in ticks, by symbol (instruments that configure one)."""
    return {
        c.symbol: registry.get(c.symbol).price_to_ticks(c.ref_price, "ref_price")
        for c in s.instruments
        if c.ref_price is not None
    }


def engine_factory(settings: Settings, store=None) -> Callable[[], Engine]:
    """A function that builds the configured engine (demo merged in), the same every time, as
    recovery and ``condor db check`` require. Clock: a ``SimClock`` at ``clock_start`` when
    set; otherwise, with a ``store`` (journaled server), a ``SimClock`` at the journal's first
    input (now for an empty journal; the journal writer then moves it to each input's wall
    time, see ``writer.open_journal``); otherwise (``--database memory`` on wall time) a
    ``SimClock`` at now, which ``MemoryWriter(time_source=time.time_ns)`` moves to each
    input's wall time (``build_runtime``), so the runtime's timer pump can fire due timers.
    Retention of finished orders (``engine/retention.py``): with a ``store``, the limit the
    journal recorded first (``Store.first_retention``; the configured one for a journal that
    records none yet), so a replay, at start or in ``condor db check``, runs each input under
    the limit it ran with, whatever ``journal.retain_terminal`` says now (later changes are
    ``SetRetention`` inputs); without one, None (a memory engine keeps everything)."""
    s = effective_settings(settings)
    if s.clock_start is not None:
        start = dt_to_ns(s.clock_start)
    elif store is not None:
        start = store.first_input_ts()
        if start is None:
            start = time.time_ns()
    else:
        start = time.time_ns()
    retain = None
    if store is not None:
        first = store.first_retention()
        retain = s.journal.retain_terminal if first is None else first[1]
    schedules = None
    if s.calendars:
        from condor.engine.calendars import schedule_for

        schedules = schedule_for

    def build() -> Engine:
        registry = InstrumentRegistry([build_instrument(c) for c in s.instruments])
        refs = ref_prices(s, registry)
        accounts = [build_account(c, registry, refs) for c in s.accounts]
        clock = SimClock(start)
        return Engine(registry, accounts, clock=clock, schedules=schedules, retain_terminal=retain)

    return build


def build_runtime(settings: Settings) -> Runtime:
    """The engine and everything around it, from ``settings`` (demo merged in). With a
    ``database_url`` (``settings.journal_url``) the engine is recovered from the journal and
    every input is journaled before it is acknowledged. Raises ``writer.JournalUnavailable`` when
    the database cannot be used (unreachable, foreign, corrupt, needs an upgrade, replay
    mismatch)."""
    s = effective_settings(settings)
    url = s.journal_url
    if url is None:
        engine = engine_factory(s)()
        wall = time.time_ns if s.clock_start is None else None  # timers fire on wall time
        rt = Runtime(s, engine, Authenticator(s), MemoryWriter(engine, wall))
    else:
        writer = load_journal(
            url, lambda store: engine_factory(s, store), s.clock_start is None, s.journal
        )
        rt = Runtime(s, writer.engine, Authenticator(s), writer)
    rt.ref_prices = ref_prices(s, rt.engine.instruments)
    return rt
