"""Instruments: what trades, on which grid, in which sessions.

Invariant: ``tick_size``, ``lot_size`` and ``multiplier`` are positive Decimals and
``tick_size * lot_size * multiplier`` is a whole number of cash units, so every notional
(ticks x lots x ``cash_per_tick_lot``) is an exact integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from condor.domain.errors import DomainError, RejectReason
from condor.domain.values import CASH_SCALE, decimal_to_units, to_decimal


class AssetClass(str, Enum):
    EQUITY = "equity"
    FX = "fx"
    FUTURE = "future"
    CRYPTO = "crypto"


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable instrument.

    Fields: ``symbol`` (engine key, e.g. ``"IBM"``, ``"EUR/USD"``), ``asset_class``,
    ``venue`` (exchange code, e.g. ``"NYSE"``, ``"MOEX"``), ``board`` (Alor ``instrumentGroup``,
    e.g. ``"TQBR"``), ``tick_size`` and ``lot_size`` (Decimal, price and quantity grids),
    ``currency`` (quote currency of prices and P&L), ``calendar`` (session calendar id, see
    ``condor.engine.calendars``), ``multiplier`` (cash per point per lot unit, e.g. 50 for ES),
    ``has_trades`` (False for quote-only markets such as FX: stops then watch bid/ask),
    ``instrument_id`` (small int used by dialects such as AlphaPoint).
    """

    symbol: str
    asset_class: AssetClass
    venue: str
    tick_size: Decimal
    lot_size: Decimal = Decimal(1)
    currency: str = "USD"
    calendar: str = "us-equity"
    board: str | None = None
    multiplier: Decimal = Decimal(1)
    has_trades: bool = True
    instrument_id: int = 0
    description: str = ""
    price_precision: int = field(init=False)
    qty_precision: int = field(init=False)
    cash_per_tick_lot: int = field(init=False)

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.lot_size <= 0 or self.multiplier <= 0:
            raise ValueError(f"{self.symbol}: tick, lot and multiplier must be positive")
        cash = self.tick_size * self.lot_size * self.multiplier * CASH_SCALE
        if cash != int(cash):
            raise ValueError(f"{self.symbol}: tick x lot x multiplier finer than 1e-10")
        object.__setattr__(self, "cash_per_tick_lot", int(cash))
        object.__setattr__(self, "price_precision", _places(self.tick_size))
        object.__setattr__(self, "qty_precision", _places(self.lot_size))

    # -- prices ---------------------------------------------------------------------------
    def price_to_ticks(self, price: object, field: str = "price") -> int:
        """Decimal-like price -> int ticks. Raises DomainError PRICE_OFF_TICK / INVALID_FIELD."""
        d = to_decimal(price, field)
        return decimal_to_units(d, self.tick_size, field, RejectReason.PRICE_OFF_TICK)

    def ticks_to_price(self, ticks: int) -> Decimal:
        """int ticks -> Decimal price quantized to the instrument's precision."""
        return (self.tick_size * ticks).quantize(self.tick_size)

    def offset_to_ticks(self, amount: object, field: str) -> int:
        """A positive price distance (Decimal-like) -> int ticks (must be on the grid)."""
        ticks = self.price_to_ticks(amount, field)
        if ticks <= 0:
            raise DomainError(RejectReason.INVALID_FIELD, f"{field} must be positive", field)
        return ticks

    # -- quantities -----------------------------------------------------------------------
    def qty_to_lots(self, qty: object, field: str = "quantity") -> int:
        """Decimal-like quantity -> int lots. Raises DomainError QTY_OFF_LOT / INVALID_FIELD."""
        d = to_decimal(qty, field)
        return decimal_to_units(d, self.lot_size, field, RejectReason.QTY_OFF_LOT)

    def lots_to_qty(self, lots: int) -> Decimal:
        """int lots -> Decimal quantity quantized to the lot precision."""
        return (self.lot_size * lots).quantize(self.lot_size)

    def notional(self, ticks: int, lots: int) -> int:
        """Cash units of ``lots`` at ``ticks``: exact integer."""
        return ticks * lots * self.cash_per_tick_lot


def _places(step: Decimal) -> int:
    exp = step.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


class InstrumentRegistry:
    """Instruments by symbol (case-sensitive engine key) with lookups dialects need.

    ``get(symbol)`` raises DomainError(UNKNOWN_INSTRUMENT, field="symbol").
    """

    def __init__(self, instruments: list[Instrument] | None = None) -> None:
        self._by_symbol: dict[str, Instrument] = {}
        self._by_id: dict[int, Instrument] = {}
        for inst in instruments or []:
            self.add(inst)

    def add(self, inst: Instrument) -> Instrument:
        if inst.symbol in self._by_symbol:
            raise ValueError(f"instrument {inst.symbol} already registered")
        if inst.instrument_id == 0:
            inst = _with_id(inst, len(self._by_symbol) + 1)
        self._by_symbol[inst.symbol] = inst
        self._by_id[inst.instrument_id] = inst
        return inst

    def get(self, symbol: str, field: str = "symbol") -> Instrument:
        try:
            return self._by_symbol[symbol]
        except (KeyError, TypeError):
            raise DomainError(
                RejectReason.UNKNOWN_INSTRUMENT, f"unknown instrument {symbol!r}", field
            ) from None

    def by_id(self, instrument_id: int) -> Instrument:
        try:
            return self._by_id[instrument_id]
        except KeyError:
            raise DomainError(
                RejectReason.UNKNOWN_INSTRUMENT, f"unknown instrument id {instrument_id}", "id"
            ) from None

    def find(self, symbol: str) -> Instrument | None:
        return self._by_symbol.get(symbol)

    def __iter__(self):
        return iter(self._by_symbol.values())

    def __len__(self) -> int:
        return len(self._by_symbol)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._by_symbol


def _with_id(inst: Instrument, instrument_id: int) -> Instrument:
    return Instrument(
        symbol=inst.symbol,
        asset_class=inst.asset_class,
        venue=inst.venue,
        tick_size=inst.tick_size,
        lot_size=inst.lot_size,
        currency=inst.currency,
        calendar=inst.calendar,
        board=inst.board,
        multiplier=inst.multiplier,
        has_trades=inst.has_trades,
        instrument_id=instrument_id,
        description=inst.description,
    )
