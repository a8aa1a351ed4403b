"""``/api/v1/orders``: submit, get (by id or ClOrdID), list, cancel, cancel all, modify,
replace, explain.

Invariant: every route checks the caller's permission on the order's account before it reads
or touches it; an order the caller may not see answers 404 exactly like one that does not
exist, so ids leak nothing. Engine rejections become problem+json (``errors.status_for``).
Answers describe the order right after the command ran and are sent once it is durable.

Idempotency: a ``cl_ord_id`` is a request key per account (scope ``native:<account>``): a
submission repeating one returns the first answer (status and body, header
``Idempotent-Replayed: true``) and creates nothing, also after a restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from condor.api import schemas as S
from condor.api.auth import Principal
from condor.api.deps import Limit, RuntimeDep, UserDep, parse_cursor
from condor.api.errors import ApiError
from condor.api.mapping import (
    as_api_error,
    dt_to_ns,
    explain_out,
    order_out,
    to_modify,
    to_replace,
    to_submit,
)
from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdStatus
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.order import Order

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])


def visible_order(rt, p: Principal, order_id: int, field: str = "order_id") -> Order:
    """The order if the caller may see it (also a finished one the engine no longer keeps,
    from the read model: ``Runtime.order``); 404 otherwise. Call under ``rt.read()``."""
    o = rt.order(order_id)
    if o is None or not p.may_see(o.account):
        raise ApiError(404, f"unknown order {order_id}", RejectReason.UNKNOWN_ORDER, field)
    return o


def workable_order(rt, p: Principal, order_id: int) -> Order:
    """``visible_order`` for a command on it: an order the engine forgot has ended, so 409
    (ORDER_TERMINAL) as for an ended order it keeps, not the engine's 404."""
    o = visible_order(rt, p, order_id)
    if o.order_id not in rt.engine.orders:
        raise ApiError(
            409, f"order {order_id} is {o.status.value}", RejectReason.ORDER_TERMINAL, "order_id"
        )
    return o


def _convert(fn, *args):
    try:
        return fn(*args)
    except DomainError as err:
        raise as_api_error(err) from None


REPLAYED = "Idempotent-Replayed"


def _new_order(e, events: list) -> dict:
    oid = next(ev.order_id for ev in events if type(ev) is ExecutionReport)
    return order_out(e.orders[oid]).model_dump(mode="json")


def _created(body: dict, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), 201, headers, media_type="application/json")


@router.post("", status_code=201, response_model=S.OrderOut)
async def submit_order(body: S.OrderIn, rt: RuntimeDep, p: UserDep) -> Response:
    """Place an order. 201 with the order as it stands after the command (an IOC may already
    be Canceled, a marketable order Filled); 403 for an account the caller may not trade;
    409/422 when the engine refuses it (nothing is created); 503 when it cannot be stored.
    A repeated ``cl_ord_id`` of the account answers the first answer (see the module doc).
    The body is ``OrderOut`` already dumped (the hot path skips a second validation)."""
    p.require_trade()
    p.require_account(body.account)
    with rt.read() as e:
        inst = _convert(e.instruments.get, body.symbol)
        cmd = _convert(to_submit, body, inst, p.username)
    if body.cl_ord_id is None:
        return _created(await rt.execute(cmd, _new_order))
    out = await rt.execute_once(cmd, (f"native:{body.account}", body.cl_ord_id), _new_order)
    headers = {REPLAYED: "true"} if out.replayed else None
    return _created(out.value, headers)


@router.get("", response_model=S.Page[S.OrderOut])
async def list_orders(
    rt: RuntimeDep,
    p: UserDep,
    account: str | None = None,
    symbol: str | None = None,
    status: Annotated[list[OrdStatus] | None, Query()] = None,
    is_open: Annotated[bool | None, Query(alias="open")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> S.Page[S.OrderOut]:
    """Orders of the caller's accounts by ascending id. Filters: ``account``, ``symbol``,
    ``status`` (repeatable), ``open`` (live or not), creation time in [``since``, ``until``)."""
    if account is not None:
        p.require_account(account)
    lo = dt_to_ns(since) if since is not None else None
    hi = dt_to_ns(until) if until is not None else None
    statuses = frozenset(status) if status else None
    items: list[S.OrderOut] = []
    nxt = None
    with rt.read():
        for o in rt.orders_from(parse_cursor(cursor) + 1):
            if not p.may_see(o.account):
                continue
            if (account is not None and o.account != account) or (
                symbol is not None and o.inst.symbol != symbol
            ):
                continue
            if statuses is not None and o.status not in statuses:
                continue
            if is_open is not None and o.status.is_terminal == is_open:
                continue
            if (lo is not None and o.ts_created < lo) or (hi is not None and o.ts_created >= hi):
                continue
            if len(items) == limit:
                nxt = str(items[-1].order_id)
                break
            items.append(order_out(o))
    return S.Page[S.OrderOut](items=items, next_cursor=nxt)


@router.delete("", response_model=S.CancelAllOut)
async def cancel_all(
    rt: RuntimeDep, p: UserDep, account: str | None = None, symbol: str | None = None
) -> S.CancelAllOut:
    """Cancel every live order of ``account`` (default: every account the caller may trade),
    optionally of one ``symbol``."""
    p.require_trade()
    if account is not None:
        p.require_account(account)
    canceled: list[int] = []
    with rt.read() as e:
        if account is not None:
            targets = [account]
        else:
            targets = sorted({o.account for o in e.live.values() if p.may_see(o.account)})
    for acc in targets:
        for ev in await rt.execute(C.CancelAllOrders(acc, symbol)):
            if (
                type(ev) is ExecutionReport
                and ev.ord_status is OrdStatus.CANCELED
                and p.may_see(ev.account)
            ):
                canceled.append(ev.order_id)
    return S.CancelAllOut(canceled=canceled)


@router.get("/by-cl-ord-id/{cl_ord_id}", response_model=S.OrderOut)
async def get_by_cl_ord_id(
    cl_ord_id: str, rt: RuntimeDep, p: UserDep, account: str | None = None
) -> S.OrderOut:
    """The order with this ClOrdID among the caller's accounts (or ``account``): the live one,
    else the newest (``Runtime.order_by_code``: the per-account index, then the read model for
    a finished order the engine no longer keeps). 403 for an ``account`` the caller may not
    see; 404 (``order.unknown_order``, field ``cl_ord_id``) when none has it."""
    if account is not None:
        p.require_account(account)
    with rt.read() as e:
        accounts = [account] if account is not None else [a for a in e.accounts if p.may_see(a)]
        o = rt.order_by_code(accounts, cl_ord_id)
        if o is not None:
            return order_out(o)
    raise ApiError(404, f"unknown ClOrdID {cl_ord_id!r}", RejectReason.UNKNOWN_ORDER, "cl_ord_id")


@router.get("/{order_id}", response_model=S.OrderOut)
async def get_order(order_id: int, rt: RuntimeDep, p: UserDep) -> S.OrderOut:
    with rt.read():
        return order_out(visible_order(rt, p, order_id))


@router.delete("/{order_id}", response_model=S.OrderOut)
async def cancel_order(order_id: int, rt: RuntimeDep, p: UserDep) -> S.OrderOut:
    """Cancel a live order; 409 when it has already ended."""
    p.require_trade()
    with rt.read():
        o = workable_order(rt, p, order_id)
    return await rt.execute(C.CancelOrder(o.order_id, o.account), lambda e, _: order_out(o))


@router.patch("/{order_id}", response_model=S.OrderOut)
async def modify_order(order_id: int, body: S.ModifyIn, rt: RuntimeDep, p: UserDep) -> S.OrderOut:
    """Amend in place (same id): a quantity decrease keeps time priority, a price change or an
    increase loses it."""
    p.require_trade()
    with rt.read():
        o = workable_order(rt, p, order_id)
        cmd = _convert(to_modify, o, body)
    return await rt.execute(cmd, lambda e, _: order_out(o))


@router.post("/{order_id}/replace", status_code=201, response_model=S.OrderOut)
async def replace_order(order_id: int, body: S.ReplaceIn, rt: RuntimeDep, p: UserDep) -> S.OrderOut:
    """Cancel/replace: the order becomes Replaced and a new order (new id) takes its place;
    answers the new order."""
    p.require_trade()
    with rt.read():
        o = workable_order(rt, p, order_id)
        cmd = _convert(to_replace, o, body)

    def answer(e, events: list) -> S.OrderOut:
        new_id = next(
            ev.order_id
            for ev in events
            if type(ev) is ExecutionReport and ev.orig_order_id == o.order_id
        )
        return order_out(e.orders[new_id])

    return await rt.execute(cmd, answer)


@router.get("/{order_id}/explain", response_model=S.ExplainOut)
async def explain_order(order_id: int, rt: RuntimeDep, p: UserDep) -> S.ExplainOut:
    """Why the order is in its state: the causal chain of its latest decisive event, newest
    first, back to the user command, market-data event or timer that started it."""
    with rt.read() as e:
        o = visible_order(rt, p, order_id)
        if order_id not in e.orders:
            raise ApiError(
                404, f"order {order_id} ended long ago: its causal chain is no longer kept",
                RejectReason.UNKNOWN_ORDER, "order_id",
            )  # fmt: skip
        return explain_out(o, e.explain(order_id))
