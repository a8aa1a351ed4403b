"""AlphaPoint APEX reads: instruments, products, user accounts, positions, orders (spec
sections 4.6-4.7).

Invariant: reads take one consistent snapshot (``rt.read()``) and show only what the caller
may see: an order of another user's account answers 104 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from condor.api.dialects.alphapoint import errors as X
from condor.api.dialects.alphapoint import mapping as M
from condor.api.dialects.alphapoint import objects as O
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.errors import ApError
from condor.api.dialects.alphapoint.orders import visible_order
from condor.api.dialects.alphapoint.session import Session
from condor.domain.values import cash_to_decimal


async def get_instruments(rt, s: Session, payload: Any) -> list:
    """GetInstruments ``{"OMSId": 1}`` -> array of Instrument (public)."""
    M.check_oms(W.parse(W.InstrumentIn, payload).OMSId)
    with rt.read() as e:
        pids = O.product_ids(e)
        insts = sorted(e.instruments, key=lambda i: i.instrument_id)
        return [O.instrument_out(i, pids) for i in insts]


async def get_instrument(rt, s: Session, payload: Any) -> dict:
    """GetInstrument ``{"OMSId", "InstrumentId"}`` -> Instrument; 104 when unknown."""
    q = W.parse(W.InstrumentIn, payload)
    M.check_oms(q.OMSId)
    with rt.read() as e:
        return O.instrument_out(M.instrument_by_id(e, q.InstrumentId), O.product_ids(e))


async def get_products(rt, s: Session, payload: Any) -> list:
    """GetProducts ``{"OMSId": 1}`` -> array of Product: quote currencies, then instruments."""
    M.check_oms(W.parse(W.InstrumentIn, payload).OMSId)
    with rt.read() as e:
        out = []
        for pid, sym, kind in O.products(e):
            inst = e.instruments.find(sym)
            decimals = inst.qty_precision if inst is not None else 2
            out.append(O.product_out(pid, sym, kind, decimals))
        return out


def _accounts(rt, s: Session) -> list[int]:
    p = s.require()
    with rt.read() as e:
        ids = e.accounts.keys() if p.is_operator else p.accounts
        return sorted(M.ap_account(a) for a in ids if a.isdigit())


async def get_user_accounts(rt, s: Session, payload: Any) -> list[int]:
    """GetUserAccounts ``{"OMSId", "UserId"?}`` -> the caller's AccountIds (numeric Condor
    accounts; an Operator: every one). Another user's UserId: 20 (Operators excepted)."""
    q = W.parse(W.UserAccountsIn, payload)
    M.check_oms(q.OMSId)
    p = s.require()
    if q.UserId and not p.is_operator and q.UserId != p.user_id:
        raise ApError(X.NOT_AUTHORIZED, f"no permission on user {q.UserId}", "UserId")
    return _accounts(rt, s)


async def get_account_positions(rt, s: Session, payload: Any) -> list:
    """GetAccountPositions ``{"OMSId", "AccountId"}`` -> one entry per currency (Amount = cash,
    Hold = cash held by working orders) and per instrument position (Amount = signed quantity,
    Hold = quantity held by working sell/buy-to-cover orders)."""
    a = W.parse(W.AccountIn, payload)
    M.check_oms(a.OMSId)
    acc = s.account(a.AccountId)
    with rt.read() as e:
        account = e.accounts.get(acc)
        if account is None:
            raise ApError(X.NOT_FOUND, f"Account not Found: {a.AccountId}", "AccountId")
        pids = O.product_ids(e)
        out = []
        for ccy in sorted(set(account.cash) | set(account.held_cash)):
            out.append(
                O.position_out(
                    acc, ccy, pids.get(ccy, 0),
                    cash_to_decimal(account.cash.get(ccy, 0)),
                    cash_to_decimal(account.held_cash.get(ccy, 0)),
                )
            )  # fmt: skip
        for sym in sorted(account.positions):
            inst = e.instruments.find(sym)
            if inst is None:
                continue
            pos = account.positions[sym]
            out.append(
                O.position_out(
                    acc, sym, pids.get(sym, 0), inst.lots_to_qty(pos.qty),
                    inst.lots_to_qty(pos.held_long + pos.held_short),
                )
            )  # fmt: skip
        return out


def _matches(o, a: W.AccountIn, users, find) -> bool:
    """Whether order ``o`` passes the GetOrdersHistory filters of ``a`` (section 4.6):
    ``InstrumentId``, ``ClientOrderId``, ``OrderId``, ``OrderState`` (any case),
    ``OriginalOrderId`` / ``OriginalClientOrderId`` (the order itself or a replacement of
    it: its ``OrigOrderId`` / ``OrigClOrdId``), ``UserId`` (who entered it),
    ``StartTimestamp`` / ``EndTimestamp`` (POSIX seconds, on ReceiveTime)."""
    if a.InstrumentId and o.inst.instrument_id != a.InstrumentId:
        return False
    if a.ClientOrderId and M.ap_client_order_id(o.cl_ord_id) != a.ClientOrderId:
        return False
    if a.OrderId and o.order_id != a.OrderId:
        return False
    if a.OrderState and M.ORDER_STATES[o.status].lower() != a.OrderState.strip().lower():
        return False
    if a.OriginalOrderId or a.OriginalClientOrderId:
        orig_id, orig_cl = O.orig_ids(o, find)
        if a.OriginalOrderId and a.OriginalOrderId not in (o.order_id, orig_id):
            return False
        if a.OriginalClientOrderId and a.OriginalClientOrderId not in (
            M.ap_client_order_id(o.cl_ord_id), orig_cl,
        ):  # fmt: skip
            return False
    if a.UserId:
        user = users.get(o.owner) if o.owner else None
        if user is None or user.user_id != a.UserId:
            return False
    if a.StartTimestamp and o.ts_created < a.StartTimestamp * 1_000_000_000:
        return False
    return not (a.EndTimestamp and o.ts_created > a.EndTimestamp * 1_000_000_000)


def _orders(rt, s: Session, a: W.AccountIn, live_only: bool) -> list:
    """The caller's orders (of ``AccountId`` when given, passing ``_matches``), newest
    first, ``StartIndex`` / ``Depth`` applied last."""
    p = s.require()
    acc = s.account(a.AccountId) if a.AccountId is not None else None
    out = []
    with rt.read() as e:
        source = e.live.values() if live_only else e.orders.values()
        users = rt.auth.users
        for o in sorted(source, key=lambda o: -o.order_id):
            if not p.may_see(o.account) or (acc is not None and o.account != acc):
                continue
            if not _matches(o, a, users, rt.order):
                continue
            out.append(O.order_out(o, e, users, rt.order))
    start = a.StartIndex or 0
    end = start + a.Depth if a.Depth else None
    return out[start:end]


async def get_open_orders(rt, s: Session, payload: Any) -> list:
    """GetOpenOrders ``{"OMSId", "AccountId"}`` -> array of Order (working and held)."""
    a = W.parse(W.AccountIn, payload)
    M.check_oms(a.OMSId)
    return _orders(rt, s, a, live_only=True)


async def get_order_history(rt, s: Session, payload: Any) -> list:
    """GetOrderHistory / GetOrdersHistory: every order (newest first), filters of 4.6."""
    a = W.parse(W.AccountIn, payload)
    M.check_oms(a.OMSId)
    return _orders(rt, s, a, live_only=False)


async def get_order_status(rt, s: Session, payload: Any) -> dict:
    """GetOrderStatus ``{"OMSId", "AccountId", "OrderId"}`` -> one Order (4.x); 104 unknown."""
    q = W.parse(W.OrderStatusIn, payload)
    M.check_oms(q.OMSId)
    with rt.read() as e:
        o = visible_order(e, s, q.OrderId, rt)
        if q.AccountId is not None and M.ap_account(o.account) != q.AccountId:
            raise ApError(X.NOT_FOUND, f"Order Not Found: {q.OrderId}", "OrderId")
        return O.order_out(o, e, rt.auth.users, rt.order)


async def get_order_history_by_order_id(rt, s: Session, payload: Any) -> list:
    """GetOrderHistoryByOrderId ``{"omsId", "orderId"}`` -> array of Order versions, newest
    first (section 4.6): one per execution report of the order (``Runtime.order_reports``:
    a journaled server's every committed report, a memory-only server's newest
    ``journal.reports_kept``), each the order as that report left it
    (``objects.order_version``); the current Order alone when no report is kept (a
    memory-only server's evicted history, or a commit still running). Errors: 100 bad
    payload or OMSId, 104 an order that does not exist or that the caller may not see."""
    q = W.parse(W.OrderStatusIn, payload)
    M.check_oms(q.OMSId)
    with rt.read() as e:
        o = visible_order(e, s, q.OrderId, rt)
        users = rt.auth.users
        reports = rt.order_reports((o.order_id,)).get(o.order_id)
        if not reports:
            return [O.order_out(o, e, users, rt.order)]
        return [O.order_version(o, e, r, users, rt.order) for r in reversed(reports)]
