"""Alor reads: ``GET /md/v2/Clients/{exchange}/{portfolio}/orders[/{orderId}]`` and
``.../stoporders[/{orderId}]`` (wire-formats sections 2.5 and 2.9).

Invariants:
- ``orders`` lists the portfolio's exchange orders on ``exchange`` (limit and market, plus a
  stop that has triggered: it is then the exchange order it became, same number);
  ``stoporders`` lists its stop and stop-limit orders, triggered or not. Both are sorted by
  number and include ended orders (Condor keeps them; Alor keeps the current day's).
- ``format`` is Simple (default), Slim or Heavy, any casing; a read changes nothing.
- a portfolio the server does not know and an unknown order are 404; a portfolio the caller
  may not see is 403. The path's static segments match in any casing (``paths`` middleware).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from condor.api.auth import Principal
from condor.api.dialects.alor import mapping as M
from condor.api.dialects.alor import tokens as T
from condor.api.dialects.alor.errors import AlorError, OrderRoute
from condor.api.dialects.alor.jsonio import AlorJSON
from condor.domain.orders.order import Order

R = "/md/v2/Clients/{exchange}/{portfolio}"
Caller = Annotated[Principal, Depends(T.caller)]

router = APIRouter(route_class=OrderRoute, tags=["alor"])

WHAT = ("orders", "stoporders")


def check_read(e, p: Principal, portfolio: str) -> None:
    if portfolio not in e.accounts:
        raise AlorError(404, f"Unknown portfolio {portfolio!r}", "NotFound", "portfolio")
    if not p.may_see(portfolio):
        raise AlorError(403, f"No rights on portfolio {portfolio!r}", "Forbidden", "portfolio")


def _fmt(fmt: str | None) -> str:
    f = (fmt or "simple").lower()
    if f not in M.FORMATS:
        raise AlorError(400, f"Unknown format {fmt!r}", "InvalidField", "format")
    return f


def listed(o: Order, what: str) -> bool:
    """Whether ``o`` belongs to the ``orders`` or the ``stoporders`` list."""
    if what == "stoporders":
        return M.is_stop_order(o)
    return not M.is_stop_order(o) or o.triggered


def view(o: Order, what: str, fmt: str, existing: bool = True) -> dict:
    d = M.stop_simple(o, existing) if what == "stoporders" else M.order_simple(o, existing)
    return M.formatted(d, fmt)


def _what(what: str) -> str:
    w = what.lower()
    if w not in WHAT:
        raise AlorError(404, f"Unknown resource {what!r}", "NotFound")
    return w


@router.get(R + "/{what}")
async def list_orders(
    exchange: str, portfolio: str, what: str, request: Request, p: Caller,
    format: str | None = None,
) -> Response:  # fmt: skip
    """All orders (``orders``) or stop orders (``stoporders``) of the portfolio."""
    w, f = _what(what), _fmt(format)
    rt = request.app.state.runtime
    ex = exchange.upper()
    with rt.read() as e:
        check_read(e, p, portfolio)
        out = [
            view(o, w, f)
            for o in sorted(e.orders.values(), key=lambda x: x.order_id)
            if o.account == portfolio and M.alor_exchange(o.inst) == ex and listed(o, w)
        ]
    return AlorJSON(out)


@router.get(R + "/{what}/{order_id}")
async def get_order(
    exchange: str, portfolio: str, what: str, order_id: str, request: Request, p: Caller,
    format: str | None = None,
) -> Response:  # fmt: skip
    """One order or stop order; 404 when the portfolio has no such order."""
    w, f = _what(what), _fmt(format)
    rt = request.app.state.runtime
    with rt.read() as e:
        check_read(e, p, portfolio)
        oid = M.order_id_of(order_id)
        o = rt.order(oid) if oid is not None else None
        if (
            o is None
            or o.account != portfolio
            or M.alor_exchange(o.inst) != exchange.upper()
            or not listed(o, w)
        ):
            raise AlorError(404, f"Order {order_id} not found", "NotFound", "orderId")
        return AlorJSON(view(o, w, f))
