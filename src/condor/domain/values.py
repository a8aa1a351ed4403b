"""Exact values at the edge: Decimal in, integer ticks and lots inside.

Invariant: inside the engine a price is an ``int`` number of ticks of its instrument and a
quantity is an ``int`` number of lots. Conversions happen only here and raise ``DomainError``
(``PRICE_OFF_TICK`` / ``QTY_OFF_LOT``) rather than round silently. Cash is an ``int`` in
``CASH_SCALE`` units (1e-10 of the currency), exact for every tick x lot x multiplier product
Condor supports.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from condor.domain.errors import DomainError, RejectReason

CASH_SCALE = 10**10
"""Cash amounts are integers in units of 1e-10 of their currency."""

_CASH_SCALE_D = Decimal(CASH_SCALE)

MAX_MAGNITUDE = 15
"""Edge numbers (prices, quantities, offsets) must be below 10**15 in absolute value: far above
any real price or order size, and it keeps ``1e999999`` from turning into a million-digit int
(which would stall the single writer) or overflowing ``quantize``."""


MAX_UNITS = 2**63 - 1
"""The largest count of ticks, of lots, or of tick-lots (an order's value, price x quantity) an
order may carry: the signed 64-bit integers in which the journal stores prices, quantities and
CumQty x price exactly. Enforced at admission (``engine/admission.check_units``), so that no
request can make a commit fail."""

CL_ORD_ID_MAX = 128
"""The longest ClOrdID (FIX 11) the engine accepts, in characters (the journal's column);
control characters are refused (PostgreSQL text holds no NUL)."""


def to_decimal(value: object, field: str) -> Decimal:
    """Parse ``value`` (Decimal, int, str; never float) to a finite Decimal.

    Raises DomainError(INVALID_FIELD) naming ``field`` when it is not a finite number or its
    absolute value is not below ``10**MAX_MAGNITUDE``. Floats
    are accepted only when their repr is exact (``str(value)``), as JSON parsers hand them over.
    """
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, bool):
        raise DomainError(RejectReason.INVALID_FIELD, f"{field} must be a number", field)
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, (str, float)):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            raise DomainError(
                RejectReason.INVALID_FIELD, f"{field} must be a number, got {value!r}", field
            ) from None
    else:
        raise DomainError(RejectReason.INVALID_FIELD, f"{field} must be a number", field)
    if not d.is_finite():
        raise DomainError(RejectReason.INVALID_FIELD, f"{field} must be finite", field)
    if d and d.adjusted() >= MAX_MAGNITUDE:
        raise DomainError(
            RejectReason.INVALID_FIELD, f"{field} must be below 1E+{MAX_MAGNITUDE}", field
        )
    return d


def decimal_to_units(value: Decimal, unit: Decimal, field: str, reason: RejectReason) -> int:
    """Return ``value / unit`` as an int; raise DomainError(reason) when it is not whole."""
    q = value / unit
    i = int(q)
    if q != i:
        raise DomainError(reason, f"{field} {value} is not a multiple of {unit}", field)
    return i


def plain(d: Decimal) -> Decimal:
    """Finite ``d`` without trailing fractional zeros and never in exponent form: ``150.000``
    -> ``150``, ``0.50`` -> ``0.5``, ``171638610`` stays ``171638610``, ``-0`` -> ``0``
    (``Decimal.normalize`` alone gives ``1.5E+2`` and ``1.7163861E+8``, which ``str`` writes
    as such on every wire). An integral value keeps all its digits."""
    if d == d.to_integral_value():
        return Decimal(int(d))
    n = d.normalize()
    return n if n.as_tuple().exponent <= 0 else Decimal(int(n))  # type: ignore[operator]


def cash_to_decimal(units: int) -> Decimal:
    """Cash units (1e-10) to a plain Decimal amount (``plain``: no trailing zeros, no
    exponent)."""
    return plain(Decimal(units) / _CASH_SCALE_D)


def decimal_to_cash(amount: Decimal) -> int:
    """A Decimal amount of currency to cash units; raises ValueError past 1e-10 precision."""
    q = amount * _CASH_SCALE_D
    i = int(q)
    if q != i:
        raise ValueError(f"cash amount {amount} is finer than 1e-10")
    return i
