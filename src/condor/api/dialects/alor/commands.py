"""Alor order commands, shared by the HTTP routes and the command socket ``/cws``: create,
modify (cancel + new number), cancel one, cancel all (wire-formats sections 2.4-2.7).

Invariants:
- every command goes through ``Runtime.execute`` / ``execute_once`` (journaled, answered once
  durable); checks here only translate and authorise, the engine decides.
- a request id (``X-REQID`` or ``X-ALOR-REQID``) makes create and modify idempotent per
  portfolio (scope ``alor:<portfolio>``): a repeat runs nothing and answers Alor's duplicate
  reply, 400 ``{"message": "Request with such X-ALOR-REQID was already handled. ...",
  "oldResponse": {"statusCode": 200, "body": <first answer>}}``, also after a restart. A
  repeated modify names the order its first run replaced, so a Replaced order still reaches
  the request-id check (``replaced_order``); under a new id it is "not found" as before.
- a portfolio the server does not know is a 400; one the caller may not trade is a 403; an
  order the caller may not see is answered exactly like one that does not exist.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import ValidationError

from condor.api.auth import Principal
from condor.api.dialects.alor import mapping as M
from condor.api.dialects.alor.errors import AlorError, bad, not_found_to_cancel
from condor.api.dialects.alor.schemas import OrderBodyIn, normalise_keys
from condor.api.errors import ApiError
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdStatus, OrdType
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.order import Order

DUPLICATE = (
    "Request with such X-ALOR-REQID was already handled. We return the response to that request."
)


class Reply(NamedTuple):
    """An answer: HTTP ``status`` and JSON ``body``."""

    status: int
    body: dict


def order_kind(kind: str) -> OrdType:
    """``actions/<kind>`` (market, limit, stop, stopLimit; any casing) -> OrdType; 404."""
    t = M.KINDS.get(kind.lower())
    if t is None:
        raise AlorError(404, f"Unknown order action {kind!r}", "NotFound")
    return t


def parse_order(data) -> OrderBodyIn:
    """A decoded JSON body -> OrderBodyIn; AlorError 400 naming the first bad field."""
    if not isinstance(data, dict):
        raise bad("the body must be a JSON object", None, "InvalidBody")
    try:
        return OrderBodyIn.model_validate(normalise_keys(data))
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(x) for x in err.get("loc", ())) or None
        code = "MissingField" if err.get("type") == "missing" else "InvalidField"
        raise bad(f"{field}: {err.get('msg')}", field, code) from None


def check_portfolio(e, p: Principal, portfolio: str, field: str = "user.portfolio") -> None:
    """400 for a portfolio the server does not know, 403 for one the caller may not trade."""
    if portfolio not in e.accounts:
        raise bad(f"Unknown portfolio {portfolio!r}", field, "UnknownPortfolio")
    if not p.may_see(portfolio) or not p.may_trade:
        raise AlorError(403, f"No rights on portfolio {portfolio!r}", "Forbidden", field)


def _order_number(e, events: list) -> dict:
    oid = next(ev.order_id for ev in events if type(ev) is ExecutionReport)
    return {"message": "success", "orderNumber": str(oid)}


async def _run(rt, cmd, portfolio: str, reqid: str | None, answer) -> Reply:
    if reqid is None:
        return Reply(200, await rt.execute(cmd, answer))
    out = await rt.execute_once(cmd, (f"alor:{portfolio}", reqid), answer)
    if out.replayed:
        return Reply(400, {"message": DUPLICATE, "oldResponse": {"statusCode": 200,
                                                                 "body": out.value}})  # fmt: skip
    return Reply(200, out.value)


async def create(rt, p: Principal, kind: str, data, reqid: str | None) -> Reply:
    """Place a new order of ``kind``; 200 ``{"message": "success", "orderNumber": "<n>"}``."""
    ord_type = order_kind(kind)
    body = parse_order(data)
    with rt.read() as e:
        check_portfolio(e, p, body.user.portfolio)
        inst = M.instrument(e, body)
        cmd = M.to_submit(body, ord_type, inst, p.username)
    return await _run(rt, cmd, body.user.portfolio, reqid, _order_number)


def live_order(e, p: Principal, order_id, portfolio: str | None) -> Order | None:
    """The caller's live order ``order_id`` (of ``portfolio`` when given), else None."""
    oid = M.order_id_of(order_id)
    o = e.orders.get(oid) if oid is not None else None
    if o is None or not p.may_see(o.account) or o.status.is_terminal:
        return None
    if portfolio is not None and o.account != portfolio:
        return None
    return o


async def modify(rt, p: Principal, kind: str, order_id, data, reqid: str | None) -> Reply:
    """Modify = cancel ``order_id`` + a new order with the body's quantity and prices (section
    2.6). 200 with the new ``orderNumber``; a limit/market modify's ``message`` is the
    trading server's registration text (section 2.7)."""
    ord_type = order_kind(kind)
    body = parse_order(data)
    with rt.read() as e:
        check_portfolio(e, p, body.user.portfolio)
        o = live_order(e, p, order_id, body.user.portfolio)
        if o is None and reqid is not None:
            o = replaced_order(rt, p, order_id, body.user.portfolio)
        if o is None:
            raise bad(f"Order {order_id} not found", "orderId", "OrderNotFound")
        inst = M.instrument(e, body)
        new = M.to_submit(body, ord_type, inst, p.username)
        M.check_same_order(o, new, ord_type)
        cmd = M.to_replace(o, new)
    side = "покупку" if o.side.is_buy else "продажу"

    def answer(e, events: list) -> dict:
        n = next(
            ev.order_id for ev in events
            if type(ev) is ExecutionReport and ev.orig_order_id == o.order_id
        )  # fmt: skip
        if ord_type.is_stop:
            return {"message": "success", "orderNumber": str(n)}
        text = f"(162) Заявка на {side} N {n} зарегистрирована."
        return {"message": text, "orderNumber": str(n)}

    replaced = o.status is OrdStatus.REPLACED
    try:  # of a replaced ``o``, only a repeat of the modify that replaced it gets through
        return await _run(rt, cmd, body.user.portfolio, reqid, answer)
    except ApiError as err:
        if not replaced or err.status >= 500:
            raise
        raise bad(f"Order {order_id} not found", "orderId", "OrderNotFound") from None


def replaced_order(rt, p: Principal, order_id, portfolio: str) -> Order | None:
    """The caller's order ``order_id`` of ``portfolio`` when a modify has replaced it, else
    None. A repeated modify (same ``X-REQID``, section 2.4) names the order its first run
    replaced; it must reach the request-id check to be answered with the duplicate reply."""
    oid = M.order_id_of(order_id)
    o = rt.order(oid) if oid is not None else None
    if o is None or o.status is not OrdStatus.REPLACED or o.account != portfolio:
        return None
    return o if p.may_see(o.account) else None


async def cancel(rt, p: Principal, order_id, portfolio: str | None) -> None:
    """Cancel one live order; AlorError ``OrderToCancelNotFound`` when there is none."""
    with rt.read() as e:
        o = live_order(e, p, order_id, portfolio)
        if o is None:
            raise not_found_to_cancel()
        if not p.may_trade:
            raise AlorError(403, "read-only users cannot cancel orders", "Forbidden")
    await rt.execute(C.CancelOrder(o.order_id, o.account))


async def cancel_all(
    rt, p: Principal, portfolio: str, exchange: str | None, stop: bool | None
) -> int:
    """Cancel the live orders of ``portfolio`` (on ``exchange``; only stops or only
    non-stops when ``stop`` is given); return how many. AlorError 400 "Orders to cancel not
    found" when there are none."""
    with rt.read() as e:
        check_portfolio(e, p, portfolio, "portfolio")
        ids = [
            o.order_id
            for o in sorted(e.live.values(), key=lambda x: x.order_id)
            if o.account == portfolio
            and (exchange is None or M.alor_exchange(o.inst) == exchange.upper())
            and (stop is None or M.is_stop_order(o) == stop)
        ]
    if not ids:
        raise AlorError(400, "Orders to cancel not found", "OrderToCancelNotFound")
    done = 0
    for oid in ids:
        try:
            await rt.execute(C.CancelOrder(oid, portfolio))
            done += 1
        except ApiError as err:
            if err.status >= 500:
                raise
    return done


def estimate(rt, p: Principal, data) -> dict:
    """``POST estimate``: how many lots the portfolio can buy at ``price`` with its free cash
    and sell from its free position (section 2.5). Body ``{"portfolio", "ticker",
    "exchange", "price", "lotQuantity", "board"}``."""
    if not isinstance(data, dict):
        raise bad("the body must be a JSON object", None, "InvalidBody")
    d = normalise_keys(data)
    portfolio, ticker = d.get("portfolio"), d.get("ticker")
    if not isinstance(portfolio, str):
        raise bad("portfolio is required", "portfolio", "MissingField")
    if not isinstance(ticker, str):
        raise bad("ticker is required", "ticker", "MissingField")
    with rt.read() as e:
        check_portfolio(e, p, portfolio, "portfolio")
        inst = e.instruments.find(ticker)
        if inst is None:
            raise bad(f"Unknown instrument {ticker!r}", "ticker", "UnknownInstrument")
        price = d.get("price")
        ticks = M.price_ticks(inst, price, "price") if price is not None else None
        if ticks is None:
            ext = e.venues[inst.symbol].ext
            ticks = ext.last or ext.ask or ext.bid
        a = e.accounts[portfolio]
        free = a.available_cash(inst.currency)
        per_lot = inst.notional(ticks, 1) if ticks else 0
        pos = a.positions.get(inst.symbol)
        can_sell = max(pos.qty - pos.held_long, 0) if pos is not None else 0
        can_buy = free // per_lot if per_lot > 0 else 0
        lotq = d.get("lotQuantity") or 0
        value = M.price_out(inst, ticks) if ticks else None
    return {
        "portfolio": portfolio,
        "ticker": inst.symbol,
        "exchange": M.alor_exchange(inst),
        "quantityToSell": can_sell,
        "quantityToBuy": can_buy,
        "notMarginQuantityToSell": can_sell,
        "notMarginQuantityToBuy": can_buy,
        "orderEvaluation": M.volume(inst, value, lotq) if value is not None else 0,
        "commission": 0,
    }
