"""Sway / DXtrade wire <-> engine (wire-formats.md sections 3.5-3.8, seed 002).

Invariants:
- inbound: enum values match case-insensitively; prices and quantities are converted exactly
  (Decimal -> ticks/lots; off-grid -> 400 code 33 naming the wire field). ``BUY``/``SELL``
  with ``positionEffect`` become engine sides: BUY CLOSE -> BuyToCover, SELL CLOSE -> Sell,
  otherwise BUY -> Buy and SELL -> SellShort (a sell that first sells the free long position,
  then opens a short: a position-based account nets like this).
- group kinds: ``OCO`` -> ``OCO-final`` (a final state of one cancels the others) with the
  ``sway_oco`` checks; ``IF-THEN`` -> ``OTO-OUO`` (the IF order's fill releases the
  position-attached THEN orders sized to it; a THEN order's fill reduces the others, since
  they close the same position) with the ``sway_if_then`` checks. The rules live in the
  engine; this module only names them.
- outbound: every number is a Decimal on the instrument's grid (written as a JSON number),
  times RFC 3339 UTC with milliseconds.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from decimal import Decimal

from condor.api.dialects.sway.errors import SwayError, bad_request, conflict
from condor.api.dialects.sway.schemas import OrderRequest
from condor.api.mapping import avg_price, dt_to_ns, ns_to_dt, position_out
from condor.domain.errors import DomainError
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument
from condor.domain.orders import commands as C
from condor.domain.orders.enums import (
    ExecType,
    OrdStatus,
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
)
from condor.domain.orders.order import Order

TYPES = {
    "MARKET": OrdType.MARKET,
    "LIMIT": OrdType.LIMIT,
    "STOP": OrdType.STOP_MARKET,
    "STOP_LIMIT": OrdType.STOP_LIMIT,
}
TYPES_OUT = {v: k for k, v in TYPES.items()}
TIFS = {"GTC": TimeInForce.GTC, "DAY": TimeInForce.DAY, "GTD": TimeInForce.GTD}
EFFECTS = {"OPEN": PositionEffect.OPEN, "CLOSE": PositionEffect.CLOSE}
CONTINGENCY = {
    "OCO": (GroupKind.OCO_FINAL, "sway_oco"),
    "IF-THEN": (GroupKind.OTO_OUO, "sway_if_then"),
}
STATUS = {
    OrdStatus.PENDING_NEW: "ACCEPTED",
    OrdStatus.HELD: "ACCEPTED",
    OrdStatus.NEW: "WORKING",
    OrdStatus.PARTIALLY_FILLED: "WORKING",
    OrdStatus.FILLED: "COMPLETED",
    OrdStatus.CANCELED: "CANCELED",
    OrdStatus.REPLACED: "CANCELED",
    OrdStatus.EXPIRED: "EXPIRED",
    OrdStatus.REJECTED: "REJECTED",
}
MAX_CODE = 64
LINKS = {"TRIGGERED_STOP": OrdType.STOP_MARKET, "TRIGGERED_LIMIT": OrdType.LIMIT}


def _enum(table: dict, value: str | None, field: str, default=None):
    if value is None:
        return default
    found = table.get(value.strip().upper())
    if found is None:
        raise bad_request(f"{field}: {value!r} is not one of {', '.join(table)}")
    return found


def contingency(value: str) -> tuple[GroupKind, str]:
    """``contingencyType`` (case-insensitive) -> (engine group kind, validator name)."""
    return _enum(CONTINGENCY, value, "contingencyType")


def check_order_code(code: str) -> str:
    """A client id: non-empty, at most 64 characters, no control characters; else 400
    code 101 (section 3.2)."""
    if not code or len(code) > MAX_CODE or any(ord(ch) < 32 for ch in code):
        raise SwayError(400, "101", "Client-originated identifier is not valid")
    return code


def engine_side(side: Side | str, effect: PositionEffect | None) -> Side:
    buy = side == "BUY"
    if effect is PositionEffect.CLOSE:
        return Side.BUY_TO_COVER if buy else Side.SELL
    return Side.BUY if buy else Side.SELL_SHORT


def _conv(fn, value, field: str):
    try:
        return fn(value, field)
    except DomainError as e:
        raise bad_request(f"{field}: {e.text}") from None


def to_submit(
    r: OrderRequest,
    account: str,
    inst: Instrument,
    owner: str | None,
    prefix: str = "",
    linkable: bool = False,
) -> C.SubmitOrder:
    """A Single Order Request -> SubmitOrder (``cl_ord_id`` = ``orderCode``; quantity 0 or
    absent -> 0 lots, which the engine accepts only for a THEN order of an IF-THEN group).
    ``priceOffset`` + ``priceLink`` are accepted only where ``linkable`` (THEN orders): see
    ``price_offset``. Raises SwayError 400 code 33 (or 101 for the orderCode) naming
    ``prefix`` + the field."""
    check_order_code(r.order_code)
    ot = _enum(TYPES, r.type, prefix + "type")
    if ot is None:
        raise bad_request(f"{prefix}type: required")
    side = _enum({"BUY": "BUY", "SELL": "SELL"}, r.side, prefix + "side")
    effect = _enum(EFFECTS, r.position_effect, prefix + "positionEffect")
    tif = _enum(TIFS, r.tif, prefix + "tif", TimeInForce.GTC)
    if ot is OrdType.MARKET and tif is not TimeInForce.GTC:
        raise bad_request(f"{prefix}tif: MARKET orders are GTC only")
    if r.position_code is not None and effect is not PositionEffect.CLOSE:
        raise bad_request(f"{prefix}positionCode: only with positionEffect CLOSE")
    offset = price_offset(r, ot, inst, prefix, linkable)
    link = _enum(LINKS, r.price_link, prefix + "priceLink")
    if ot is OrdType.LIMIT and r.limit_price is None and link is not OrdType.LIMIT:
        raise bad_request(f"{prefix}limitPrice: a LIMIT order needs a limit price")
    if ot in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT) and r.stop_price is None and not offset:
        raise bad_request(f"{prefix}stopPrice: a {r.type} order needs a stop price")
    qty = 0 if r.quantity is None else _conv(inst.qty_to_lots, r.quantity, prefix + "quantity")
    return C.SubmitOrder(
        account=account,
        symbol=inst.symbol,
        side=engine_side(side, effect),
        ord_type=ot,
        qty=qty,
        price=_px(inst, r.limit_price, prefix + "limitPrice"),
        stop_price=_px(inst, r.stop_price, prefix + "stopPrice"),
        tif=tif,
        expire_ns=dt_to_ns(r.expire_date) if r.expire_date is not None else None,
        cl_ord_id=r.order_code,
        position_effect=effect,
        owner=owner,
        price_offset=offset,
    )


def price_offset(
    r: OrderRequest, ot: OrdType, inst: Instrument, prefix: str, linkable: bool
) -> int | None:
    """``priceOffset`` (signed, price units) -> signed ticks, with ``priceLink``
    ``TRIGGERED_STOP`` (a STOP's stop price) or ``TRIGGERED_LIMIT`` (a LIMIT's limit price):
    on release the engine sets that price to the IF order's average fill price + the offset
    (section 3.5 "protection orders"). Both fields or neither; only on THEN orders."""
    if r.price_offset is None and r.price_link is None:
        return None
    if not linkable:
        raise bad_request(
            f"{prefix}priceOffset/priceLink: only for THEN orders of an IF-THEN group"
        )
    if r.price_offset is None or r.price_link is None:
        raise bad_request(f"{prefix}priceOffset/priceLink: give both or neither")
    link = _enum(LINKS, r.price_link, prefix + "priceLink")
    if link is not ot and not (link is OrdType.STOP_MARKET and ot is OrdType.STOP_LIMIT):
        raise bad_request(f"{prefix}priceLink: {r.price_link} does not fit a {r.type} order")
    v = r.price_offset
    ticks = _conv(inst.price_to_ticks, abs(v), prefix + "priceOffset")
    return -ticks if v < 0 else ticks


def _px(inst: Instrument, v: Decimal | None, field: str) -> int | None:
    return None if v is None else _conv(inst.price_to_ticks, v, field)


def to_modify(o: Order, r: OrderRequest) -> C.ModifyOrder:
    """A modify request (the full Single Order Request, no ``type``) -> ModifyOrder. Fields
    that cannot change (type, instrument, side, positionEffect, tif, expireDate) must equal
    the order's, else 409 (section 3.7: editing non-editable fields). ``quantity`` 0 or
    absent keeps the order's quantity (``qty`` None): a waiting position-attached THEN order
    stays without quantity, to be sized by its IF order's fill (section 3.5)."""
    inst = o.inst
    if r.type is not None and _enum(TYPES, r.type, "type") is not o.ord_type:
        raise conflict("type cannot change")
    if r.instrument != inst.symbol:
        raise conflict("instrument cannot change")
    side = _enum({"BUY": "BUY", "SELL": "SELL"}, r.side, "side")
    if (side == "BUY") != o.side.is_buy:
        raise conflict("side cannot change")
    effect = _enum(EFFECTS, r.position_effect, "positionEffect")
    if effect is not None and o.position_effect is not None and effect is not o.position_effect:
        raise conflict("positionEffect cannot change")
    tif = _enum(TIFS, r.tif, "tif")
    if tif is not None and tif is not o.tif:
        raise conflict("tif cannot change")
    if r.price_offset is not None or r.price_link is not None:
        raise bad_request("priceOffset/priceLink: not supported by this server")
    qty = None
    if r.quantity is not None and r.quantity != 0:
        qty = _conv(inst.qty_to_lots, r.quantity, "quantity")
    return C.ModifyOrder(
        order_id=o.order_id,
        qty=qty,
        price=_px(inst, r.limit_price, "limitPrice"),
        stop_price=_px(inst, r.stop_price, "stopPrice"),
        account=o.account,
    )


# -- outbound ---------------------------------------------------------------------------------
def ts(ns: int) -> str:
    """RFC 3339 UTC with milliseconds: ``2013-01-24T23:05:08.520Z``."""
    return ns_to_dt(ns).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def version(o: Order) -> int:
    """The order's version: its last update time in microseconds since the epoch
    (deterministic: the engine clock is journaled)."""
    return o.ts_updated // 1000


def order_code(o: Order) -> str:
    return o.cl_ord_id if o.cl_ord_id is not None else str(o.order_id)


def links(e, o: Order) -> tuple[list[dict], str | None]:
    """(links, positionCode) of ``o`` in its active groups: IF-THEN parent -> CHILD links,
    THEN order -> PARENT link (and the parent's id as positionCode), OCO -> OCO links."""
    out: list[dict] = []
    pos_code = None
    for gid in o.groups or ():
        g = e.groups.get(gid)
        if g is None:
            continue
        ids = [m.order_id for m in g.members if m.active]
        if g.kind == GroupKind.OTO_OUO.value:
            parent = g.members[0].order_id
            if o.order_id == parent:
                pairs = [("CHILD", x) for x in ids if x != parent]
            else:
                pairs = [("PARENT", parent)]
                pos_code = str(parent)
        else:
            pairs = [("OCO", x) for x in ids if x != o.order_id]
        for kind, oid in pairs:
            other = e.orders.get(oid)
            out.append(
                {
                    "linkType": kind,
                    "linkedOrder": str(oid),
                    "linkedClientOrderId": other.cl_ord_id if other is not None else None,
                }
            )
    return out, pos_code


def _side(o: Order) -> str:
    return "BUY" if o.side.is_buy else "SELL"


def execution_out(o: Order, r) -> dict:
    """One execution report ``r`` of ``o`` (an ExecutionReport: acceptance, trigger, modify,
    trade, cancel, expiry, rejection) as a Sway Execution (section 3.8): the order's status,
    quantities and average price as ``r`` left it, ``lastQuantity`` (0 unless a trade) and
    ``lastPrice`` (trades only), ``averagePrice`` (once filled), ``version`` the report's
    time in microseconds (as the order's), ``rejectReason``/``rejectCode`` for a rejection."""
    inst = o.inst
    out = {
        "account": o.account,
        "executionCode": str(r.seq),
        "orderCode": order_code(o),
        "updateOrderId": o.order_id,
        "version": r.ts_ns // 1000,
        "clientOrderId": o.cl_ord_id,
        "actionCode": str(r.seq),
        "instrument": inst.symbol,
        "status": STATUS[r.ord_status],
        "finalStatus": r.ord_status.is_terminal,
        "filledQuantity": inst.lots_to_qty(r.cum_qty),
        "lastQuantity": inst.lots_to_qty(r.last_qty),
        "remainingQuantity": inst.lots_to_qty(r.leaves_qty),
        "side": _side(o),
        "transactionTime": ts(r.ts_ns),
    }
    if r.last_qty:
        out["lastPrice"] = inst.ticks_to_price(r.last_px)
    if r.cum_qty:
        out["averagePrice"] = avg_price(inst, r.cum_cost, r.cum_qty)
    if r.exec_type is ExecType.REJECTED and r.reason is not None:
        out["rejectReason"] = r.text or r.reason.value
        out["rejectCode"] = r.reason.value
    return out


def order_out(e, o: Order, reports: list | None = None, with_links: bool = True) -> dict:
    """An engine order as a Sway Order object (section 3.8). ``reports`` are its execution
    reports, oldest first: the ``executions`` (status changes, modifies, cancels, trades)."""
    inst = o.inst
    lk, pos_code = links(e, o)
    price = o.price if o.ord_type is not OrdType.STOP_MARKET else o.stop_price
    leg = {
        "instrument": inst.symbol,
        "positionEffect": o.position_effect.name if o.position_effect is not None else None,
        "positionCode": pos_code,
        "side": _side(o),
        "price": inst.ticks_to_price(price) if price is not None else None,
        "legRatio": 1,
        "quantity": inst.lots_to_qty(o.qty),
        "filledQuantity": inst.lots_to_qty(o.cum_qty),
        "remainingQuantity": inst.lots_to_qty(o.leaves_qty),
        "averagePrice": avg_price(inst, o.cum_cost, o.cum_qty),
    }
    if o.ord_type is OrdType.STOP_LIMIT:
        leg["stopPrice"] = inst.ticks_to_price(o.stop_price)
    out = {
        "account": o.account,
        "orderId": o.order_id,
        "orderCode": order_code(o),
        "version": version(o),
        "clientOrderId": o.cl_ord_id,
        "actionCode": str(o.order_id),
        "legCount": 1,
        "type": TYPES_OUT.get(o.ord_type, o.ord_type.value.upper()),
        "instrument": inst.symbol,
        "status": STATUS[o.status],
        "finalStatus": o.status.is_terminal,
        "legs": [_drop_none(leg)],
        "side": _side(o),
        "tif": o.tif.value,
        "issueTime": ts(o.ts_created),
        "transactionTime": ts(o.ts_updated),
        "executions": [execution_out(o, r) for r in reports or ()],
    }
    if o.expire_ns is not None:
        out["expireDate"] = ts(o.expire_ns)
    if o.price_offset is not None:
        out["priceOffset"] = inst.ticks_to_price(o.price_offset)
        out["priceLink"] = "TRIGGERED_STOP" if o.ord_type.is_stop else "TRIGGERED_LIMIT"
    if with_links and lk:
        out["links"] = lk
    return out


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def digest_etag(data: bytes) -> str:
    """A strong ETag ``"<32 hex>"``: the first 128 bits of the SHA-256 of ``data``."""
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def etag(orders: list[Order]) -> str:
    """ETag of a list of open orders: a digest of each one's id, status, quantities, prices
    and last update time (engine state only, so it is the same after a restart)."""
    parts = [
        f"{o.order_id}|{o.status.value}|{o.qty}|{o.cum_qty}|{o.price}|{o.stop_price}|"
        f"{o.ts_updated};"
        for o in sorted(orders, key=lambda x: x.order_id)
    ]
    return digest_etag("".join(parts).encode())


def position_wire(a, p, inst: Instrument) -> dict:
    """A net position as a Sway Position (``positionCode`` = the instrument symbol: positions
    are netted per account and instrument)."""
    n = position_out(a, p, inst)
    return {
        "account": a.account_id,
        "version": 0,
        "positionCode": inst.symbol,
        "symbol": inst.symbol,
        "quantity": abs(n.quantity),
        "side": "BUY" if n.quantity >= 0 else "SELL",
        "openPrice": n.avg_price,
        "cost": n.cost,
        "realizedPnl": n.realized_pnl,
    }
