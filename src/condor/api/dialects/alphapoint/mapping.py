"""AlphaPoint APEX <-> engine: enums, ids, SendOrder -> commands (objects out: ``objects``).

Invariants:
- enum numbering is APEX's (spec section 4.5, seed 004): Side 0 Buy, 1 Sell, 2 Short;
  OrderType 1-7; TimeInForce 1 GTC, 2 OPG, 3 IOC, 4 FOK, 5 GTX (= GTC), 6 GTD; PegPriceType
  1 Last, 2 Bid, 3 Ask, 4 Midpoint. Responses spell them as strings.
- AlphaPoint ``AccountId`` is an integer: it names the Condor account whose id is that
  integer's decimal text (``9`` <-> ``"9"``); Condor accounts with non-numeric ids are not
  reachable from this dialect. ``InstrumentId`` is the instrument's ``instrument_id``.
  ``ClientOrderId`` (long, 0 = none) is the Condor ``cl_ord_id`` as decimal text.
- wire 0 for an optional price is "absent" (None in the engine, never a sentinel 0).
"""

from __future__ import annotations

from decimal import Decimal

from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.errors import (
    INVALID_REQUEST,
    NOT_FOUND,
    NOT_SUPPORTED,
    ApError,
)
from condor.domain.errors import DomainError
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument
from condor.domain.orders import commands as C
from condor.domain.orders.enums import (
    OrdStatus,
    OrdType,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
)

OMS_ID = 1

SIDES = {0: Side.BUY, 1: Side.SELL, 2: Side.SELL_SHORT}
SIDE_NAMES = {
    Side.BUY: "Buy",
    Side.SELL: "Sell",
    Side.SELL_SHORT: "Short",
    Side.BUY_TO_COVER: "Buy",
}
ORDER_TYPES = {
    1: OrdType.MARKET,
    2: OrdType.LIMIT,
    3: OrdType.STOP_MARKET,
    4: OrdType.STOP_LIMIT,
    5: OrdType.TRAILING_STOP_MARKET,
    6: OrdType.TRAILING_STOP_LIMIT,
    7: OrdType.BLOCK_TRADE,
}
TIFS = {
    1: TimeInForce.GTC,
    2: TimeInForce.OPG,
    3: TimeInForce.IOC,
    4: TimeInForce.FOK,
    5: TimeInForce.GTC,  # GTX (good 'til executed): Condor has no separate GTX
    6: TimeInForce.GTD,
}
PEGS = {1: TriggerBasis.LAST, 2: TriggerBasis.BID, 3: TriggerBasis.ASK, 4: TriggerBasis.MID}
PEG_RANGE = range(0, 5)
"""PegPriceType values a request may carry (section 4.5: 0 Unknown = the default basis)."""
TIF_NAMES = {1: "GTC", 2: "OPG", 3: "IOC", 4: "FOK", 5: "GTX", 6: "GTD"}
"""APEX TimeInForce number -> its name (section 4.5), for echoes of a request."""
ENGINE_TIF_NAMES = {
    TimeInForce.DAY: "GTC",  # APEX has no DAY; Condor's DAY orders come from other dialects
    TimeInForce.GTC: "GTC",
    TimeInForce.GTD: "GTD",
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.OPG: "OPG",
    TimeInForce.CLS: "GTC",
}
PEG_NAMES = {
    TriggerBasis.LAST: "Last",
    TriggerBasis.BID: "Bid",
    TriggerBasis.ASK: "Ask",
    TriggerBasis.MID: "Midpoint",
}
ORDER_STATES = {
    OrdStatus.PENDING_NEW: "Working",
    OrdStatus.NEW: "Working",
    OrdStatus.PARTIALLY_FILLED: "Working",
    OrdStatus.HELD: "Working",
    OrdStatus.FILLED: "FullyExecuted",
    OrdStatus.CANCELED: "Canceled",
    OrdStatus.REPLACED: "Canceled",
    OrdStatus.REJECTED: "Rejected",
    OrdStatus.EXPIRED: "Expired",
}
ENGINE_FIELDS = {
    "price": "LimitPrice",
    "stop_price": "StopPrice",
    "quantity": "Quantity",
    "qty": "Quantity",
    "display_qty": "DisplayQuantity",
    "trail": "TrailingAmount",
    "trail.offset": "TrailingAmount",
    "activation": "TrailingAmount",
    "limit_offset": "LimitOffset",
    "basis": "PegPriceType",
    "time_in_force": "TimeInForce",
    "expire_time": "ExpireTime",
    "account": "AccountId",
    "symbol": "InstrumentId",
    "side": "Side",
    "ord_type": "OrderType",
    "cl_ord_id": "ClientOrderId",
    "members[0]": "OrderIdOCO",
}
"""Engine field names -> AlphaPoint payload keys (for error details)."""

DOTNET_EPOCH_TICKS = 621_355_968_000_000_000
ZERO = Decimal(0)


def wire_field(field: str | None) -> str | None:
    """An engine field (``members[1].price``) -> the AlphaPoint key (``LimitPrice``)."""
    if field is None:
        return None
    if field.startswith("members[1]."):
        field = field.removeprefix("members[1].")
    return ENGINE_FIELDS.get(field, field)


# -- ids ----------------------------------------------------------------------------------
def condor_account(account_id: int | None) -> str:
    """AlphaPoint AccountId -> Condor account id. Raises ApError 100 when missing."""
    if account_id is None:
        raise ApError(INVALID_REQUEST, "AccountId is required", "AccountId")
    return str(account_id)


def ap_account(account: str | None) -> int:
    """Condor account id -> AlphaPoint AccountId (0 for a non-numeric id)."""
    return int(account) if account is not None and account.isdigit() else 0


def ap_client_order_id(cl_ord_id: str | None) -> int:
    return int(cl_ord_id) if cl_ord_id is not None and cl_ord_id.isdigit() else 0


def check_oms(oms_id: int | None) -> None:
    """Only OMS 1 exists. Raises ApError 100 ("Invalid OMSId: n")."""
    if oms_id is not None and oms_id != OMS_ID:
        raise ApError(INVALID_REQUEST, f"Invalid OMSId: {oms_id}", "OMSId")


def instrument_by_id(engine, instrument_id: int | None) -> Instrument:
    """Raises ApError 104 ``Invalid InstrumentId: n`` (section 4.9)."""
    if instrument_id is None:
        raise ApError(INVALID_REQUEST, "InstrumentId is required", "InstrumentId")
    try:
        return engine.instruments.by_id(instrument_id)
    except DomainError:
        raise ApError(NOT_FOUND, f"Invalid InstrumentId: {instrument_id}", "InstrumentId") from None


def ticks(ns: int) -> int:
    """epoch ns -> .NET ticks (100 ns since 0001-01-01)."""
    return DOTNET_EPOCH_TICKS + ns // 100


# -- SendOrder ----------------------------------------------------------------------------
def _enum(table: dict, value: int | None, key: str):
    if value not in table:
        raise ApError(INVALID_REQUEST, f"Invalid {key}: {value}", key)
    return table[value]


def check_peg(value: int | None) -> None:
    """PegPriceType must be 0-4 when given (section 4.5). Raises ApError 100
    ``Invalid PegPriceType: n`` like the other enums."""
    if value is not None and value not in PEG_RANGE:
        raise ApError(INVALID_REQUEST, f"Invalid PegPriceType: {value}", "PegPriceType")


def _opt(v: Decimal | None) -> Decimal | None:
    """Wire 0 (or null) for an optional price -> None."""
    return None if v is None or v == 0 else v


def _convert(fn, *args):
    try:
        return fn(*args)
    except DomainError as e:
        raise ApError(INVALID_REQUEST, e.text, wire_field(e.field), e.reason.value) from None


def to_submit(o: W.SendOrderIn, inst: Instrument, owner: str | None) -> C.SubmitOrder:
    """SendOrder payload -> SubmitOrder (seed 004, section 4.6). Raises ApError 100 for a
    bad enum (PegPriceType outside 0-4 included), price or quantity (off the instrument's
    grid), 106 for BlockTrade and Value (not supported). ``PostOnly``: a limit order
    canceled rather than take liquidity."""
    side = _enum(SIDES, o.Side, "Side")
    ot = _enum(ORDER_TYPES, o.OrderType, "OrderType")
    tif = _enum(TIFS, o.TimeInForce, "TimeInForce")
    check_peg(o.PegPriceType)
    if ot is OrdType.BLOCK_TRADE:
        raise ApError(NOT_SUPPORTED, "BlockTrade orders are not supported", "OrderType")
    if o.Value is not None and o.Value != 0:
        raise ApError(NOT_SUPPORTED, "orders by Value are not supported", "Value")
    limit = _opt(o.LimitPrice)
    if ot is OrdType.MARKET and limit is not None:
        # "A market buy with LimitPrice executes up to it" (section 4.6): a marketable IOC limit
        ot, tif = OrdType.LIMIT, TimeInForce.IOC
    elif not ot.has_limit:
        limit = None
    stop = _opt(o.StopPrice) if ot in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT) else None
    basis = PEGS.get(o.PegPriceType or 0) if ot.is_stop else None
    trail = None
    if ot.is_trailing:
        if o.TrailingAmount is None or o.TrailingAmount <= 0:
            raise ApError(INVALID_REQUEST, "TrailingAmount must be positive", "TrailingAmount")
        off = _convert(inst.offset_to_ticks, o.TrailingAmount, "TrailingAmount")
        lim_off = None
        if ot is OrdType.TRAILING_STOP_LIMIT:
            if o.LimitOffset is None:
                raise ApError(INVALID_REQUEST, "LimitOffset is required", "LimitOffset")
            lim_off = _convert(inst.price_to_ticks, o.LimitOffset, "LimitOffset")
        trail = C.TrailSpec(TrailKind.AMOUNT, off, None, lim_off)
    display = None
    if o.UseDisplayQuantity:
        if o.DisplayQuantity is None or o.DisplayQuantity <= 0:
            raise ApError(
                INVALID_REQUEST, "DisplayQuantity must be > 0 with UseDisplayQuantity",
                "DisplayQuantity",
            )  # fmt: skip
        display = _convert(inst.qty_to_lots, o.DisplayQuantity, "DisplayQuantity")
    expire_ns = None
    if tif is TimeInForce.GTD:
        if o.ExpireTime is None:
            raise ApError(INVALID_REQUEST, "GTD orders need ExpireTime (POSIX ms)", "ExpireTime")
        expire_ns = o.ExpireTime * 1_000_000
    return C.SubmitOrder(
        account=condor_account(o.AccountId),
        symbol=inst.symbol,
        side=side,
        ord_type=ot,
        qty=_convert(inst.qty_to_lots, o.Quantity, "Quantity"),
        price=_convert(inst.price_to_ticks, limit, "LimitPrice") if limit is not None else None,
        stop_price=_convert(inst.price_to_ticks, stop, "StopPrice") if stop is not None else None,
        tif=tif,
        expire_ns=expire_ns,
        display_qty=display,
        cl_ord_id=str(o.ClientOrderId) if o.ClientOrderId else None,
        trail=trail,
        basis=basis,
        owner=owner,
        post_only=bool(o.PostOnly),
    )


def with_oco(sub: C.SubmitOrder, oco_order_id: int, owner: str | None) -> CreateGroup:
    """The new order watches ``oco_order_id``: if that order executes, this one is canceled
    (seed 004 ``OrderIdOCO``): a group ORDER_ID_OCO, member 0 the watched order, member 1 the
    new one, created with the order in one command."""
    return CreateGroup(
        GroupKind.ORDER_ID_OCO,
        (MemberSpec(order_id=oco_order_id), MemberSpec(order=sub)),
        owner=owner,
    )


def link_oco(oco_order_id: int, order_id: int, owner: str | None) -> CreateGroup:
    """``order_id`` (existing) watches ``oco_order_id``: CancelReplaceOrder ``orderIdOCO``."""
    return CreateGroup(
        GroupKind.ORDER_ID_OCO,
        (MemberSpec(order_id=oco_order_id), MemberSpec(order_id=order_id)),
        owner=owner,
    )
