"""``/api/v1/marketdata``: top of book, last trade and session of an instrument; quote and
trade injection into the simulated venue (fed exactly as the feed feeds it).

Injection needs the Operator role unless the settings open it to every trading user (the
demo configuration does).
"""

from __future__ import annotations

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.auth import Principal
from condor.api.deps import RuntimeDep, UserDep
from condor.api.errors import ApiError
from condor.api.mapping import as_api_error, dt_to_ns, market_out
from condor.domain.errors import DomainError, RejectReason
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.values import MAX_UNITS

router = APIRouter(prefix="/api/v1/marketdata", tags=["marketdata"])


def require_market_control(rt, p: Principal) -> None:
    """403 unless the caller may inject market data and move the clock."""
    if rt.settings.operator_only_market and not p.is_operator:
        raise ApiError(403, "market control needs the Operator role", RejectReason.NOT_AUTHORIZED)
    p.require_trade()


def _instrument(e, symbol: str):
    i = e.instruments.find(symbol)
    if i is None:
        raise ApiError(
            404, f"unknown instrument {symbol!r}", RejectReason.UNKNOWN_INSTRUMENT, "symbol"
        )
    return i


def _storable(name: str, v: int | None) -> None:
    """422 unless ``v`` (ticks or lots; None = absent) is positive and fits the journal's
    64-bit integers (``domain.values.MAX_UNITS``): a trailing stop's water mark and fill
    prices are stored from it."""
    if v is None:
        return
    if v <= 0:
        raise ApiError(422, f"{name} must be positive", RejectReason.INVALID_FIELD, name)
    if v > MAX_UNITS:
        raise ApiError(422, f"{name} is too large", RejectReason.INVALID_FIELD, name)


def _answer(symbol: str):
    return lambda e, _: market_out(e, symbol)


@router.get("/{symbol:path}", response_model=S.MarketDataOut, tags=["marketdata"])
async def get_market(symbol: str, rt: RuntimeDep, p: UserDep) -> S.MarketDataOut:
    with rt.read() as e:
        _instrument(e, symbol)
        return market_out(e, symbol)


@router.post("/{symbol:path}/quotes", response_model=S.MarketDataOut)
async def post_quote(symbol: str, body: S.QuoteIn, rt: RuntimeDep, p: UserDep) -> S.MarketDataOut:
    """Feed a quote (``bid``/``ask`` prices, sizes in instrument units; omitted size =
    unlimited depth); resting orders and stops react to it at once."""
    require_market_control(rt, p)
    with rt.read() as e:
        inst = _instrument(e, symbol)
        try:
            bid = inst.price_to_ticks(body.bid, "bid") if body.bid is not None else None
            ask = inst.price_to_ticks(body.ask, "ask") if body.ask is not None else None
            bsz = inst.qty_to_lots(body.bid_size, "bid_size") if body.bid_size is not None else None
            asz = inst.qty_to_lots(body.ask_size, "ask_size") if body.ask_size is not None else None
        except DomainError as err:
            raise as_api_error(err) from None
        for name, v in (("bid", bid), ("ask", ask), ("bid_size", bsz), ("ask_size", asz)):
            _storable(name, v)
        if bid is not None and ask is not None and bid > ask:
            raise ApiError(422, "bid above ask (crossed quote)", RejectReason.INVALID_FIELD, "ask")
        ts = dt_to_ns(body.ts) if body.ts is not None else rt.now_ns()
    return await rt.market(QuoteTick(symbol, ts, bid, ask, bsz, asz), _answer(symbol))


@router.post("/{symbol:path}/trades", response_model=S.MarketDataOut)
async def post_trade(symbol: str, body: S.TradeIn, rt: RuntimeDep, p: UserDep) -> S.MarketDataOut:
    """Feed a trade print (``price``, ``size`` in instrument units)."""
    require_market_control(rt, p)
    with rt.read() as e:
        inst = _instrument(e, symbol)
        try:
            px = inst.price_to_ticks(body.price, "price")
            size = inst.qty_to_lots(body.size, "size")
        except DomainError as err:
            raise as_api_error(err) from None
        _storable("price", px)
        if size <= 0:
            raise ApiError(422, "size must be positive", RejectReason.NON_POSITIVE_QTY, "size")
        _storable("size", size)
        ts = dt_to_ns(body.ts) if body.ts is not None else rt.now_ns()
    return await rt.market(TradeTick(symbol, ts, px, size), _answer(symbol))
