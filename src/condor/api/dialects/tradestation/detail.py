"""Engine orders -> TradeStation Order Detail (``GET /v2/accounts/{keys}/orders``, wire-formats.md
1.9) and Order Results (1.7).

Invariant: reads only; prices and quantities leave as Decimal JSON numbers on the instrument's
grid; times as ``M/D/YYYY h:mm:ss AM`` in UTC (``1/1/0001 12:00:00 AM`` when never set).

Status codes: Held (an OSO order waiting for its primary) DON "Queued"; PendingNew ACK
"Received"; New OPN "Sent"; PartiallyFilled FPR; Filled FLL; Canceled OUT, or FLP when part
of it had filled; Expired EXP; Rejected REJ; Replaced (cancel/replace with a new id) OUT.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from condor.api.mapping import avg_price, ns_to_dt
from condor.domain.orders.enums import (
    OrdStatus,
    OrdType,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.orders.order import Order

NEVER = "1/1/0001 12:00:00 AM"

TYPE_TEXT = {
    Side.BUY: "Buy",
    Side.SELL: "Sell",
    Side.SELL_SHORT: "Sell Short",
    Side.BUY_TO_COVER: "Buy to Cover",
}
LEG_SIDE = {Side.BUY: "B", Side.SELL: "S", Side.SELL_SHORT: "T", Side.BUY_TO_COVER: "C"}
ORDER_TYPE_TEXT = {
    OrdType.MARKET: "Market",
    OrdType.LIMIT: "Limit",
    OrdType.STOP_MARKET: "Stop Market",
    OrdType.STOP_LIMIT: "Stop Limit",
    OrdType.TRAILING_STOP_MARKET: "Stop Market",
    OrdType.TRAILING_STOP_LIMIT: "Stop Limit",
    OrdType.BLOCK_TRADE: "Limit",
}
ORDER_TYPE_CODE = {"Market": 1, "Limit": 0, "Stop Market": 2, "Stop Limit": 3}
ASSET = {"equity": "EQ", "fx": "FX", "future": "FU", "crypto": "CRYPTO"}
STATUS_TEXT = {
    "DON": "Queued",
    "ACK": "Received",
    "OPN": "Sent",
    "FPR": "Partial Fill (Alive)",
    "FLL": "Filled",
    "FLP": "Partial Fill (UROut)",
    "OUT": "UROut",
    "EXP": "Expired",
    "REJ": "Rejected",
}


def status_code(o: Order) -> str:
    """The TradeStation status code of an order (module doc)."""
    s = o.status
    if s is OrdStatus.HELD:
        return "DON"
    if s is OrdStatus.PENDING_NEW:
        return "ACK"
    if s is OrdStatus.NEW:
        return "OPN"
    if s is OrdStatus.PARTIALLY_FILLED:
        return "FPR"
    if s is OrdStatus.FILLED:
        return "FLL"
    if s is OrdStatus.EXPIRED:
        return "EXP"
    if s is OrdStatus.REJECTED:
        return "REJ"
    return "FLP" if o.cum_qty else "OUT"


def timestamp(ns: int | None) -> str:
    """``8/3/2011 2:40:42 PM`` (UTC)."""
    if not ns:
        return NEVER
    d = ns_to_dt(ns).astimezone(UTC)
    return _fmt(d)


def _fmt(d: datetime) -> str:
    hour = d.hour % 12 or 12
    ampm = "AM" if d.hour < 12 else "PM"
    return f"{d.month}/{d.day}/{d.year} {hour}:{d.minute:02d}:{d.second:02d} {ampm}"


def duration_text(o: Order) -> str:
    """``DAY``, ``DAY+`` (extended), ``GTC``, ``GTC+``, ``GTD``, ``GTD+``, ``OPG``, ``CLO``,
    ``IOC``, ``FOK``."""
    base = {TimeInForce.CLS: "CLO"}.get(o.tif, o.tif.value)
    return base + "+" if o.extended else base


def _num(v: Decimal | None) -> Decimal:
    return v if v is not None else Decimal(0)


def _text(v: Decimal | None) -> str:
    return "" if v is None else format(v, "f")


def trailing(o: Order) -> dict | None:
    t = o.trail
    if t is None:
        return None
    if t.kind is TrailKind.PERCENT:
        return {"Percent": (Decimal(t.offset) / 10_000).normalize()}
    return {"Amount": o.inst.ticks_to_price(t.offset)}


def activation_rules(o: Order, spec, instruments=None) -> tuple[list[dict], list[dict]]:
    """(MarketActivationRules, TimeActivationRules) of an order still waiting for them;
    ``instruments`` (a registry) prices conditions on other symbols."""
    if spec is None:
        return [], []
    market = []
    for i, c in enumerate(spec.prices):
        inst = o.inst if c.symbol == o.inst.symbol else None
        if inst is None and instruments is not None:
            inst = instruments.find(c.symbol)
        market.append(
            {
                "RuleType": "Price",
                "Symbol": c.symbol,
                "Predicate": PREDICATE_TEXT[c.condition],
                "TriggerKey": _trigger_key(c.basis, o.side),
                "Price": format(inst.ticks_to_price(c.price), "f") if inst else str(c.price),
                "LogicOperator": "Or" if i and c.or_previous else "And",
            }
        )
    timed = []
    if spec.at_ns is not None:
        timed.append({"TimeUtc": ns_to_dt(spec.at_ns).astimezone(UTC).strftime("%H:%M:%S")})
    return market, timed


PREDICATE_TEXT = {
    TriggerCondition.MORE: "Gt",
    TriggerCondition.MORE_OR_EQUAL: "Gte",
    TriggerCondition.LESS: "Lt",
    TriggerCondition.LESS_OR_EQUAL: "Lte",
}


def _trigger_key(basis: TriggerBasis, side: Side) -> str:
    if basis is TriggerBasis.LAST:
        return "STT"
    return "SBA" if (basis is TriggerBasis.ASK) == side.is_buy else "SAB"


def order_detail(o: Order, group_name: str = "", activation=None, instruments=None) -> dict:
    """One Order Detail object (section 1.9), fields in the documented order; ``activation``
    the ActivationSpec the order still waits for (engine ``activations``)."""
    inst = o.inst
    px = inst.ticks_to_price
    limit = px(o.price) if o.price is not None else None
    stop = px(o.stop_price) if o.stop_price is not None else None
    avg = avg_price(inst, o.cum_cost, o.cum_qty)
    avg = avg.quantize(inst.tick_size) if avg is not None else None
    qty = inst.lots_to_qty(o.qty)
    filled = inst.lots_to_qty(o.cum_qty)
    left = inst.lots_to_qty(o.leaves_qty)
    code = status_code(o)
    market, timed = activation_rules(o, activation, instruments)
    type_text = ORDER_TYPE_TEXT[o.ord_type]
    terminal = o.status.is_terminal
    adv = []
    if o.trail is not None:
        adv.append("Trailing Stop")
    if o.display_qty is not None:
        adv.append("Show Only")
    leg = {
        "OpenOrClose": "C" if o.side in (Side.SELL, Side.BUY_TO_COVER) else "O",
        "LegNumber": 1,
        "OrderID": o.order_id,
        "Symbol": inst.symbol,
        "BaseSymbol": inst.symbol,
        "Side": LEG_SIDE[o.side],
        "TimeExecuted": timestamp(o.ts_updated) if o.cum_qty else NEVER,
        "ExecQuantity": filled,
        "Leaves": left,
        "ExecPrice": _num(avg),
        "Quantity": qty,
        "Month": 0,
        "Year": 0,
        "LimitPrice": _num(limit),
        "LimitPriceDisplay": _text(limit),
        "StopPrice": _num(stop),
        "StopPriceDisplay": _text(stop),
        "PointValue": inst.multiplier.normalize(),
        "PutOrCall": "",
        "StrikePrice": Decimal(0),
        "Bid": Decimal(0),
        "Ask": Decimal(0),
        "PriceUsedForBuyingPower": _num(limit if limit is not None else stop),
        "OrderType": ORDER_TYPE_CODE[type_text],
        "OrderTypeDescription": type_text,
        "ExpireDate": timestamp(o.expire_ns),
    }
    return {
        "AccountID": o.account,
        "AdvancedOptions": ", ".join(adv),
        "Alias": "",
        "AssetType": ASSET.get(inst.asset_class.value, inst.asset_class.value.upper()),
        "CommissionFee": Decimal(0),
        "UnbundledRouteFee": Decimal(0),
        "ContractExpireDate": NEVER,
        "ConversionRate": Decimal(1),
        "Country": "US",
        "Denomination": inst.currency,
        "DisplayName": inst.symbol,
        "DisplayType": inst.price_precision,
        "Duration": duration_text(o),
        "ExecuteQuantity": filled,
        "FilledCanceled": timestamp(o.ts_updated) if terminal else NEVER,
        "FilledPrice": _num(avg),
        "FilledPriceText": _text(avg),
        "GroupName": group_name,
        "Legs": [leg],
        "LimitPrice": _num(limit),
        "LimitPriceText": _text(limit),
        "MinMove": inst.tick_size.normalize(),
        "OrderID": o.order_id,
        "OrderConfirmId": o.cl_ord_id or "",
        "Originator": o.owner or "",
        "Quantity": qty,
        "QuantityLeft": left,
        "RejectReason": (o.text or "") if code == "REJ" else "",
        "Routing": "Intelligent",
        "ShowOnlyQuantity": inst.lots_to_qty(o.display_qty or 0),
        "Spread": "",
        "Status": code,
        "StatusDescription": STATUS_TEXT[code],
        "StopPrice": _num(stop),
        "StopPriceText": _text(stop),
        "Symbol": inst.symbol,
        "TimeStamp": timestamp(o.ts_created),
        "TrailingStop": trailing(o),
        "TriggeredBy": "",
        "Type": TYPE_TEXT[o.side],
        "MarketActivationRules": market,
        "TimeActivationRules": timed,
    }


def ok(order_id: int, summary: str) -> dict:
    """An Order Result of a placed order: ``Sent order: <summary>`` (section 1.7)."""
    return {"Message": f"Sent order: {summary}", "OrderID": str(order_id), "OrderStatus": "Ok"}


def failed(order_id: int | str, message: str) -> dict:
    """An Order Result of an order refused after it got an id (HTTP 200, section 1.7)."""
    return {"Message": message, "OrderID": str(order_id), "OrderStatus": "Failed"}
