"""Exact decimal-string -> integer-unit parsers for the hot loops of the feed readers.

Invariant: ``decimal_parser(step)(text)`` returns exactly ``Decimal(text) / step`` as an ``int``
(the same value as ``Instrument.price_to_ticks`` / ``qty_to_lots``) or raises ``OffGridError``;
no float is ever involved. It uses ``str`` slicing and ``int()`` only, plus a bounded cache of
recent strings (feeds repeat the same few hundred prices), so memory stays constant.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from condor.domain.instruments import Instrument
from condor.marketdata.errors import OffGridError

CACHE_LIMIT = 1 << 16
"""Most distinct strings a parser remembers; the cache is emptied when it reaches this size."""


def _split_step(step: Decimal) -> tuple[int, int]:
    """``step`` as ``mantissa * 10**-exp`` with ``exp >= 0`` (0.25 -> (25, 2), 5 -> (5, 0))."""
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    _sign, digits, exp = step.normalize().as_tuple()
    assert isinstance(exp, int)
    mantissa = int("".join(map(str, digits)))
    if exp > 0:
        return mantissa * 10**exp, 0
    return mantissa, -exp


def decimal_parser(
    step: Decimal, what: str = "value", *, cache: bool = True
) -> Callable[[str], int]:
    """Build ``parse(text) -> int`` giving ``text / step`` exactly.

    ``text`` is a plain decimal string (``"181.5200"``, ``"-0.5"``, ``"42"``); surrounding
    whitespace is tolerated. Raises ``OffGridError`` when the value is not a whole multiple of
    ``step`` and ``OffGridError`` too for text that is not a plain decimal (``"1e5"``, ``""``).
    ``cache`` remembers up to ``CACHE_LIMIT`` recent strings: worth it for prices, which repeat,
    not for quantities, which mostly do not.
    """
    mantissa, places = _split_step(step)
    pow10 = [10**k for k in range(places + 1)]
    memo: dict[str, int] = {}
    memo_get = memo.get

    def careful(text: str) -> int:
        s = text.strip()
        dot = s.find(".")
        head = s[:dot] if dot >= 0 else s
        frac = s[dot + 1 :] if dot >= 0 else ""
        digits = head[1:] if head[:1] in ("-", "+") else head
        if not (digits.isdecimal() or (not digits and frac)) or (frac and not frac.isdecimal()):
            raise OffGridError(f"{what} {text!r} is not a plain decimal")
        if len(frac) > places and frac[places:].strip("0"):
            raise OffGridError(f"{what} {text!r} is not a multiple of {step}")
        frac = frac[:places]
        units = int((head if digits else head + "0") + frac) * pow10[places - len(frac)]
        if mantissa != 1:
            units, rem = divmod(units, mantissa)
            if rem:
                raise OffGridError(f"{what} {text!r} is not a multiple of {step}")
        return units

    zeros = ["0" * k for k in range(64)]

    def fast(text: str) -> int:
        # The usual feed shape "digits.digits" with at least ``places`` decimals, all zero
        # beyond ``places``; anything else takes the careful path (same result or error).
        dot = text.find(".")
        extra = len(text) - dot - 1 - places
        if (
            dot > 0
            and 0 <= extra < 64
            and text.endswith(zeros[extra])
            and (extra or text[-1].isdecimal())
            and "_" not in text
        ):
            try:
                units = int(text[:dot] + text[dot + 1 : len(text) - extra])
            except ValueError:
                return careful(text)
            if mantissa == 1:
                return units
            units, rem = divmod(units, mantissa)
            if not rem:
                return units
        return careful(text)

    if not cache:
        return fast

    def parse(text: str) -> int:
        v = memo_get(text)
        if v is None:
            v = fast(text)
            if len(memo) >= CACHE_LIMIT:
                memo.clear()
            memo[text] = v
        return v

    return parse


def floor_parser(step: Decimal, what: str = "value") -> Callable[[str], int]:
    """Like ``decimal_parser`` but rounds a non-negative off-grid value down to the grid."""
    mantissa, places = _split_step(step)
    exact = decimal_parser(step, what, cache=False)

    def parse(text: str) -> int:
        try:
            return exact(text)
        except OffGridError:
            s = text.strip()
            dot = s.find(".")
            if dot < 0 or s.startswith("-"):
                raise
            frac = (s[dot + 1 :] + "0" * places)[:places]
            return int(s[:dot] + frac) // mantissa

    return parse


def tick_parser(instrument: Instrument) -> Callable[[str], int]:
    """Price string -> int ticks of ``instrument`` (exact; ``OffGridError`` off the tick grid)."""
    return decimal_parser(instrument.tick_size, f"{instrument.symbol} price")


def lot_parser(instrument: Instrument, *, cache: bool = False) -> Callable[[str], int]:
    """Quantity string -> int lots of ``instrument`` (exact; ``OffGridError`` off the lot grid).

    For a lot size of 1 this is plain ``int`` on the text (sizes such as ``"300"``). ``cache``
    as for ``decimal_parser`` (pays off when quantities repeat, e.g. Binance depth deletes).
    """
    if instrument.lot_size == 1:
        return _int_lots(instrument.symbol)
    return decimal_parser(instrument.lot_size, f"{instrument.symbol} size", cache=cache)


def _int_lots(symbol: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            return decimal_parser(Decimal(1), f"{symbol} size")(text)

    return parse


def scaled_int_converter(scale_step: Decimal, instrument: Instrument) -> Callable[[int], int]:
    """Scaled integer (value = n * ``scale_step``) -> int ticks, exact.

    Example: LOBSTER prices are USD x 10,000 (``scale_step=Decimal("0.0001")``); with a tick of
    0.01 every raw value must be a multiple of 100. Raises ``OffGridError`` otherwise.
    """
    ratio = instrument.tick_size / scale_step
    if ratio != int(ratio):
        raise ValueError(f"tick {instrument.tick_size} is not a multiple of {scale_step}")
    k = int(ratio)
    if k == 1:
        return _identity
    symbol = instrument.symbol

    def convert(raw: int) -> int:
        q, r = divmod(raw, k)
        if r:
            raise OffGridError(f"{symbol} raw price {raw} is not a multiple of {k}")
        return q

    return convert


def _identity(raw: int) -> int:
    return raw
