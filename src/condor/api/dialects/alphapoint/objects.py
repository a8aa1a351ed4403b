"""AlphaPoint APEX objects out: Order, Instrument, Product, position and trade objects, built
from engine state and stream-hub messages (spec sections 4.7-4.8).

Invariant: every object carries every field of section 4.7/4.8 and of the notbank SDK's
models (it rejects an object missing any); prices and quantities are Decimal (written as JSON
numbers by ``schemas.dumps``); enums are APEX strings (``mapping``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from condor.api.dialects.alphapoint.mapping import (
    OMS_ID,
    ORDER_STATES,
    PEG_NAMES,
    SIDE_NAMES,
    ZERO,
    ap_account,
    ap_client_order_id,
    ticks,
)
from condor.api.mapping import dt_to_ns
from condor.domain.instruments import Instrument
from condor.domain.orders.enums import ExecType, OrdStatus, Side
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.order import Order


# -- outbound -----------------------------------------------------------------------------
def _d(inst: Instrument, t: int | None) -> Decimal:
    return inst.ticks_to_price(t) if t is not None else ZERO


Find = Callable[[int], Order | None]
"""Looks an order up by id (``Runtime.order``: the engine's, or the read model's)."""


def change_reason(o: Order, engine) -> str:
    """The ChangeReason of an order's latest change (reads): from its status, except that a
    cancel whose execution report the engine still keeps (``engine.history``: the latest
    report of a market-, rule- or timer-caused change) reads as that event did. A cancel
    caused by the command itself (IOC remainder, PostOnly) is not kept: UserModified."""
    if o.status is OrdStatus.CANCELED:
        r = getattr(engine, "history", {}).get(o.order_id)
        if r is not None and r.exec_type is ExecType.CANCELED:
            return event_change_reason(r.exec_type.value, r.reason.value if r.reason else None)
    return {
        OrdStatus.NEW: "NewInputAccepted",
        OrdStatus.HELD: "NewInputAccepted",
        OrdStatus.PENDING_NEW: "NewInputAccepted",
        OrdStatus.PARTIALLY_FILLED: "Trade",
        OrdStatus.FILLED: "Trade",
        OrdStatus.CANCELED: "UserModified",
        OrdStatus.REPLACED: "UserModified",
        OrdStatus.EXPIRED: "Expired",
        OrdStatus.REJECTED: "NewInputRejected",
    }[o.status]


_SYSTEM_CANCELS = {
    "matching.ioc_no_liquidity": "SystemCanceled_NoMoreMarket",
    "matching.no_liquidity": "SystemCanceled_NoMoreMarket",
    "matching.fok_not_fillable": "SystemCanceled_NoMoreMarket",
    "risk.insufficient_funds": "SystemCanceled_MarginFailed",
    # a PostOnly order priced through the opposite side: a price-based system cancel
    "matching.post_only_would_take": "SystemCanceled_PriceCollar",
}


def event_change_reason(exec_type: str, reason: str | None) -> str:
    """ChangeReason of one execution report (section 4.5)."""
    et = ExecType(exec_type)
    if et is ExecType.NEW:
        return "NewInputAccepted"
    if et is ExecType.TRADE:
        return "Trade"
    if et is ExecType.REJECTED:
        return "NewInputRejected"
    if et is ExecType.EXPIRED:
        return "Expired"
    if et is ExecType.CANCELED:
        return _SYSTEM_CANCELS.get(reason or "", "UserModified")
    if et in (ExecType.REPLACED, ExecType.RESTATED):
        return "UserModified"
    return "NoChange"


def orig_ids(o: Order, find: Find | None = None) -> tuple[int, int]:
    """``(OrigOrderId, OrigClOrdId)``: the order a CancelReplaceOrder replaced (its id and
    ClientOrderId; the id alone when ``find`` no longer knows it), else ``o``'s own."""
    if o.orig_order_id is None:
        return o.order_id, ap_client_order_id(o.cl_ord_id)
    orig = find(o.orig_order_id) if find is not None else None
    return o.orig_order_id, ap_client_order_id(orig.cl_ord_id if orig is not None else None)


def order_out(o: Order, engine, users: dict | None = None, find: Find | None = None) -> dict:
    """An engine Order -> the APEX Order object (section 4.7, 3.x and 4.x fields). ``find``
    looks up the order a replacement replaced (default: the engine's orders)."""
    inst = o.inst
    orig_id, orig_cl = orig_ids(o, find or engine.orders.get)
    v = engine.venues.get(inst.symbol)
    ext = v.ext if v is not None else None
    cl = ap_client_order_id(o.cl_ord_id)
    acct = engine.accounts.get(o.account)
    user = (users or {}).get(o.owner)
    gross = (inst.tick_size * inst.lot_size * inst.multiplier * o.cum_cost).normalize()
    avg = (inst.tick_size * o.cum_cost / o.cum_qty) if o.cum_qty else ZERO
    trail = o.trail
    working = o.status.is_working
    return {
        "Side": SIDE_NAMES[o.side],
        "OrderId": o.order_id,
        "Price": _d(inst, o.price),
        "Quantity": inst.lots_to_qty(o.leaves_qty),
        "DisplayQuantity": inst.lots_to_qty(
            o.display_qty if o.display_qty is not None else o.leaves_qty
        ),
        "Instrument": inst.instrument_id,
        "Account": ap_account(o.account),
        "AccountName": (acct.name if acct is not None and acct.name else o.account),
        "OrderType": o.ord_type.value,
        "ClientOrderId": cl,
        "OrderState": ORDER_STATES[o.status],
        "ReceiveTime": o.ts_created // 1_000_000,
        "ReceiveTimeTicks": ticks(o.ts_created),
        "LastUpdatedTime": o.ts_updated // 1_000_000,
        "LastUpdatedTimeTicks": ticks(o.ts_updated),
        "OrigQuantity": inst.lots_to_qty(o.qty),
        "QuantityExecuted": inst.lots_to_qty(o.cum_qty),
        "GrossValueExecuted": gross,
        "ExecutableValue": ZERO,
        "AvgPrice": avg,
        "CounterPartyId": 0,
        "ChangeReason": change_reason(o, engine),
        "OrigOrderId": orig_id,
        "OrigClOrdId": orig_cl,
        "EnteredBy": (user.user_id or 0) if user is not None else 0,
        "UserName": o.owner or "",
        "IsQuote": False,
        "InsideAsk": _d(inst, ext.ask if ext else None),
        "InsideAskSize": inst.lots_to_qty(ext.ask_size) if ext and ext.ask_size else ZERO,
        "InsideBid": _d(inst, ext.bid if ext else None),
        "InsideBidSize": inst.lots_to_qty(ext.bid_size) if ext and ext.bid_size else ZERO,
        "LastTradePrice": _d(inst, ext.last if ext else None),
        "RejectReason": "",
        "IsLockedIn": False,
        "CancelReason": "",
        "OrderFlag": "AddedToBook" if working else "0",
        "UseMargin": False,
        "StopPrice": _d(inst, o.stop_price),
        "PegPriceType": PEG_NAMES.get(o.basis, "Last") if o.basis is not None else "Last",
        "PegOffset": inst.ticks_to_price(trail.offset) if trail is not None else ZERO,
        "PegLimitOffset": _d(inst, trail.limit_offset) if trail is not None else ZERO,
        "IpAddress": None,
        "IPv6a": 0,
        "IPv6b": 0,
        "ClientOrderIdUuid": None,
        "OMSId": OMS_ID,
    }


def order_event(
    o: Order, engine, data: dict, users: dict | None = None, find: Find | None = None
) -> dict:
    """OrderStateEvent (section 4.8): the full Order object with the state of one stream
    ``order`` message ``data`` (the order as that execution report left it). A stop whose
    report has no stop price yet (a trailing stop computes it right after its acceptance)
    shows the order's current one (contingency.md section 1: in every event)."""
    out = order_out(o, engine, users, find)
    inst = o.inst
    status = OrdStatus(data["status"])
    qty = Decimal(data["quantity"])
    out.update(
        Price=Decimal(data["price"]) if data.get("price") else ZERO,
        StopPrice=_stop(o, data),
        Quantity=Decimal(data["leaves_quantity"]),
        OrigQuantity=qty,
        QuantityExecuted=Decimal(data["filled_quantity"]),
        AvgPrice=Decimal(data["avg_price"]) if data.get("avg_price") else ZERO,
        OrderState=ORDER_STATES[status],
        ChangeReason=event_change_reason(data["exec_type"], data.get("reason")),
        OrderFlag="AddedToBook" if status.is_working else "0",
        LastUpdatedTime=_ms(data["ts"], o.ts_updated),
    )
    out["DisplayQuantity"] = (
        inst.lots_to_qty(o.display_qty) if o.display_qty is not None else out["Quantity"]
    )
    if data["exec_type"] == ExecType.REJECTED.value:
        out["RejectReason"] = data.get("text") or data.get("reason") or ""
    return out


def order_version(
    o: Order, engine, r: ExecutionReport, users: dict | None = None, find: Find | None = None
) -> dict:
    """One version of order ``o`` for GetOrderHistoryByOrderId (section 4.6): the full Order
    object (section 4.7) as execution report ``r`` left the order: its prices, quantities,
    average price and gross value (ticks and lots -> Decimal), OrderState, the ChangeReason
    of ``r`` (section 4.5), LastUpdatedTime of ``r`` (epoch ms and .NET ticks) and, for a
    rejection, its RejectReason. A stop whose report has no stop price yet shows the order's
    current one, as ``order_event`` does. Fields no report carries are the order's."""
    out = order_out(o, engine, users, find)
    inst = o.inst
    stop = r.stop_price if r.stop_price is not None else (
        o.stop_price if o.ord_type.is_stop else None
    )  # fmt: skip
    out.update(
        Price=_d(inst, r.price),
        StopPrice=_d(inst, stop),
        Quantity=inst.lots_to_qty(r.leaves_qty),
        OrigQuantity=inst.lots_to_qty(r.order_qty),
        QuantityExecuted=inst.lots_to_qty(r.cum_qty),
        GrossValueExecuted=(
            inst.tick_size * inst.lot_size * inst.multiplier * r.cum_cost
        ).normalize(),
        AvgPrice=(inst.tick_size * r.cum_cost / r.cum_qty) if r.cum_qty else ZERO,
        OrderState=ORDER_STATES[r.ord_status],
        ChangeReason=event_change_reason(r.exec_type.value, r.reason.value if r.reason else None),
        OrderFlag="AddedToBook" if r.ord_status.is_working else "0",
        LastUpdatedTime=r.ts_ns // 1_000_000,
        LastUpdatedTimeTicks=ticks(r.ts_ns),
    )
    if o.display_qty is None:
        out["DisplayQuantity"] = out["Quantity"]
    if r.exec_type is ExecType.REJECTED:
        out["RejectReason"] = r.text or (r.reason.value if r.reason else "")
    return out


def _stop(o: Order, data: dict) -> Decimal:
    """StopPrice of an event: the report's, else the order's current trigger (0 if none)."""
    if data.get("stop_price"):
        return Decimal(data["stop_price"])
    return _d(o.inst, o.stop_price) if o.ord_type.is_stop else ZERO


def _ms(ts: str | None, fallback_ns: int) -> int:
    """An ISO timestamp of a stream message -> epoch ms (``fallback_ns`` when absent)."""
    if not ts:
        return fallback_ns // 1_000_000
    return dt_to_ns(datetime.fromisoformat(ts)) // 1_000_000


def trade_fields(
    inst: Instrument,
    seq: int,
    trade_id: int,
    order_id: int,
    account: str,
    cl: int,
    side: Side,
    qty: Decimal,
    px: Decimal,
    ms: int,
    liquidity: str | None,
) -> dict:
    """The fields an APEX trade has in both its forms, the OrderTradeEvent (``trade_event``)
    and the GetTradesHistory object (``trades.trade_out``): ids, side, quantity, price and
    value (Decimal), ``TradeTimeMS`` (epoch ms ``ms``), maker/taker, and the zeros Condor has
    no value for. ``seq``: the fill's engine sequence (``ExecutionId``)."""
    value = (qty * px * inst.multiplier).normalize()
    return {
        "OMSId": OMS_ID,
        "ExecutionId": seq,
        "TradeId": trade_id,
        "OrderId": order_id,
        "AccountId": ap_account(account),
        "ClientOrderId": cl,
        "InstrumentId": inst.instrument_id,
        "Side": SIDE_NAMES[side],
        "Quantity": qty,
        "Price": px,
        "Value": value,
        "OrderTradeRevision": 1,
        "Direction": "NoChange",
        "CounterPartyClientUserId": 0,
        "NotionalValue": value,
        "IsBlockTrade": False,
        "TradeTimeMS": ms,
        "MakerTaker": "Maker" if liquidity == "maker" else "Taker",
        "AdapterTradeId": 0,
        "InsideBid": ZERO,
        "InsideBidSize": ZERO,
        "InsideAsk": ZERO,
        "InsideAskSize": ZERO,
    }


def trade_event(data: dict, inst: Instrument, orig: tuple[int, int] | None, seq: int) -> dict:
    """OrderTradeEvent (section 4.8) from a stream ``execution`` message; ``orig`` the order's
    ``orig_ids`` (None: the order's own id and ClientOrderId)."""
    cl = ap_client_order_id(data.get("cl_ord_id"))
    orig_id, orig_cl = orig if orig is not None else (data["order_id"], cl)
    ms = _ms(data.get("ts"), 0)
    d = trade_fields(
        inst, seq, data.get("trade_id") or 0, data["order_id"], data["account"], cl,
        Side(data["side"]), Decimal(data["quantity"]), Decimal(data["price"]), ms,
        data.get("liquidity"),
    )  # fmt: skip
    d.update(
        TradeTime=ticks(ms * 1_000_000),
        ContraAcctId=0,
        NotionalProductId=0,
        NotionalRate=Decimal(1),
        OrigOrderId=orig_id,
        OrigClientOrderId=orig_cl,
    )
    return d


# -- products and instruments -------------------------------------------------------------
def currencies(engine) -> set[str]:
    """Every currency: the instruments' quote currencies and every currency an account holds
    (cash or held cash). Accounts are configuration and cash changes only by fills in quote
    currencies, so the set is fixed for a configuration."""
    out = {i.currency for i in engine.instruments}
    for a in engine.accounts.values():
        out.update(a.cash)
        out.update(a.held_cash)
    return out


def products(engine) -> list[tuple[int, str, str]]:
    """``(ProductId, symbol, type)``: every currency (``currencies``, sorted), then the
    instruments' symbols in ``instrument_id`` order; ids from 1, stable for a configuration."""
    insts = sorted(engine.instruments, key=lambda i: i.instrument_id)
    ccys = sorted(currencies(engine))
    out = [(n, c, "NationalCurrency") for n, c in enumerate(ccys, 1)]
    base = len(out)
    out += [(base + n, i.symbol, "CryptoCurrency" if i.asset_class.value == "crypto" else "Security")
            for n, i in enumerate(insts, 1)]  # fmt: skip
    return out


def product_ids(engine) -> dict[str, int]:
    return {sym: pid for pid, sym, _ in products(engine)}


def product_out(pid: int, symbol: str, kind: str, decimals: int) -> dict:
    """GetProducts element."""
    return {
        "OMSId": OMS_ID,
        "ProductId": pid,
        "Product": symbol,
        "ProductFullName": symbol,
        "MasterDataUniqueProductSymbol": "",
        "ProductType": kind,
        "DecimalPlaces": decimals,
        "TickSize": Decimal(1).scaleb(-decimals),
        "DepositEnabled": False,
        "WithdrawEnabled": False,
        "NoFees": True,
        "IsDisabled": False,
        "MarginEnabled": False,
    }


def instrument_out(inst: Instrument, pids: dict[str, int]) -> dict:
    """An engine Instrument -> the APEX Instrument object (every field the notbank SDK's
    model requires). Product1 is the instrument itself, Product2 its quote currency."""
    return {
        "OMSId": OMS_ID,
        "InstrumentId": inst.instrument_id,
        "Symbol": inst.symbol,
        "Product1": pids.get(inst.symbol, 0),
        "Product1Symbol": inst.symbol,
        "Product2": pids.get(inst.currency, 0),
        "Product2Symbol": inst.currency,
        "InstrumentType": "Standard",
        "VenueInstrumentId": inst.instrument_id,
        "VenueId": 1,
        "SortIndex": 0,
        "SessionStatus": "Running",
        "PreviousSessionStatus": "Stopped",
        "SessionStatusDateTime": "2024-01-01T00:00:00Z",
        "SelfTradePrevention": True,
        "QuantityIncrement": inst.lot_size,
        "PriceIncrement": inst.tick_size,
        "MinimumQuantity": inst.lot_size,
        "MinimumPrice": inst.tick_size,
        "VenueSymbol": inst.symbol,
        "IsDisable": False,
        "MasterDataId": 0,
        "PriceCollarThreshold": ZERO,
        "PriceCollarPercent": ZERO,
        "PriceCollarEnabled": False,
        "PriceFloorLimit": ZERO,
        "PriceFloorLimitEnabled": False,
        "PriceCeilingLimit": ZERO,
        "PriceCeilingLimitEnabled": False,
        "CreateWithMarketRunning": True,
        "AllowOnlyMarketMakerCounterParty": False,
        "PriceCollarIndexDifference": ZERO,
        "PriceCollarConvertToOtcEnabled": False,
        "PriceCollarConvertToOtcClientUserId": 0,
        "PriceCollarConvertToOtcAccountId": 0,
        "PriceCollarConvertToOtcThreshold": ZERO,
        "OtcConvertSizeThreshold": ZERO,
        "OtcConvertSizeEnabled": False,
        "OtcTradesPublic": True,
        "PriceTier": 0,
    }


def position_out(account: str, symbol: str, pid: int, amount: Decimal, hold: Decimal) -> dict:
    """GetAccountPositions element / AccountPositionEvent (section 4.8)."""
    return {
        "OMSId": OMS_ID,
        "AccountId": ap_account(account),
        "ProductSymbol": symbol,
        "ProductId": pid,
        "Amount": amount,
        "Hold": hold,
        "PendingDeposits": ZERO,
        "PendingWithdraws": ZERO,
        "TotalDayDeposits": ZERO,
        "TotalMonthDeposits": ZERO,
        "TotalYearDeposits": ZERO,
        "TotalDayDepositNotional": ZERO,
        "TotalMonthDepositNotional": ZERO,
        "TotalYearDepositNotional": ZERO,
        "TotalDayWithdraws": ZERO,
        "TotalMonthWithdraws": ZERO,
        "TotalYearWithdraws": ZERO,
        "TotalDayWithdrawNotional": ZERO,
        "TotalMonthWithdrawNotional": ZERO,
        "TotalYearWithdrawNotional": ZERO,
        "NotionalProductId": 0,
        "NotionalProductSymbol": "",
        "NotionalValue": ZERO,
        "NotionalHoldAmount": ZERO,
        "NotionalRate": ZERO,
        "TotalDayTransferNotional": ZERO,
    }
