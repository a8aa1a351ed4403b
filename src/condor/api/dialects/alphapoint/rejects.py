"""AlphaPoint APEX reject events (spec section 4.8) and the request echo they carry.

Invariants:
- one body per event, with the fields section 4.8 lists for it:
  ``NewOrderRejectEvent`` {OMSId, AccountId, ClientOrderId, OrderId, Status, RejectReason}
  (``OrderId`` is always 0: a refused order was never created, as the SendOrder reply says);
  ``CancelOrderRejectEvent`` adds the order's ``OrderId``, ``OrderRevision``, ``OrderType``,
  ``InstrumentId``; ``CancelReplaceOrderRejectEvent`` echoes the replace request in PascalCase
  (enums as strings); ``CancelAllOrdersRejectEvent`` carries ``InstrumentId``.
- the engine's rejection names only the command, account and target order, so the request of
  a replace / modify / cancel-all is remembered here (``RequestEcho``, one per app, bounded)
  before the command runs; the echo takes the request's values and, for keys the request left
  out (or a request made through another API), the target order's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal

from condor.api.dialects.alphapoint import mapping as M
from condor.api.dialects.alphapoint import schemas as W
from condor.domain.orders.order import Order

EVENTS = {
    "SubmitOrder": "NewOrderRejectEvent",
    "CreateGroup": "NewOrderRejectEvent",
    "CancelOrder": "CancelOrderRejectEvent",
    "ReplaceOrder": "CancelReplaceOrderRejectEvent",
    "ModifyOrder": "CancelReplaceOrderRejectEvent",
    "CancelAllOrders": "CancelAllOrdersRejectEvent",
}
"""Engine command of a ``rejected`` stream message -> the APEX reject event."""

Key = tuple[str, str, int | None]


class RequestEcho:
    """The latest request per ``(engine command, account, target order id)`` (order id None
    for CancelAllOrders): the wire fields a reject event echoes. Keeps ``size`` entries, the
    oldest forgotten first. Single-threaded (the event loop)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._d: OrderedDict[Key, dict] = OrderedDict()

    def put(self, command: str, account: str, order_id: int | None, fields: dict) -> None:
        key = (command, account, order_id)
        self._d[key] = fields
        self._d.move_to_end(key)
        while len(self._d) > self.size:
            self._d.popitem(last=False)

    def get(self, command: str, account: str | None, order_id: int | None) -> dict:
        return self._d.get((command, account or "", order_id), {})


def replace_echo(r: W.ReplaceIn) -> dict:
    """The fields of a CancelReplaceOrder request a reject echoes (only those it carried)."""
    out: dict = {"OrderIdToReplace": r.OrderIdToReplace, "ClientOrdId": r.ClientOrdId,
                 "UseDisplayQuantity": r.UseDisplayQuantity, "OrderIdOCO": r.OrderIdOCO}  # fmt: skip
    if r.OrderType in M.ORDER_TYPES:
        out["OrderType"] = M.ORDER_TYPES[r.OrderType].value
    if r.Side in M.SIDES:
        out["Side"] = M.SIDE_NAMES[M.SIDES[r.Side]]
    if r.TimeInForce in M.TIF_NAMES:
        out["TimeInForce"] = M.TIF_NAMES[r.TimeInForce]
    if r.PegPriceType in M.PEGS:
        out["PegPriceType"] = M.PEG_NAMES[M.PEGS[r.PegPriceType]]
    for key in ("LimitPrice", "StopPrice", "ReferencePrice", "Quantity", "DisplayQuantity"):
        v = getattr(r, key)
        if v is not None:
            out[key] = v
    return out


def _order_echo(o: Order | None) -> dict:
    """The replace fields as the order ``o`` has them (the base of an echo)."""
    if o is None:
        return {"OrderType": "Unknown", "Side": "Unknown", "TimeInForce": "Unknown",
                "InstrumentId": 0, "PegPriceType": "Unknown"}  # fmt: skip
    inst = o.inst
    return {
        "OrderType": o.ord_type.value,
        "Side": M.SIDE_NAMES[o.side],
        "TimeInForce": M.ENGINE_TIF_NAMES[o.tif],
        "InstrumentId": inst.instrument_id,
        "LimitPrice": inst.ticks_to_price(o.price) if o.price is not None else M.ZERO,
        "StopPrice": inst.ticks_to_price(o.stop_price) if o.stop_price is not None else M.ZERO,
        "Quantity": inst.lots_to_qty(o.leaves_qty),
        "DisplayQuantity": inst.lots_to_qty(o.display_qty or 0),
        "UseDisplayQuantity": o.display_qty is not None,
        "PegPriceType": M.PEG_NAMES.get(o.basis, "Last") if o.basis is not None else "Last",
        "ClientOrdId": M.ap_client_order_id(o.cl_ord_id),
    }


def _head(data: dict) -> dict:
    return {"OMSId": M.OMS_ID, "AccountId": M.ap_account(data.get("account"))}


def _tail(data: dict) -> dict:
    return {"Status": "Rejected", "RejectReason": data.get("text") or data.get("reason") or ""}


def reject_event(
    data: dict, find: Callable[[int], Order | None], echo: RequestEcho | None
) -> tuple[str, dict] | None:
    """A stream ``rejected`` message -> ``(event name, body)`` (section 4.8), None for a
    command APEX has no reject event for. ``find(order_id)`` looks an order up (engine or
    read model); ``echo`` holds the requests made through this dialect."""
    command = data.get("command")
    name = EVENTS.get(command)
    if name is None:
        return None
    oid = data.get("order_id")
    req = echo.get(command, data.get("account"), oid) if echo is not None else {}
    if name == "NewOrderRejectEvent":
        body = {"ClientOrderId": M.ap_client_order_id(data.get("cl_ord_id")), "OrderId": 0}
    elif name == "CancelOrderRejectEvent":
        o = find(oid) if oid else None
        body = {"OrderId": oid or 0, "OrderRevision": 0,
                "OrderType": o.ord_type.value if o is not None else "Unknown",
                "InstrumentId": o.inst.instrument_id if o is not None else 0,
                "ClientOrderId": M.ap_client_order_id(o.cl_ord_id if o is not None else None)}  # fmt: skip
    elif name == "CancelReplaceOrderRejectEvent":
        body = {"OrderIdToReplace": oid or 0, "ReferencePrice": M.ZERO, "OrderIdOCO": 0,
                **_order_echo(find(oid) if oid else None), **req}  # fmt: skip
    else:
        body = {"InstrumentId": req.get("InstrumentId", 0)}
    return name, {**_head(data), **body, **_tail(data)}


def quantity_echo(order_id: int, qty: Decimal) -> dict:
    """The fields of a ModifyOrder request a CancelReplaceOrderRejectEvent echoes."""
    return {"OrderIdToReplace": order_id, "Quantity": qty}
