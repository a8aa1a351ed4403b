"""Order vocabulary, after FIX 4.4/5.0 (tag numbers in comments).

Invariant: statuses and types are enums, never free strings; dialects map their own spellings
onto these in their ``mapping`` modules.
"""

from __future__ import annotations

from enum import Enum


class Side(str, Enum):
    """FIX 54 Side. SellShort opens or adds to a short; BuyToCover closes one."""

    BUY = "Buy"
    SELL = "Sell"
    SELL_SHORT = "SellShort"
    BUY_TO_COVER = "BuyToCover"

    @property
    def is_buy(self) -> bool:
        return self in _BUYS

    @property
    def sign(self) -> int:
        """+1 for buys, -1 for sells: the sign of the position change a fill makes."""
        return 1 if self in _BUYS else -1


_BUYS = frozenset({Side.BUY, Side.BUY_TO_COVER})


class OrdType(str, Enum):
    """FIX 40 OrdType (plus trailing variants; AlphaPoint numbering 1-7 in spec section 1)."""

    MARKET = "Market"
    LIMIT = "Limit"
    STOP_MARKET = "StopMarket"
    STOP_LIMIT = "StopLimit"
    TRAILING_STOP_MARKET = "TrailingStopMarket"
    TRAILING_STOP_LIMIT = "TrailingStopLimit"
    BLOCK_TRADE = "BlockTrade"

    @property
    def is_stop(self) -> bool:
        return self in _STOPS

    @property
    def is_trailing(self) -> bool:
        return self in _TRAILING

    @property
    def has_limit(self) -> bool:
        return self in _WITH_LIMIT


_TRAILING = frozenset({OrdType.TRAILING_STOP_MARKET, OrdType.TRAILING_STOP_LIMIT})
_WITH_LIMIT = frozenset({OrdType.LIMIT, OrdType.STOP_LIMIT, OrdType.BLOCK_TRADE})
_STOPS = frozenset(
    {
        OrdType.STOP_MARKET,
        OrdType.STOP_LIMIT,
        OrdType.TRAILING_STOP_MARKET,
        OrdType.TRAILING_STOP_LIMIT,
    }
)


class TimeInForce(str, Enum):
    """FIX 59 TimeInForce. GTX (AlphaPoint good-till-executed) maps to GTC at the edge."""

    DAY = "DAY"
    GTC = "GTC"
    GTD = "GTD"
    IOC = "IOC"
    FOK = "FOK"
    OPG = "OPG"
    CLS = "CLS"


class OrdStatus(str, Enum):
    """FIX 39 OrdStatus, plus Held (accepted, not working: inactive stop or OTO child)."""

    PENDING_NEW = "PendingNew"
    NEW = "New"
    PARTIALLY_FILLED = "PartiallyFilled"
    FILLED = "Filled"
    CANCELED = "Canceled"
    REJECTED = "Rejected"
    EXPIRED = "Expired"
    REPLACED = "Replaced"
    HELD = "Held"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def is_working(self) -> bool:
        return self in WORKING_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        OrdStatus.FILLED,
        OrdStatus.CANCELED,
        OrdStatus.REJECTED,
        OrdStatus.EXPIRED,
        OrdStatus.REPLACED,
    }
)


WORKING_STATUSES = frozenset({OrdStatus.NEW, OrdStatus.PARTIALLY_FILLED})


class ExecType(str, Enum):
    """FIX 150 ExecType of an execution report."""

    PENDING_NEW = "PendingNew"
    NEW = "New"
    TRADE = "Trade"
    CANCELED = "Canceled"
    REPLACED = "Replaced"
    RESTATED = "Restated"
    REJECTED = "Rejected"
    EXPIRED = "Expired"
    TRIGGERED = "Triggered"  # FIX L: triggered or activated by system


class TriggerBasis(str, Enum):
    """Which market price a stop watches (AlphaPoint PegPriceType 1-4, spec section 1)."""

    LAST = "Last"
    BID = "Bid"
    ASK = "Ask"
    MID = "Mid"


class TriggerCondition(str, Enum):
    """Explicit comparison of a stop's trigger (Alor ``condition``). Without it a buy stop uses
    MORE_OR_EQUAL and a sell stop LESS_OR_EQUAL."""

    MORE = "More"
    LESS = "Less"
    MORE_OR_EQUAL = "MoreOrEqual"
    LESS_OR_EQUAL = "LessOrEqual"


class TrailKind(str, Enum):
    """How a trailing offset is expressed: a price amount, a percentage, or a tick count."""

    AMOUNT = "Amount"
    PERCENT = "Percent"
    TICKS = "Ticks"


class PositionEffect(str, Enum):
    """FIX 77 OpenClose: Sway ``positionEffect``."""

    OPEN = "Open"
    CLOSE = "Close"
