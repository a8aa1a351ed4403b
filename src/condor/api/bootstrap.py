"""Wiring: ``Settings`` -> instruments, accounts, clock, engine, authenticator -> ``Runtime``.

Invariant: this is the one place where the parts are put together; nothing is built at import
time. The demo configuration is merged in here when ``settings.demo`` is set.
"""

from __future__ import annotations

from condor.api.auth import Authenticator
from condor.api.demo import with_demo
from condor.api.mapping import dt_to_ns
from condor.api.runtime import Runtime
from condor.api.settings import AccountConfig, InstrumentConfig, Settings
from condor.domain.accounts.account import Account, Position
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.values import decimal_to_cash
from condor.engine.clock import SimClock, WallClock
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


def build_runtime(settings: Settings) -> Runtime:
    """The engine and everything around it, from ``settings`` (demo merged in)."""
    s = effective_settings(settings)
    registry = InstrumentRegistry([build_instrument(c) for c in s.instruments])
    refs = {
        c.symbol: registry.get(c.symbol).price_to_ticks(c.ref_price, "ref_price")
        for c in s.instruments
        if c.ref_price is not None
    }
    accounts = [build_account(c, registry, refs) for c in s.accounts]
    clock = SimClock(dt_to_ns(s.clock_start)) if s.clock_start is not None else WallClock()
    schedules = None
    if s.calendars:
        from condor.engine.calendars import schedule_for

        schedules = schedule_for
    engine = Engine(registry, accounts, clock=clock, schedules=schedules)
    rt = Runtime(s, engine, Authenticator(s))
    rt.ref_prices = refs
    return rt
