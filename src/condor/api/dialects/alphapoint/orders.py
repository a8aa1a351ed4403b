"""AlphaPoint APEX order commands: SendOrder, SendOrderList, CancelOrder, CancelAllOrders,
CancelReplaceOrder, ModifyOrder (seed 004, spec section 4.6).

Invariant: every command goes through ``Runtime.execute`` (journaled, durable before the
reply); a call that fails validation or permission changes nothing and answers the APEX
error (SendOrder: ``{"status": "Rejected", ...}``; the others: the generic response). The
outcome of an accepted order arrives as events (``events``), as APEX's asynchronous SendOrder.
"""

from __future__ import annotations

from typing import Any

from condor.api.dialects.alphapoint import errors as X
from condor.api.dialects.alphapoint import mapping as M
from condor.api.dialects.alphapoint import rejects as RJ
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.errors import ApError
from condor.api.dialects.alphapoint.session import Session
from condor.api.errors import ApiError
from condor.domain.orders import commands as C
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.order import Order


async def run(rt, cmd, answer=None):
    """``rt.execute`` with native rejections translated to ApError (field in APEX keys)."""
    try:
        return await rt.execute(cmd, answer, field_map=M.wire_field)
    except ApiError as e:
        raise X.from_reason(e.reason, e.detail, e.field) from None


def _new_order_id(e, events: list) -> int:
    return next(ev.order_id for ev in events if type(ev) is ExecutionReport)


def visible_order(e, s: Session, order_id: int | None, rt=None) -> Order:
    """The order if the caller may see it; 104 "Order Not Found" otherwise (ids leak nothing).
    With the runtime ``rt``, also a finished order the engine no longer keeps (read model)."""
    p = s.require()
    if order_id is None:
        o = None
    else:
        o = rt.order(order_id) if rt is not None else e.orders.get(order_id)
    if o is None or not p.may_see(o.account):
        raise ApError(X.NOT_FOUND, f"Order Not Found: {order_id}", "OrderId")
    return o


def rejected(e: ApError) -> dict:
    """SendOrder rejection (section 4.6): ``errormsg`` in APEX spelling (``Not_Enough_Funds``,
    ``Invalid_ClientOrderId``, ``Instrument not Found``...), ``errorcode``, ``detail``."""
    if e.reason is not None:
        msg = X.order_reject_message(e.reason)
    elif e.code == X.NOT_FOUND and e.field == "InstrumentId":
        msg = "Instrument not Found"
    else:
        msg = e.errormsg
    return {"status": "Rejected", "errormsg": msg, "errorcode": e.code, "detail": e.detail,
            "OrderId": 0}  # fmt: skip


async def send_order(rt, s: Session, payload: Any) -> dict:
    """SendOrder -> ``{"status": "Accepted", "errormsg": "", "OrderId": n}`` or a rejection."""
    try:
        return await _send_order(rt, s, payload)
    except ApError as e:
        return rejected(e)


async def _send_order(rt, s: Session, payload: Any) -> dict:
    s.require_trade()
    o = W.parse(W.SendOrderIn, payload)
    M.check_oms(o.OMSId)
    account = s.account(o.AccountId, trade=True)
    p = s.require()
    with rt.read() as e:
        inst = M.instrument_by_id(e, o.InstrumentId)
        sub = M.to_submit(o, inst, p.username)
        sub = sub._replace(account=account)
        if o.OrderIdOCO:
            visible_order(e, s, o.OrderIdOCO)
    if o.OrderIdOCO:
        cmd = M.with_oco(sub, o.OrderIdOCO, p.owner)

        def answer(e, events: list) -> int:
            return next(
                ev.order_id for ev in events
                if type(ev) is ExecutionReport and ev.order_id != o.OrderIdOCO
            )  # fmt: skip

        oid = await run(rt, cmd, answer)
    else:
        oid = await run(rt, sub, _new_order_id)
    return {"status": "Accepted", "errormsg": "", "OrderId": oid}


async def send_order_list(rt, s: Session, payload: Any) -> list:
    """SendOrderList (4.x): an array of SendOrder payloads -> an array of SendOrder replies
    (each order is its own command: one may be accepted and the next rejected)."""
    s.require_trade()
    if isinstance(payload, dict):
        payload = next((v for k, v in payload.items() if str(k).lower() == "orders"), None)
    if not isinstance(payload, list):
        raise ApError(X.INVALID_REQUEST, "SendOrderList needs an array of orders")
    return [await send_order(rt, s, item) for item in payload]


async def cancel_order(rt, s: Session, payload: Any) -> dict:
    """CancelOrder by ``OrderId`` or ``ClOrderId`` (section 4.6) -> generic response."""
    c = W.parse(W.CancelIn, payload)
    M.check_oms(c.OMSId)
    s.require_trade()
    with rt.read() as e:
        if c.OrderId:
            o = visible_order(e, s, c.OrderId)
        elif c.ClOrderId:
            acc = s.account(c.AccountId)
            o = e.order_by_cl_ord_id(acc, str(c.ClOrderId))
            if o is None:
                raise ApError(X.NOT_FOUND, f"Order Not Found: ClOrderId {c.ClOrderId}",
                              "ClOrderId")  # fmt: skip
        else:
            raise ApError(X.INVALID_REQUEST, "give OrderId or ClOrderId", "OrderId")
        if c.AccountId is not None and M.ap_account(o.account) != c.AccountId:
            raise ApError(X.NOT_FOUND, f"Order Not Found: {o.order_id}", "OrderId")
    await run(rt, C.CancelOrder(o.order_id, o.account))
    return X.generic()


async def cancel_all_orders(rt, s: Session, payload: Any) -> dict:
    """CancelAllOrders ``{"OMSId", "AccountId", "InstrumentId"?}`` (also ``IntrumentId``)."""
    a = W.parse(W.AccountIn, payload)
    M.check_oms(a.OMSId)
    acc = s.account(a.AccountId, trade=True)
    symbol = None
    if a.InstrumentId:
        with rt.read() as e:
            symbol = M.instrument_by_id(e, a.InstrumentId).symbol
    _echo(s, "CancelAllOrders", acc, None, {"InstrumentId": a.InstrumentId or 0})
    await run(rt, C.CancelAllOrders(acc, symbol))
    return X.generic()


def _echo(s: Session, command: str, account: str, order_id: int | None, fields: dict) -> None:
    """Remember a request for the reject event that would echo it (``rejects``)."""
    if s.echo is not None:
        s.echo.put(command, account, order_id, fields)


def _modify_qty(o: Order, quantity) -> int:
    """ModifyOrder's new quantity in lots: on the lot grid, above what has executed and
    below the order's quantity (section 4.6: it can only decrease). Raises ApError 100."""
    qty = M._convert(o.inst.qty_to_lots, quantity, "Quantity")
    if qty <= 0:
        raise ApError(X.INVALID_REQUEST, "Quantity must be positive", "Quantity")
    if qty <= o.cum_qty:
        raise ApError(X.INVALID_REQUEST, "Quantity must exceed the executed quantity",
                      "Quantity")  # fmt: skip
    if qty >= o.qty:
        raise ApError(X.INVALID_REQUEST, "ModifyOrder can only decrease the quantity",
                      "Quantity")  # fmt: skip
    return qty


async def modify_order(rt, s: Session, payload: Any) -> dict:
    """ModifyOrder: quantity down only, keeps priority (section 4.6) -> generic response.
    A quantity that is not positive, not above the executed quantity, or not below the
    order's: 100 with no event and nothing changed (as every other invalid quantity)."""
    m = W.parse(W.ModifyIn, payload)
    M.check_oms(m.OMSId)
    s.require_trade()
    with rt.read() as e:
        o = visible_order(e, s, m.OrderId)
        if m.InstrumentId is not None and m.InstrumentId != o.inst.instrument_id:
            raise ApError(X.INVALID_REQUEST, f"Invalid InstrumentId: {m.InstrumentId}",
                          "InstrumentId")  # fmt: skip
        qty = _modify_qty(o, m.Quantity)
    _echo(s, "ModifyOrder", o.account, o.order_id, RJ.quantity_echo(o.order_id, m.Quantity))
    await run(rt, C.ModifyOrder(o.order_id, qty=qty, account=o.account))
    return X.generic()


async def cancel_replace_order(rt, s: Session, payload: Any) -> dict:
    """CancelReplaceOrder (loses priority; new order id) -> ``{"replacementOrderId",
    "replacementClOrdId", "origOrderId", "origClOrdId"}`` (section 4.6), each key also in
    PascalCase (``ReplacementOrderId``...: what the notbank SDK and ccxt ndax read). Changing the side, type,
    instrument or account is not supported (106); ``pegPriceType`` outside 0-4 or a
    ``clientOrdId`` outside a long: 100. ``OrderIdOCO`` links the replacement to that order in
    a second command (a failure there leaves the replacement unlinked). The request is kept
    for the CancelReplaceOrderRejectEvent that echoes it (``rejects``)."""
    r = W.parse(W.ReplaceIn, payload)
    M.check_oms(r.OMSId)
    M.check_peg(r.PegPriceType)
    p = s.require_trade()
    with rt.read() as e:
        o = visible_order(e, s, r.OrderIdToReplace)
        inst = o.inst
        for key, want, have in (
            ("Side", r.Side, next((k for k, v in M.SIDES.items() if v is o.side), None)),
            ("OrderType", r.OrderType, next(
                (k for k, v in M.ORDER_TYPES.items() if v is o.ord_type), None)),
            ("InstrumentId", r.InstrumentId, inst.instrument_id),
            ("AccountId", r.AccountId, M.ap_account(o.account)),
        ):  # fmt: skip
            if want is not None and want != have:
                raise ApError(X.NOT_SUPPORTED, f"CancelReplaceOrder cannot change {key}", key)
        limit = M._opt(r.LimitPrice)
        stop = M._opt(r.StopPrice)
        cmd = C.ReplaceOrder(
            o.order_id,
            qty=M._convert(inst.qty_to_lots, r.Quantity, "Quantity") if r.Quantity else None,
            price=M._convert(inst.price_to_ticks, limit, "LimitPrice") if limit else None,
            stop_price=M._convert(inst.price_to_ticks, stop, "StopPrice") if stop else None,
            cl_ord_id=str(r.ClientOrdId) if r.ClientOrdId else None,
            account=o.account,
        )
        if r.OrderIdOCO:
            visible_order(e, s, r.OrderIdOCO)
    _echo(s, "ReplaceOrder", o.account, o.order_id, RJ.replace_echo(r))

    def answer(e, events: list) -> int:
        return next(
            ev.order_id for ev in events
            if type(ev) is ExecutionReport and ev.orig_order_id == o.order_id
        )  # fmt: skip

    new_id = await run(rt, cmd, answer)
    if r.OrderIdOCO:
        await run(rt, M.link_oco(r.OrderIdOCO, new_id, p.owner))
    reply = {
        "replacementOrderId": new_id,
        "replacementClOrdId": r.ClientOrdId,
        "origOrderId": o.order_id,
        "origClOrdId": M.ap_client_order_id(o.cl_ord_id),
    }
    # the same keys in PascalCase: the notbank SDK requires ``ReplacementOrderId`` (it rejects
    # the reply without it) and ccxt ndax reads ``ReplacementOrderId``/``ReplacementClOrdId``
    reply.update({k[:1].upper() + k[1:]: v for k, v in reply.items()})
    return reply
