"""AlphaPoint APEX ``GetTradesHistory``: the caller's fills, newest first (the function ccxt
ndax ``fetch_my_trades`` and the notbank SDK ``get_trades_history`` call).

Invariant: reads only, under ``rt.read()``; only fills of accounts the caller may see (an
``AccountId`` it may not see: 20 Not Authorized, as every account read); prices and
quantities are Decimal on the instrument's grid. The fills are the runtime's, newest first
(``Runtime.fills_newest_first``: memory, then the journal backwards; a Depth stops the read).
"""

from __future__ import annotations

from typing import Any

from condor.api.dialects.alphapoint import mapping as M
from condor.api.dialects.alphapoint import objects as O
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.session import Session
from condor.domain.orders.events import ExecutionReport

ZERO = M.ZERO


def _wanted(r: ExecutionReport, a: W.AccountIn, inst_id: int) -> bool:
    if a.InstrumentId and inst_id != a.InstrumentId:
        return False
    if a.OrderId and r.order_id != a.OrderId:
        return False
    if a.TradeId and r.trade_id != a.TradeId:
        return False
    if a.StartTimestamp and r.ts_ns < a.StartTimestamp * 1_000_000_000:
        return False
    return not (a.EndTimestamp and r.ts_ns > a.EndTimestamp * 1_000_000_000)


def trade_out(r: ExecutionReport, inst, order, users: dict, pids: dict[str, int]) -> dict:
    """One fill as APEX's GetTradesHistory object (the fields ccxt ndax documents and reads:
    ``TradeId``, ``OrderId``, ``Side``, ``Quantity``, ``Price``, ``Value``, ``TradeTimeMS``,
    ``MakerTaker``, ``Fee``...) plus the notbank SDK's ``TradeSummary`` keys (``BaseVolume``,
    ``QuoteVolume``, ``Timestamp`` as text, ``Type`` buy/sell). ``order``: the filled order
    (None if unknown) for its owner and OrigOrderId."""
    qty = inst.lots_to_qty(r.last_qty)
    px = inst.ticks_to_price(r.last_px) if r.last_px is not None else ZERO
    user = users.get(order.owner) if order is not None and order.owner else None
    cl = M.ap_client_order_id(r.cl_ord_id)
    d = O.trade_fields(inst, r.seq, r.trade_id or 0, r.order_id, r.account, cl, r.side, qty, px,
                       r.ts_ns // 1_000_000, r.liquidity)  # fmt: skip
    d.update(
        AccountName=r.account,
        SubAccountId=0,
        OrderType=r.ord_type.value,
        RemainingQuantity=inst.lots_to_qty(r.leaves_qty),
        CounterParty="0",
        Fee=ZERO,
        FeeProductId=pids.get(inst.currency, 0),
        OrderOriginator=(user.user_id or 0) if user is not None else 0,
        UserName=(order.owner or "") if order is not None else "",
        IsQuote=False,
        NotionalProductId=pids.get(inst.currency, 0),
        NotionalRate=1,
        NotionalHoldAmount=ZERO,
        TradeTime=M.ticks(r.ts_ns),
        OrigOrderId=r.orig_order_id or r.order_id,
        BaseVolume=qty,
        QuoteVolume=d["Value"],
        Timestamp=str(r.ts_ns // 1_000_000),
        Type=d["Side"].lower(),
    )
    return d


async def get_trades_history(rt, s: Session, payload: Any) -> list:
    """GetTradesHistory ``{"OMSId", "AccountId"?, "InstrumentId"?, "OrderId"?, "TradeId"?,
    "StartTimestamp"?, "EndTimestamp"? (POSIX s), "Depth"?, "StartIndex"?}`` -> array of
    trades, newest first. Errors: 100 bad payload or OMSId, 20 an account not the caller's."""
    a = W.parse(W.AccountIn, payload)
    M.check_oms(a.OMSId)
    p = s.require()
    acc = s.account(a.AccountId) if a.AccountId is not None else None
    out: list[dict] = []
    with rt.read() as e:
        pids = O.product_ids(e)
        users = rt.auth.users
        orders: dict[int, Any] = {}
        start = a.StartIndex or 0
        end = start + a.Depth if a.Depth else None
        for r in rt.fills_newest_first():
            if not p.may_see(r.account) or (acc is not None and r.account != acc):
                continue
            inst = e.instruments.find(r.symbol)
            if inst is None or not _wanted(r, a, inst.instrument_id):
                continue
            if r.order_id not in orders:
                orders[r.order_id] = rt.order(r.order_id)
            out.append(trade_out(r, inst, orders[r.order_id], users, pids))
            if end is not None and len(out) >= end:
                break
    return out[start:end]
