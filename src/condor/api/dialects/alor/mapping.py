"""Alor wire <-> engine: order bodies -> SubmitOrder / ReplaceOrder, orders and groups ->
Alor's read objects (wire-formats sections 2.6, 2.8, 2.9).

Invariants:
- quantities on the wire are lots and are the engine's lots (``qty``); ``qtyUnits`` =
  lots x lot size. Prices are Decimal on the wire and int ticks inside; an off-grid price is a
  400 naming the field, never rounded.
- enumerations are parsed case-insensitively (``condition`` ``LessOrEqual`` =
  ``lessorequal``) and written as the spec's examples write them (reads: ``LessOrEqual``,
  ``limit``, ``working``).
- Alor's exchange of an instrument is ``MOEX`` for MOEX instruments and ``SPBX`` for every
  other one (US equities trade on SPB Exchange at Alor); its board is the instrument's board
  (``TQBR``) or ``SPBX``.
- a user's Alor login is ``P`` + the digits of its first Alor-shaped portfolio (a letter and
  digits, e.g. D39004), zero-padded to 6 (``P039004``, as in the seed); a user without one
  keeps its username.
- timestamps are ISO-8601 UTC with 7 fractional digits and ``Z`` (section 2.9).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

from condor.api.dialects.alor.errors import AlorError, bad
from condor.api.dialects.alor.schemas import OrderBodyIn
from condor.domain.errors import DomainError
from condor.domain.groups.model import Group
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TimeInForce, TriggerCondition
from condor.domain.orders.order import Order

SIDES = {"buy": Side.BUY, "sell": Side.SELL}
TIFS = {
    "oneday": TimeInForce.DAY,
    "immediateorcancel": TimeInForce.IOC,
    "fillorkill": TimeInForce.FOK,
    "attheclose": TimeInForce.CLS,
    "goodtillcancelled": TimeInForce.GTC,
}
TIF_OUT = {v: k for k, v in TIFS.items()} | {TimeInForce.GTD: "goodtillcancelled",
                                             TimeInForce.OPG: "oneday"}  # fmt: skip
CONDITIONS = {c.value.lower(): c for c in TriggerCondition}
KINDS = {
    "market": OrdType.MARKET,
    "limit": OrdType.LIMIT,
    "stop": OrdType.STOP_MARKET,
    "stoplimit": OrdType.STOP_LIMIT,
}
"""Path segment of ``actions/<kind>`` (any casing) -> engine order type."""
POLICIES = {
    k.value.lower(): k
    for k in (GroupKind.ON_EXECUTE_OR_CANCEL, GroupKind.IGNORE_CANCEL,
              GroupKind.TRIGGER_BRACKET_ORDERS)
}  # fmt: skip
GROUP_TYPES = {"limit": "Limit", "market": "Market", "stop": "Stop", "stoplimit": "StopLimit"}
STATUS_OUT = {
    OrdStatus.PENDING_NEW: "working",
    OrdStatus.NEW: "working",
    OrdStatus.PARTIALLY_FILLED: "working",
    OrdStatus.HELD: "working",
    OrdStatus.FILLED: "filled",
    OrdStatus.CANCELED: "canceled",
    OrdStatus.EXPIRED: "canceled",
    OrdStatus.REPLACED: "canceled",
    OrdStatus.REJECTED: "rejected",
}
_PORTFOLIO = re.compile(r"^[A-Za-z](\d+)$")


# -- identities ---------------------------------------------------------------------------
def agreement_of(account: str) -> str | None:
    """The agreement number of an Alor-shaped portfolio (D39004 -> 39004), else None."""
    m = _PORTFOLIO.match(account)
    return m.group(1) if m else None


def login_for(username: str, accounts) -> str:
    """Alor login of a user (see the module invariant)."""
    for a in sorted(accounts, key=lambda x: (not x.startswith("D"), x)):
        m = _PORTFOLIO.match(a)
        if m:
            return "P" + m.group(1).zfill(6)
    return username


def alor_exchange(inst: Instrument) -> str:
    return "MOEX" if inst.venue.upper() == "MOEX" else "SPBX"


def alor_board(inst: Instrument) -> str:
    return inst.board or "SPBX"


# -- inbound ------------------------------------------------------------------------------
def enum_of(table: dict, value, field: str, what: str):
    """``table[value.lower()]``; a 400 naming ``field`` and the allowed values otherwise."""
    v = table.get(value.lower()) if isinstance(value, str) else None
    if v is None:
        raise bad(f"Invalid {what} {value!r}; expected one of {sorted(table)}", field)
    return v


def instrument(engine, body: OrderBodyIn) -> Instrument:
    """The engine instrument of ``body.instrument`` (symbol, exchange, optional board).
    Raises AlorError 400 naming ``instrument.<field>``."""
    ins = body.instrument
    inst = engine.instruments.find(ins.symbol) or engine.instruments.find(ins.symbol.upper())
    if inst is None:
        raise bad(f"Unknown instrument {ins.symbol!r}", "instrument.symbol", "UnknownInstrument")
    if ins.exchange.upper() != alor_exchange(inst):
        raise bad(
            f"Instrument {inst.symbol} is not traded on {ins.exchange!r}",
            "instrument.exchange", "UnknownInstrument",
        )  # fmt: skip
    if ins.instrumentGroup and ins.instrumentGroup.upper() != alor_board(inst).upper():
        raise bad(
            f"Instrument {inst.symbol} is not on board {ins.instrumentGroup!r}",
            "instrument.instrumentGroup", "UnknownInstrument",
        )  # fmt: skip
    return inst


def order_id_of(v) -> int | None:
    """An order number as the engine's id: a JSON integer, or text of ASCII digits only
    (section 2.7: order numbers are strings of digits); None for anything else. ``int()``
    alone would also take ``"1_0"``, ``" 1"``, ``"+1"`` and other scripts' digits, naming an
    order the client never named."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v if v >= 0 else None
    if isinstance(v, str) and v.isascii() and v.isdigit():
        return int(v)
    return None


def lots(v: Decimal, field: str = "quantity") -> int:
    """A positive whole number of lots; 400 "Invalid or unsupported quantity" otherwise."""
    if v != v.to_integral_value() or v <= 0:
        raise bad("Invalid or unsupported quantity", field, "InvalidQuantity")
    return int(v)


def price_ticks(inst: Instrument, v, field: str) -> int | None:
    """A positive on-grid Decimal price -> ticks (None stays None); AlorError 400."""
    if v is None:
        return None
    try:
        t = inst.price_to_ticks(v, field)
    except DomainError as e:
        raise bad(e.text, field, "InvalidPrice") from None
    if t <= 0:
        raise bad(f"{field} must be positive", field, "InvalidPrice")
    return t


def _required(v, field: str):
    if v is None:
        raise bad(f"{field} is required for this order type", field, "MissingField")
    return v


def to_submit(body: OrderBodyIn, ord_type: OrdType, inst: Instrument, owner: str) -> C.SubmitOrder:
    """An order body of kind ``ord_type`` -> SubmitOrder. Market and stop take no limit price
    (a ``price`` sent with them is ignored, as Alor reads show ``price: 0`` for stops). Stops:
    ``stopEndUnixTime`` > 0 -> GTD until then, else the body's ``timeInForce`` (stopLimit)
    or GTC; ``activate: false`` creates an inactive (Held) stop. ``icebergFixed`` is the
    visible quantity in lots. Raises AlorError 400."""
    side = enum_of(SIDES, body.side, "side", "side")
    qty = lots(body.quantity)
    is_stop = ord_type.is_stop
    price = None
    if ord_type.has_limit:
        price = price_ticks(inst, _required(body.price, "price"), "price")
    tif = TimeInForce.DAY
    post_only = False
    if body.timeInForce is not None and ord_type is not OrdType.STOP_MARKET:
        if body.timeInForce.lower() == "bookorcancel":
            # passive only: a day order that is canceled rather than take liquidity
            if ord_type is not OrdType.LIMIT:
                raise bad("bookorcancel applies to limit orders only", "timeInForce")
            post_only = True
        else:
            tif = enum_of(TIFS, body.timeInForce, "timeInForce", "timeInForce")
        if tif is TimeInForce.CLS and alor_exchange(inst) == "MOEX":
            tif = TimeInForce.FOK  # section 2.6: MOEX turns attheclose into fillorkill
    stop_price = condition = expire_ns = None
    if is_stop:
        condition = enum_of(CONDITIONS, _required(body.condition, "condition"), "condition",
                            "condition")  # fmt: skip
        stop_price = price_ticks(inst, _required(body.triggerPrice, "triggerPrice"), "triggerPrice")
        if body.protectingSeconds is not None and not 1 <= body.protectingSeconds <= 300:
            raise bad("protectingSeconds must be 1-300", "protectingSeconds")
        if body.stopEndUnixTime:
            if body.stopEndUnixTime < 0:
                raise bad("stopEndUnixTime must be a Unix time in seconds", "stopEndUnixTime")
            tif, expire_ns = TimeInForce.GTD, body.stopEndUnixTime * 1_000_000_000
        elif body.timeInForce is None or ord_type is OrdType.STOP_MARKET:
            tif = TimeInForce.GTC
    display = None
    if body.icebergFixed is not None and ord_type.has_limit:
        display = lots(body.icebergFixed, "icebergFixed")
        if display > qty:
            raise bad("icebergFixed exceeds quantity", "icebergFixed")
    return C.SubmitOrder(
        account=body.user.portfolio,
        symbol=inst.symbol,
        side=side,
        ord_type=ord_type,
        qty=qty,
        price=price,
        stop_price=stop_price,
        tif=tif,
        expire_ns=expire_ns,
        display_qty=display,
        condition=condition,
        activate=bool(body.activate) if is_stop else True,
        post_only=post_only,
        owner=owner,
        text=body.comment,
    )


def to_replace(o: Order, new: C.SubmitOrder) -> C.ReplaceOrder:
    """Alor modify (cancel + new order number, section 2.6): the new quantity, price and
    trigger of ``new`` (built from the PUT body like a create) replace ``o``'s. The new order
    keeps ``o``'s activation unless the body sets ``activate``."""
    return C.ReplaceOrder(
        order_id=o.order_id,
        qty=new.qty,
        price=new.price,
        stop_price=new.stop_price,
        account=o.account,
        activate=new.activate if o.ord_type.is_stop else None,
    )


def check_same_order(o: Order, new: C.SubmitOrder, ord_type: OrdType) -> None:
    """A modify may change quantity and prices only: side, instrument and type must stay
    (section 2.6). Raises AlorError 400."""
    if o.ord_type is not ord_type:
        raise bad(f"Order {o.order_id} is a {o.ord_type.value} order", "type", "InvalidField")
    if o.side is not new.side:
        raise bad("side cannot be changed by a modify", "side", "InvalidField")
    if o.inst.symbol != new.symbol:
        raise bad("instrument cannot be changed by a modify", "instrument.symbol")
    if o.condition is not None and new.condition is not None and o.condition != new.condition:
        raise bad("condition cannot be changed by a modify", "condition", "Unsupported")


# -- outbound -----------------------------------------------------------------------------
def ts7(ns: int | None) -> str | None:
    """Epoch ns -> ``2023-12-11T07:02:48.1234567Z`` (7 fractional digits, UTC)."""
    if ns is None:
        return None
    s, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{frac // 100:07d}Z"


def _price(inst: Instrument, ticks: int | None) -> Decimal | None:
    return None if ticks is None else inst.ticks_to_price(ticks)


price_out = _price


def volume(inst: Instrument, price: Decimal, lots_: object) -> Decimal:
    """Money value of ``lots_`` lots at ``price``: price x lot size x multiplier x lots."""
    n = lots_ if isinstance(lots_, (int, Decimal)) and not isinstance(lots_, bool) else 0
    return (price * inst.lot_size * inst.multiplier * n).normalize()


def _common(o: Order, existing: bool) -> dict:
    inst = o.inst
    units = inst.lot_size.normalize()
    qty_units = (units * o.qty).normalize()
    filled_units = (units * o.cum_qty).normalize()
    return {
        "symbol": inst.symbol,
        "brokerSymbol": f"{alor_exchange(inst)}:{inst.symbol}",
        "portfolio": o.account,
        "exchange": alor_exchange(inst),
        "board": alor_board(inst),
        "comment": o.text,
        "side": "buy" if o.side.is_buy else "sell",
        "status": STATUS_OUT[o.status],
        "transTime": ts7(o.ts_created),
        "updateTime": ts7(_updated_ns(o)),
        "endTime": ts7(o.expire_ns),
        "qtyUnits": _int(qty_units),
        "qtyBatch": o.qty,
        "qty": o.qty,
        "filledQtyUnits": _int(filled_units),
        "filledQtyBatch": o.cum_qty,
        "filled": o.cum_qty,
        "existing": existing,
        "timeInForce": "bookorcancel" if o.post_only else TIF_OUT.get(o.tif, "oneday"),
    }


def _updated_ns(o: Order) -> int:
    """``updateTime`` (epoch ns): the order's last change, never before its ``transTime``
    (section 2.9 times are wall times of one order's life; the engine stamps a stop created
    Held with the time its command started, a few microseconds before the order exists)."""
    return max(o.ts_updated, o.ts_created)


def _int(d: Decimal):
    return int(d) if d == d.to_integral_value() else d


def _iceberg(o: Order) -> dict | None:
    if o.display_qty is None:
        return None
    units = o.inst.lot_size
    return {
        "creationFixedQuantity": o.display_qty,
        "creationVarianceQuantity": 0,
        "visibleQuantity": _int((units * o.display_qty).normalize()),
        "visibleQuantityBatch": o.display_qty,
        "visibleFilledQuantity": 0,
        "visibleFilledQuantityBatch": 0,
    }


def _volume(o: Order, ticks: int | None) -> Decimal | None:
    if ticks is None:
        return None
    inst = o.inst
    return (inst.ticks_to_price(ticks) * inst.lot_size * inst.multiplier * o.qty).normalize()


def is_stop_order(o: Order) -> bool:
    """Listed under ``/stoporders`` (stop, stop-limit, trailing) rather than ``/orders``."""
    return o.ord_type.is_stop


def order_simple(o: Order, existing: bool = True) -> dict:
    """Order, format Simple (section 2.9). A stop appears here as the exchange order it
    became once triggered (same number), with type market or limit."""
    inst = o.inst
    d = {"id": str(o.order_id), **_common(o, existing)}
    d["type"] = "limit" if o.price is not None else "market"
    d["price"] = _price(inst, o.price) if o.price is not None else Decimal(0)
    d["iceberg"] = _iceberg(o)
    d["volume"] = _volume(o, o.price)
    return _ordered(d, _ORDER_KEYS)


def stop_simple(o: Order, existing: bool = True) -> dict:
    """Stop order, format Simple (section 2.9): ``stopPrice`` trigger, ``price`` limit (0 for
    a stop-market), ``condition`` PascalCase, ``exchangeOrderId`` once triggered."""
    inst = o.inst
    d = {"id": o.order_id, "exchangeOrderId": o.order_id if o.triggered else None,
         **_common(o, existing)}  # fmt: skip
    d["type"] = "stoplimit" if o.ord_type.has_limit else "stop"
    cond = o.condition or (
        TriggerCondition.MORE_OR_EQUAL if o.side.is_buy else TriggerCondition.LESS_OR_EQUAL
    )
    d["condition"] = cond.value
    d["error"] = None
    d["price"] = _price(inst, o.price) if o.price is not None else Decimal(0)
    d["avg_price"] = _avg(o)
    d["stopPrice"] = _price(inst, o.stop_price)
    d["volume"] = _volume(o, o.price if o.price is not None else o.stop_price)
    d["protectingSeconds"] = 15
    d["iceberg"] = _iceberg(o)
    d["activate"] = was_active(o)
    return d


def was_active(o: Order) -> bool:
    """The stop object's ``activate``: False for a stop that has never worked (created with
    ``activate: false`` and not activated, ended so or not), True otherwise."""
    return o.activated


def _avg(o: Order) -> Decimal:
    if not o.cum_qty:
        return Decimal(0)
    inst = o.inst
    return (inst.tick_size * o.cum_cost / o.cum_qty).quantize(inst.tick_size)


_ORDER_KEYS = ("id", "symbol", "board", "brokerSymbol", "portfolio", "exchange", "comment", "type",
               "side", "status", "transTime", "updateTime", "endTime", "qtyUnits", "qtyBatch",
               "qty", "filledQtyUnits", "filledQtyBatch", "filled", "price", "existing",
               "timeInForce", "iceberg", "volume")  # fmt: skip
_SLIM = {"id": "id", "symbol": "sym", "board": "bd", "brokerSymbol": "tic", "portfolio": "p",
         "exchange": "ex", "comment": "cmt", "type": "t", "side": "s", "status": "st",
         "transTime": "tt", "updateTime": "ut", "endTime": "et", "qtyUnits": "q",
         "qtyBatch": "qb", "filledQtyUnits": "fq", "filledQtyBatch": "fqb", "price": "px",
         "existing": "h", "timeInForce": "tf", "iceberg": "i", "volume": "v",
         "condition": "cnd", "stopPrice": "sp", "exchangeOrderId": "eo", "error": "err",
         "avg_price": "ap", "protectingSeconds": "ps"}  # fmt: skip


def _ordered(d: dict, keys) -> dict:
    return {k: d[k] for k in keys} | {k: v for k, v in d.items() if k not in keys}


def formatted(d: dict, fmt: str) -> dict:
    """A Simple object in ``fmt`` (Simple, Slim, Heavy; any casing): Heavy drops
    ``qty``/``filled`` and renames ``avg_price`` to ``avgPrice``; Slim uses short keys."""
    f = fmt.lower()
    if f == "heavy":
        out = {k: v for k, v in d.items() if k not in ("qty", "filled")}
        if "avg_price" in out:
            out["avgPrice"] = out.pop("avg_price")
        return out
    if f == "slim":
        return {_SLIM[k]: v for k, v in d.items() if k in _SLIM}
    return d


FORMATS = ("simple", "slim", "heavy")


def group_out(g: Group, engine, login: str) -> dict:
    """A group as section 2.8 shows it: ``id``, ``login``, ``orders`` (``group_orders``),
    ``executionPolicy``, ``status`` (Active, Filled, Canceled), ``createdAt``, ``closedAt``."""
    return {
        "id": g.group_id,
        "login": login,
        "orders": [{"orderId": str(oid)} for oid in group_orders(g)],
        "executionPolicy": g.kind,
        "status": g.status.value,
        "createdAt": ts7(g.created_ns),
        "closedAt": ts7(g.closed_ns),
    }


def group_orders(g: Group) -> list[int]:
    """The order ids a group lists (section 2.8): its members that have not left it (an
    IgnoreCancel member canceled or modified leaves, the one whose cancel ends the group
    too). A closed group lists the members it had when it closed."""
    return [m.order_id for m in g.members if m.active]


def group_role(o: Order, kind: GroupKind) -> str:
    """Member role for the group template: ``limit`` for TriggerBracketOrders' limit order
    (its trigger), ``stop`` for the rest; the order's own kind otherwise."""
    if o.ord_type is OrdType.LIMIT:
        return "limit"
    return "stop" if o.ord_type.is_stop else o.ord_type.value.lower()


def group_types(o: Order) -> frozenset[str]:
    """The member ``type`` values (section 2.8: Limit, Market, Stop, StopLimit) that name
    ``o``: Stop or StopLimit for a stop (trailing ones included), by whether it has a limit
    price; Limit or Market for the others; a triggered stop also as the exchange order it
    became (limit or market, as ``/orders`` lists it under the same number)."""
    exchange = "Limit" if o.price is not None else "Market"
    if not o.ord_type.is_stop:
        return frozenset({exchange})
    stop = "StopLimit" if o.price is not None else "Stop"
    return frozenset({stop, exchange}) if o.triggered else frozenset({stop})


def member_error(text: str, field: str | None) -> AlorError:
    return AlorError(400, text, "BadRequest", field, style="group")
