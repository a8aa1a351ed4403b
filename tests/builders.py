"""Test builders (no mocks): instruments, accounts and engines in a known state.

Prices in tests are written as Decimal strings and converted with the instrument's grid, so a
test reads like the trader's view ("buy 10 IBM @ 180.00") while the engine sees ticks.
"""

from __future__ import annotations

from decimal import Decimal

from condor.domain.accounts.account import Account, Position
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.values import decimal_to_cash
from condor.engine.core import Engine

IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"), calendar="us-equity")
IBM_FINE = Instrument("IBMX", AssetClass.EQUITY, "NYSE", Decimal("0.0001"))
USDJPY = Instrument(
    "USDJPY",
    AssetClass.FX,
    "DUKA",
    Decimal("0.001"),
    currency="JPY",
    calendar="fx-24x5",
    has_trades=False,
)
BTC = Instrument(
    "BTCUSDT",
    AssetClass.CRYPTO,
    "BINANCE",
    Decimal("0.01"),
    Decimal("0.00001"),
    currency="USDT",
    calendar="crypto-24x7",
)


def cash(amount) -> int:
    return decimal_to_cash(Decimal(str(amount)))


def account(
    account_id: str = "A", owner: str = "alice", usd=1_000_000, positions=None, **ccy
) -> Account:
    """An account with ``usd`` dollars, optional other currencies and long/short positions
    given as {symbol: (lots, avg price Decimal-string, instrument)}; a position's cost has
    its sign (a short's is negative: the proceeds received), as ``Position`` keeps it."""
    a = Account(account_id, owner=owner, cash={"USD": cash(usd)})
    for c, amt in ccy.items():
        a.cash[c.upper()] = cash(amt)
    for sym, (lots, px, inst) in (positions or {}).items():
        a.positions[sym] = Position(sym, lots, inst.notional(inst.price_to_ticks(px), lots))
        a.cash[inst.currency] = a.cash.get(inst.currency, 0)
    return a


def engine(*accounts: Account, instruments=(IBM,), schedules=None, **kw) -> Engine:
    """An engine without sessions unless ``schedules`` is given (a calendar-id -> schedule
    callable such as ``condor.engine.calendars.schedule_for``)."""
    accts = accounts or (account("A", "alice"), account("B", "bob"))
    return Engine(InstrumentRegistry(list(instruments)), accts, schedules=schedules, **kw)


def px(inst: Instrument, price: str) -> int:
    return inst.price_to_ticks(Decimal(price))
