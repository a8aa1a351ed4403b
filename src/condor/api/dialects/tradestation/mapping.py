"""TradeStation order requests -> engine commands, and the Order Result texts.

Invariant: a request either becomes commands in engine units (ticks, lots, ns) or raises
``TSError`` with TradeStation's message for the first malformed field (wire-formats.md 1.5,
1.10); nothing here reads or changes engine state beyond the instrument registry, and no
business rule lives here (sessions, groups, risk are the engine's).

Enumerations (section 1.5): TradeAction Buy/Sell/SellShort/BuyToCover (+ BuyToOpen -> Buy,
SellToClose -> Sell, SellToOpen -> SellShort, BuyToClose -> BuyToCover), any case. Duration:
DAY, DYP (DAY extended), GTC, GCP (GTC extended), GTD, GDP (GTD extended; GTDDate MM/DD/YYYY,
expiring at the close of that day's session in the instrument's calendar, the extended close for
GDP), OPG, CLO (CLS), IOC, FOK, 1/3/5 (or "1 MIN"...: GTD
expiring that many minutes after now), each only for the asset types section 1.5 allows it
(``ASSET_DURATIONS``). Trailing stops: ByPoints/Value (points: whole numbers), ByPoints false
(percent, at most 2 decimals), Amount, Percent: StopMarket only, and StopPrice is then
ignored. OCO members are all in one account (section 1.6). Numbers of absurd magnitude
(1e15 or more, ``_decimal``) are refused with the field's message before any conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal, InvalidOperation

from condor.api.dialects.tradestation import errors as E
from condor.api.dialects.tradestation.errors import TSError, bad
from condor.api.dialects.tradestation.schemas import (
    AdvancedOptionsIn,
    GroupIn,
    OrderIn,
    TrailingStopIn,
)
from condor.api.mapping import dt_to_ns, ns_to_dt
from condor.domain.errors import DomainError
from condor.domain.groups.commands import MemberSpec
from condor.domain.groups.model import Rule
from condor.domain.groups.model import RuleAction as A
from condor.domain.groups.model import RuleEvent as Ev
from condor.domain.groups.templates import GroupKind, oto
from condor.domain.instruments import AssetClass, Instrument
from condor.domain.orders.activation import ActivationSpec, PriceCondition
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import (
    OrdType,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.engine.calendars import schedule_for

MINUTE_NS = 60_000_000_000
MAX_CONFIRM_ID = 25

SIDES = {
    "buy": (Side.BUY, "Buy"),
    "sell": (Side.SELL, "Sell"),
    "sellshort": (Side.SELL_SHORT, "Sell Short"),
    "buytocover": (Side.BUY_TO_COVER, "Buy to Cover"),
    "buytoopen": (Side.BUY, "Buy to Open"),
    "selltoclose": (Side.SELL, "Sell to Close"),
    "selltoopen": (Side.SELL_SHORT, "Sell to Open"),
    "buytoclose": (Side.BUY_TO_COVER, "Buy to Close"),
}
ORD_TYPES = {
    "market": (OrdType.MARKET, "Market"),
    "limit": (OrdType.LIMIT, "Limit"),
    "stopmarket": (OrdType.STOP_MARKET, "Stop Market"),
    "stoplimit": (OrdType.STOP_LIMIT, "Stop Limit"),
}
# wire duration -> (tif, extended, minutes)
DURATIONS: dict[str, tuple[TimeInForce, bool, int | None]] = {
    "DAY": (TimeInForce.DAY, False, None),
    "DYP": (TimeInForce.DAY, True, None),
    "GTC": (TimeInForce.GTC, False, None),
    "GCP": (TimeInForce.GTC, True, None),
    "GTD": (TimeInForce.GTD, False, None),
    "GDP": (TimeInForce.GTD, True, None),
    "OPG": (TimeInForce.OPG, False, None),
    "CLO": (TimeInForce.CLS, False, None),
    "IOC": (TimeInForce.IOC, False, None),
    "FOK": (TimeInForce.FOK, False, None),
    **{k: (TimeInForce.GTD, False, n) for n in (1, 3, 5) for k in (str(n), f"{n} MIN")},
}
ASSET_TYPES = {
    "EQ": AssetClass.EQUITY,
    "FX": AssetClass.FX,
    "FU": AssetClass.FUTURE,
    "OP": None,  # options: no option instrument exists in Condor yet
}
_MINUTES = frozenset(k for k, v in DURATIONS.items() if v[2] is not None)
_BASIC = frozenset({"DAY", "GTC", "GTD", "IOC", "FOK"})
ASSET_DURATIONS: dict[str, frozenset[str]] = {
    "EQ": frozenset(DURATIONS) - _MINUTES,
    "OP": _BASIC | {"OPG"},
    "FX": _BASIC | _MINUTES,
    "FU": _BASIC,
}
"""Durations each asset type takes (section 1.5: minute durations are forex only; futures
DAY/GTC/GTD/IOC/FOK; options add OPG; equities every other one)."""
GROUP_TYPES = ("OCO", "BRK", "NORMAL")


@dataclass
class Parsed:
    """One order request in engine units: the command, its instrument, the Order Result
    text (``summary``: ``Buy 10 ARNA @ 1.00 Limit``), its OrderConfirmId, and its OSO groups
    ``[(type, [Parsed, ...]), ...]``."""

    cmd: SubmitOrder
    inst: Instrument
    summary: str
    confirm_id: str | None
    asset_type: str
    duration: str
    osos: list[tuple[str, list[Parsed]]] = field(default_factory=list)

    def walk(self):
        """This order then its OSO orders, depth first."""
        yield self
        for _, orders in self.osos:
            for o in orders:
                yield from o.walk()

    @property
    def has_osos(self) -> bool:
        return bool(self.osos)


# -- scalars ------------------------------------------------------------------------------
def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v) if v.bit_length() <= 64 else None
    if isinstance(v, Decimal):  # plain text, unless that would be absurdly long
        return format(v, "f") if v.is_finite() and abs(v.adjusted()) <= MAX_DIGITS else str(v)
    if isinstance(v, str):
        return v.strip()
    return None


MAX_ADJUSTED = 14
"""Largest decimal exponent of a wire number: every magnitude from 1e15 up (a quantity, a
price, a trail amount) is refused as not a number, before any conversion to ticks or lots
(``Decimal('1e999999')`` would make a million-digit integer, ``1e30`` overflows the decimal
context when formatted back)."""
MAX_DIGITS = 40
"""Most significant digits (and characters of a numeric string) a wire number may have."""


def _decimal(v) -> Decimal | None:
    """A wire number (string, int or Decimal) -> Decimal; None when it is not a number, or
    not a sane one (more than ``MAX_DIGITS`` digits, magnitude 1e15 or more, or a non-zero
    magnitude below 1e-14)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int) and v.bit_length() > 64:
        return None
    if isinstance(v, Decimal | int):
        d = Decimal(v)
    elif isinstance(v, str):
        s = v.strip()
        if len(s) > MAX_DIGITS:
            return None
        if s.startswith("."):
            s = "0" + s
        try:
            d = Decimal(s)
        except InvalidOperation:
            return None
    else:
        return None
    return d if _sane(d) else None


def _sane(d: Decimal) -> bool:
    if not d.is_finite() or len(d.as_tuple().digits) > MAX_DIGITS:
        return False
    return d.is_zero() or -MAX_ADJUSTED <= d.adjusted() <= MAX_ADJUSTED


def _missing(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# -- one order ----------------------------------------------------------------------------
def parse_order(raw, registry, may_trade, now_ns: int, depth: int = 0) -> Parsed:
    """A lowercased-keys order body -> Parsed. ``may_trade(account) -> bool`` is the caller's
    permission. Raises TSError (400 with the section 1.10 message of the first bad field; 401
    for an account the caller may not trade)."""
    if not isinstance(raw, dict):
        raise bad(E.INVALID_INPUT)
    o = OrderIn.model_validate(raw)
    if _missing(o.symbol):
        raise bad(E.MISSING_SYMBOL)
    if _missing(o.ordertype):
        raise bad(E.INVALID_ORDER_TYPE)
    if _missing(o.duration):
        raise bad(E.MISSING_TIF)
    for name, v in (
        ("AccountKey", o.accountkey),
        ("AssetType", o.assettype),
        ("Quantity", o.quantity),
        ("TradeAction", o.tradeaction),
    ):
        if _missing(v):
            raise bad(f"{E.MISSING_FIELD} {name}")
    account = _text(o.accountkey)
    if not account:
        raise bad(E.BUILD + "Invalid account key")
    if not may_trade(account):
        raise TSError(401, E.NOT_AUTHORIZED_ACCOUNT)
    asset = (_text(o.assettype) or "").upper()
    if asset not in ASSET_TYPES:
        raise bad(E.BUILD + f"Invalid asset type {_text(o.assettype)!s}")
    symbol = o.symbol if isinstance(o.symbol, str) else None
    if symbol is None:
        raise bad(E.MISSING_SYMBOL)
    symbol = symbol.strip()
    if symbol != symbol.upper():
        raise bad(E.BUILD + f"Invalid symbol {symbol}: the Order Symbol must be UPPERCASE")
    inst = registry.find(symbol)
    if inst is None:
        raise bad(E.BUILD + f"Invalid symbol {symbol}")
    if ASSET_TYPES[asset] is not inst.asset_class:
        raise bad(E.BUILD + f"Invalid asset type {asset} for symbol {symbol}")
    qty_d = _decimal(o.quantity)
    if qty_d is None or qty_d <= 0:
        raise bad(E.BUILD + "Invalid quantity")
    lots = _convert(inst.qty_to_lots, qty_d, "Invalid quantity")
    ot_key = (_text(o.ordertype) or "").lower()
    if ot_key not in ORD_TYPES:
        raise bad(E.INVALID_ORDER_TYPE)
    ord_type, type_text = ORD_TYPES[ot_key]
    act = (_text(o.tradeaction) or "").lower()
    if act not in SIDES:
        raise bad(E.BUILD + f"Invalid trade action {_text(o.tradeaction)!s}")
    side, action_text = SIDES[act]
    dur = _duration(o.duration, asset)
    tif, extended, minutes = DURATIONS[dur]
    expire_ns = None
    if minutes is not None:
        expire_ns = now_ns + minutes * MINUTE_NS
    elif tif is TimeInForce.GTD:
        expire_ns = _gtd(o.gtddate, extended, inst)
    price = stop = None
    if ord_type.has_limit:
        d = _decimal(o.limitprice)
        if d is None or d <= 0:
            raise bad(E.INVALID_LIMIT)
        price = _convert(inst.price_to_ticks, d, None, E.INVALID_LIMIT)
    adv = _advanced(o.advancedoptions)
    trail, trail_text = _trail(adv.trailingstop, ord_type, inst)
    if trail is not None:  # section 1.5: StopPrice is ignored with a trailing stop
        ord_type = OrdType.TRAILING_STOP_MARKET
    elif ord_type.is_stop:
        stop = _stop(o.stopprice, inst)
    display = _show_only(adv.showonlyquantity, inst, asset)
    activation = activation_spec(adv, side, registry, now_ns)
    if activation is not None and depth > 0:
        raise bad(E.BUILD + "activation rules are supported on single orders only")
    confirm = _text(o.orderconfirmid) or None
    if confirm is not None and len(confirm) > MAX_CONFIRM_ID:
        raise bad(E.BUILD + f"OrderConfirmId longer than {MAX_CONFIRM_ID} characters")
    cmd = SubmitOrder(
        account=account, symbol=symbol, side=side, ord_type=ord_type, qty=lots, price=price,
        stop_price=stop, tif=tif, expire_ns=expire_ns, extended=extended, display_qty=display,
        cl_ord_id=confirm, trail=trail, activation=activation,
    )  # fmt: skip
    shown_px = inst.ticks_to_price(price if price is not None else stop) if trail is None and (
        price is not None or stop is not None
    ) else ""  # fmt: skip
    shown_type = type_text + (f" - Trl: {trail_text}" if trail_text else "")
    qty_text = format(inst.lots_to_qty(lots).normalize(), ",f")
    summary = f"{action_text} {qty_text} {symbol} @ {shown_px} {shown_type}"
    p = Parsed(cmd, inst, summary, confirm, asset, dur)
    if not _missing(o.osos):
        p.osos = parse_groups(o.osos, registry, may_trade, now_ns, depth + 1)
    return p


def parse_groups(raw, registry, may_trade, now_ns: int, depth: int) -> list:
    """``OSOs``: ``[{"Type", "Orders"}, ...]`` -> ``[(type, [Parsed])]``. Raises TSError."""
    if not isinstance(raw, list) or depth > 8:
        raise bad(E.GROUP_INPUT)
    return [parse_group(g, registry, may_trade, now_ns, depth, pairs=False) for g in raw]


def parse_group(raw, registry, may_trade, now_ns: int, depth: int = 0, pairs: bool = True):
    """A group body -> ``(type, [Parsed])``. ``pairs``: OCO/BRK need two orders or more
    (section 1.6 messages); the orders of an OCO are all in one account (section 1.6).
    Raises TSError."""
    if not isinstance(raw, dict):
        raise bad(E.GROUP_INPUT)
    g = GroupIn.model_validate(raw)
    kind = (_text(g.type) or "").upper()
    if kind not in GROUP_TYPES:
        raise bad(E.GROUP_TYPE)
    if not isinstance(g.orders, list) or not g.orders:
        raise bad(E.GROUP_EACH)
    if any(not isinstance(x, dict) or not x for x in g.orders):
        raise bad(E.GROUP_EACH)
    if pairs and kind != "NORMAL" and len(g.orders) < 2:
        raise bad(E.GROUP_PAIR)
    orders = [parse_order(x, registry, may_trade, now_ns, depth) for x in g.orders]
    if kind == "OCO" and len({p.cmd.account for p in orders}) > 1:
        raise bad(E.OCO_ONE_ACCOUNT)  # section 1.6: "all in one account"
    return kind, orders


def _duration(v, asset: str) -> str:
    """The wire Duration (upper case), allowed for ``asset`` (``ASSET_DURATIONS``)."""
    dur = (_text(v) or "").upper()
    if dur not in DURATIONS:
        raise bad(E.BUILD + f"Invalid duration {_text(v)!s}")
    if dur not in ASSET_DURATIONS[asset]:
        raise bad(E.BUILD + f"Invalid duration {dur} for asset type {asset}")
    return dur


def _stop(v, inst: Instrument) -> int:
    """StopPrice -> stop ticks; 400 ``Failed to build order: Invalid stop price``."""
    d = _decimal(v)
    if d is None or d <= 0:
        raise bad(E.BUILD + "Invalid stop price")
    return _convert(inst.price_to_ticks, d, "Invalid stop price")


def _convert(fn, d: Decimal, reason: str | None, message: str | None = None) -> int:
    try:
        return fn(d, "value")
    except DomainError:
        raise bad(message if message is not None else E.BUILD + str(reason)) from None


def _gtd(v, extended: bool, inst: Instrument) -> int:
    """GTDDate (MM/DD/YYYY) -> the expiry (epoch ns): the close of the instrument's session
    of that day in its own calendar (``Instrument.calendar``: 16:00 New York for US equities,
    13:00 on an early close, 17:00 for FX, midnight UTC for crypto, 18:40 Moscow for MOEX),
    or of the last session before it when the day has none (weekend, holiday); the extended
    session's end for GDP. TSError 400 for a malformed date or one before any known
    session."""
    s = _text(v)
    try:
        day = datetime.strptime(s or "", "%m/%d/%Y").date()
    except ValueError:
        raise bad(E.BUILD + "Invalid GTDDate (MM/DD/YYYY)") from None
    try:
        session = schedule_for(inst.calendar).session_through(day)
    except (KeyError, ValueError):  # a calendar that cannot reach that year
        session = None
    if session is None:
        raise bad(E.BUILD + f"Invalid GTDDate {s}: no session of {inst.symbol} on or before it")
    return session.end_ns if extended else session.close_ns


def _advanced(v) -> AdvancedOptionsIn:
    if v is None:
        return AdvancedOptionsIn()
    if not isinstance(v, dict):
        raise bad(E.BUILD + "Invalid AdvancedOptions")
    return AdvancedOptionsIn.model_validate(v)


def _trail(v, ord_type: OrdType, inst: Instrument) -> tuple[TrailSpec | None, str | None]:
    """TrailingStop (both generations) -> (TrailSpec, text for the Order Result)."""
    if v is None:
        return None, None
    if not isinstance(v, dict):
        raise bad(E.TRAIL_POINTS)
    t = TrailingStopIn.model_validate(v)
    if ord_type is not OrdType.STOP_MARKET:
        raise bad(E.TRAIL_STOP_ONLY)
    if t.amount is not None or t.percent is not None:
        if (t.amount is None) == (t.percent is None):
            raise bad(E.BUILD + "TrailingStop takes Amount or Percent, not both")
        if t.amount is not None:
            d = _decimal(t.amount)
            if d is None or d <= 0:
                raise bad(E.TRAIL_POINTS)
            ticks = _convert(inst.offset_to_ticks, d, None, E.TRAIL_POINTS)
            return TrailSpec(TrailKind.AMOUNT, ticks), _num(d)
        return _percent(t.percent)
    by_points = t.bypoints
    if isinstance(by_points, str):
        by_points = {"true": True, "false": False}.get(by_points.strip().lower())
    if not isinstance(by_points, bool):
        raise bad(E.TRAIL_POINTS)
    if not by_points:
        return _percent(t.value)
    d = _decimal(t.value)
    if d is None or d <= 0 or d != d.to_integral_value():
        raise bad(E.TRAIL_POINTS)
    ticks = _convert(inst.offset_to_ticks, d, None, E.TRAIL_POINTS)
    return TrailSpec(TrailKind.AMOUNT, ticks), _num(d)


def _percent(v) -> tuple[TrailSpec, str]:
    d = _decimal(v)
    if d is None or d <= 0 or d >= 100 or d != d.quantize(Decimal("0.01")):
        raise bad(E.TRAIL_PERCENT)
    return TrailSpec(TrailKind.PERCENT, int(d * 10_000)), _num(d) + "%"


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _show_only(v, inst: Instrument, asset: str) -> int | None:
    if _missing(v):
        return None
    d = _decimal(v)
    if d is None or d <= 0 or (asset == "EQ" and d % 100 != 0):
        raise bad(E.BUILD + "Invalid ShowOnlyQuantity (a positive multiple of 100 for equities)")
    return _convert(inst.qty_to_lots, d, "Invalid ShowOnlyQuantity")


# -- groups -> engine ---------------------------------------------------------------------
def group_plan(
    kind: str, orders: list[Parsed], owner: str | None
) -> tuple[GroupKind, tuple[MemberSpec, ...], tuple[Rule, ...] | None, tuple[str, ...]]:
    """A TradeStation group (or one order with OSOs: ``kind`` NORMAL with one order) -> the
    engine's (kind, members, rules, validators). Without OSOs, OCO is the OCO template and BRK
    the OUO template with the ``ts_brk`` validator (section 1.6). With OSOs, one Custom group
    holds every order depth first: OSO orders are OTO children of their primary (released on
    its fill), and OCO/BRK rules link the orders of each level, so the whole tree is created
    in one journaled command."""
    flat = [p for top in orders for p in top.walk()]
    members = tuple(MemberSpec(order=p.cmd._replace(owner=owner)) for p in flat)
    if not any(p.has_osos for p in orders):
        if kind == "OCO":
            return GroupKind.OCO, members, None, ()
        return GroupKind.OUO, members, None, ("ts_brk",)
    index = {id(p): i for i, p in enumerate(flat)}
    rules: list[Rule] = list(_level_rules(kind, [index[id(p)] for p in orders]))
    for p in flat:
        if not p.osos:
            continue
        children = tuple(index[id(c)] for _, cs in p.osos for c in cs)
        rules.extend(oto((index[id(p)],), children, partial=False, name="OSO"))
        for sub_kind, cs in p.osos:
            rules.extend(_level_rules(sub_kind, [index[id(c)] for c in cs]))
    return GroupKind.CUSTOM, members, tuple(rules), ()


def _level_rules(kind: str, idx: list[int]) -> tuple[Rule, ...]:
    if len(idx) < 2 or kind == "NORMAL":
        return ()
    t = tuple(idx)
    if kind == "OCO":
        return (Rule(Ev.FILL, A.CANCEL, sources=t, targets=t, name="OCO"),)
    return (Rule(Ev.FILL, A.REDUCE, sources=t, targets=t, name="BRK"),)


# -- activation rules -----------------------------------------------------------------------
PREDICATES = {
    "gt": TriggerCondition.MORE,
    "gte": TriggerCondition.MORE_OR_EQUAL,
    "lt": TriggerCondition.LESS,
    "lte": TriggerCondition.LESS_OR_EQUAL,
}
_LAST_KEYS = frozenset({"STT", "STTN", "DTT", "DTTN", "TTT", "TTTN"})
_SAME_SIDE_KEYS = frozenset({"SBA", "DBA", "TBA"})  # buy: ask, sell: bid
_OTHER_SIDE_KEYS = frozenset({"SAB", "DAB", "TAB"})  # buy: bid, sell: ask
TRIGGER_KEYS = _LAST_KEYS | _SAME_SIDE_KEYS | _OTHER_SIDE_KEYS


def _basis(key: str, side: Side) -> TriggerBasis:
    """Which price a trigger key watches (single, double and twice ticks alike)."""
    if key in _LAST_KEYS:
        return TriggerBasis.LAST
    ask = (key in _SAME_SIDE_KEYS) == side.is_buy
    return TriggerBasis.ASK if ask else TriggerBasis.BID


def activation_spec(adv: AdvancedOptionsIn, side: Side, registry, now_ns: int):
    """``MarketActivationRules`` (at most 4) and ``TimeActivationRules`` (at most 1) ->
    ``ActivationSpec`` (None when there is neither). ``TimeUtc`` ``HH:MM:SS`` is that time of
    the engine clock's current UTC day (already past: the condition holds at once).
    Raises TSError ``Failed to build order: Invalid ...ActivationRules ...``."""
    market, timed = adv.marketactivationrules, adv.timeactivationrules
    if _missing(market) and _missing(timed):
        return None
    conds = []
    if not _missing(market):
        if not isinstance(market, list) or len(market) > MAX_MARKET_RULES:
            raise bad(E.BUILD + "Invalid MarketActivationRules (a list of at most 4 rules)")
        for i, r in enumerate(market):
            conds.append(_price_rule(r, i, side, registry))
    at_ns = None
    if not _missing(timed):
        if not isinstance(timed, list) or len(timed) != 1 or not isinstance(timed[0], dict):
            raise bad(E.BUILD + "Invalid TimeActivationRules (one rule)")
        at_ns = _time_rule(timed[0].get("timeutc"), now_ns)
    if not conds and at_ns is None:
        return None
    return ActivationSpec(at_ns, tuple(conds))


MAX_MARKET_RULES = 4


def _price_rule(r, i: int, side: Side, registry) -> PriceCondition:
    def fail(what: str):
        return bad(E.BUILD + f"Invalid MarketActivationRules[{i}]: {what}")

    if not isinstance(r, dict):
        raise fail("not an object")
    if (_text(r.get("ruletype")) or "price").lower() != "price":
        raise fail("RuleType must be Price")
    symbol = r.get("symbol")
    if not isinstance(symbol, str) or symbol.strip() != symbol.strip().upper() or not symbol:
        raise fail("Symbol must be an UPPERCASE symbol")
    inst = registry.find(symbol.strip())
    if inst is None:
        raise fail(f"unknown Symbol {symbol}")
    pred = PREDICATES.get((_text(r.get("predicate")) or "").lower())
    if pred is None:
        raise fail("Predicate must be Lt, Lte, Gt or Gte")
    key = (_text(r.get("triggerkey")) or "STT").upper()
    if key not in TRIGGER_KEYS:
        raise fail(f"unknown TriggerKey {key}")
    d = _decimal(r.get("price"))
    if d is None or d <= 0:
        raise fail("Price must be a positive number")
    ticks = _convert(inst.price_to_ticks, d, f"Invalid MarketActivationRules[{i}]: Price")
    op = (_text(r.get("logicoperator")) or "And").lower()
    if op not in ("and", "or"):
        raise fail("LogicOperator must be And or Or")
    return PriceCondition(inst.symbol, _basis(key, side), pred, ticks, i > 0 and op == "or")


def _time_rule(v, now_ns: int) -> int:
    s = _text(v) or ""
    try:
        if "T" in s or "-" in s:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            return dt_to_ns(dt if dt.tzinfo else dt.replace(tzinfo=UTC))
        t = time.fromisoformat(s)
    except ValueError:
        raise bad(E.BUILD + "Invalid TimeActivationRules: TimeUtc must be HH:MM:SS") from None
    day = ns_to_dt(now_ns).date()
    return dt_to_ns(datetime.combine(day, t.replace(tzinfo=None), tzinfo=UTC))
