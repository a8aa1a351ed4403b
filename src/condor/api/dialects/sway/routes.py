"""Sway / DXtrade order routes under ``/dxsca-web`` (wire-formats.md sections 3.4-3.9, seed 002).

Invariants:
- every route checks that the caller may see the account in its path (an unknown or foreign
  account answers 404 code 2 alike) and, for changes, that it may trade.
- every command goes through ``Runtime.execute`` (journaled, answered once durable); answers
  describe the engine state right after the command ran.
- ``PUT``/``DELETE`` need ``If-Match`` with the account's current open-orders ETag (missing:
  403 code 99; stale: 412, nothing changed). The ETag is a digest of engine state
  (``mapping.etag``), so it survives a restart.
- a request that fails any check changes nothing: checks run before the command, and an engine
  rejection changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from condor.api.auth import Principal
from condor.api.deps import RuntimeDep
from condor.api.dialects.sway import mapping as M
from condor.api.dialects.sway import session
from condor.api.dialects.sway.config import SwayConfig
from condor.api.dialects.sway.errors import (
    SwayError,
    SwayRoute,
    bad_request,
    duplicate,
    malformed_uri,
    not_found,
)
from condor.api.dialects.sway.schemas import (
    GroupRequest,
    OrderRequest,
    parse_body,
    parse_order_request,
    validation_text,
)
from condor.api.dialects.sway.session import SessionDep, json_response
from condor.api.mapping import balances_out, dt_to_ns
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.orders import commands as C
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.orders.order import Order

PREFIX = "/dxsca-web"


def build_router() -> APIRouter:
    """The dialect's router (built on demand: nothing runs at import time)."""
    r = APIRouter(prefix=PREFIX, route_class=SwayRoute, tags=["sway"])
    r.add_api_route("/login", session.login, methods=["POST"])
    r.add_api_route("/loginByToken", session.login_by_token, methods=["POST"])
    r.add_api_route("/ping", session.ping, methods=["POST"])
    r.add_api_route("/logout", session.logout, methods=["POST"])
    r.add_api_route("/users/{login_domain}", session.user_details, methods=["GET"])
    r.add_api_route("/accounts/orders", open_orders_many, methods=["GET"])
    for method in ("GET", "POST"):
        name = method.lower()
        r.add_api_route("/accounts/orders/history", history_many, methods=[method],
                        name=f"sway_history_many_{name}")  # fmt: skip
        r.add_api_route("/accounts/{account}/orders/history", history, methods=[method],
                        name=f"sway_history_{name}")  # fmt: skip
    r.add_api_route("/accounts/{account}/orders", place, methods=["POST"])
    r.add_api_route("/accounts/{account}/orders", modify, methods=["PUT"])
    r.add_api_route("/accounts/{account}/orders", open_orders, methods=["GET"])
    r.add_api_route("/accounts/{account}/orders/group", cancel_group, methods=["DELETE"])
    r.add_api_route("/accounts/{account}/orders/{order_code:path}", cancel, methods=["DELETE"])
    r.add_api_route("/accounts/{account}/positions", positions, methods=["GET"])
    r.add_api_route("/accounts/{account}/portfolio", portfolio, methods=["GET"])
    return r


# -- helpers ----------------------------------------------------------------------------------
def _account(e, p: Principal, account: str) -> str:
    if account not in e.accounts or not p.may_see(account):
        raise not_found(f"account {account}")
    return account


def _trader(p: Principal) -> None:
    if not p.may_trade:
        raise SwayError(403, "2", "Trading is not permitted for this user")


def _open(e, account: str) -> list[Order]:
    return sorted((o for o in e.live.values() if o.account == account), key=lambda o: o.order_id)


def _account_etag(e, accounts: list[str]) -> str:
    return M.etag([o for a in accounts for o in _open(e, a)])


def _check_if_match(request: Request, e, account: str) -> None:
    """403 code 99 without ``If-Match``; 412 when none of its tags is the current ETag."""
    header = request.headers.get("if-match")
    if header is None or not header.strip():
        raise SwayError(403, "99", "Conditional header If-Match is required")
    current = _account_etag(e, [account])
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if "*" in tags or current in tags or current.strip('"') in tags:
        return
    raise SwayError(412, None, "Precondition failed: the orders have changed (ETag mismatch)")


def _find(e, account: str, code: str) -> Order:
    """An order of ``account`` by client id (``orderCode``; the live one first, else the
    newest) or by system id (``orderId``); 404 code 2 otherwise."""
    o = e.order_by_cl_ord_id(account, code)
    if o is not None:
        return o
    for oid in range(e.order_seq, 0, -1):
        x = e.orders.get(oid)
        if x is not None and x.account == account and x.cl_ord_id == code:
            return x
    if code.isdigit():
        x = e.orders.get(int(code))
        if x is not None and x.account == account:
            return x
    raise not_found(f"order {code}")


def _used_codes(e, account: str) -> set[str]:
    return {o.cl_ord_id for o in e.orders.values() if o.account == account and o.cl_ord_id}


def _fills_by_order(rt, ids: set[int]) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for f in rt.fills:
        if f.order_id in ids:
            out[f.order_id].append(f)
    return out


def _accounts_param(e, p: Principal, params: dict) -> list[str]:
    raw = params.get("accounts")
    if not raw:
        raise malformed_uri("accounts is required")
    return [_account(e, p, a.strip()) for a in raw.split(",") if a.strip()]


def _response_ids(o: Order) -> dict:
    return {"orderId": o.order_id, "updateOrderId": o.order_id}


# -- placement ------------------------------------------------------------------------------
async def place(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """Place a Single Order Request (-> ``{orderId, updateOrderId}``) or an Order Group
    Request (-> ``{"orderResponses": [...]}``, one per order, in request order). Errors: 400
    code 33 / 101, 404 code 2, 409 code 100 (``orderCode`` already used on the account)."""
    _trader(p)
    req = parse_order_request(parse_body(await request.body()))
    cfg: SwayConfig = request.app.state.sway
    with rt.read() as e:
        _account(e, p, account)
        if isinstance(req, GroupRequest):
            cmd = _group_command(e, p, cfg, account, req)
        else:
            cmd = _single_command(e, p, account, req)
    if isinstance(cmd, CreateGroup):
        return json_response(await rt.execute(cmd, _group_answer))
    return json_response(await rt.execute(cmd, _single_answer))


def _instrument(e, symbol: str, field: str):
    inst = e.instruments.find(symbol)
    if inst is None:
        raise bad_request(f"{field}: unknown instrument {symbol!r}")
    return inst


def _single_command(e, p: Principal, account: str, req: OrderRequest) -> C.SubmitOrder:
    if req.account is not None and req.account != account:
        raise bad_request("account: differs from the account in the path")
    inst = _instrument(e, req.instrument, "instrument")
    cmd = M.to_submit(req, account, inst, p.username)
    if cmd.cl_ord_id in _used_codes(e, account):
        raise duplicate(cmd.cl_ord_id)
    return cmd


def _group_command(e, p, cfg: SwayConfig, account: str, req: GroupRequest) -> CreateGroup:
    kind, validator = M.contingency(req.contingency_type)
    if not cfg.position_based(e, account):
        raise bad_request(
            f"order groups can be issued only for position-based accounts ({account})"
        )
    if not req.orders:
        raise bad_request("orders: a group needs orders")
    if len(req.orders) < 2:
        first = "IF-THEN needs a parent and at least one THEN order"
        raise bad_request(first if validator == "sway_if_then" else "OCO needs at least two orders")
    used = _used_codes(e, account)
    seen: set[str] = set()
    members = []
    for i, r in enumerate(req.orders):
        acc = r.account if r.account is not None else account
        if acc != account:
            _account(e, p, acc)  # the engine refuses a group over two accounts, naming the rule
        inst = _instrument(e, r.instrument, f"orders[{i}].instrument")
        linkable = validator == "sway_if_then" and i > 0
        sub = M.to_submit(r, acc, inst, p.username, f"orders[{i}].", linkable)
        if sub.cl_ord_id in seen or sub.cl_ord_id in used:
            raise duplicate(sub.cl_ord_id)
        seen.add(sub.cl_ord_id)
        members.append(MemberSpec(order=sub))
    return CreateGroup(kind, tuple(members), validators=(validator,), owner=p.username)


def _single_answer(e, events: list) -> dict:
    oid = next(ev.order_id for ev in events if type(ev) is ExecutionReport)
    return _response_ids(e.orders[oid])


def _group_answer(e, events: list) -> dict:
    gid = next(ev.group_id for ev in events if type(ev) is GroupUpdated)
    g = e.groups.get(gid)
    return {"orderResponses": [_response_ids(e.orders[m.order_id]) for m in g.members]}


# -- modify / cancel ------------------------------------------------------------------------
async def modify(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """Modify one order with the full Single Order Request (no ``type``); ``If-Match``
    required. Answers ``{orderId, updateOrderId}`` and the new ``ETag``."""
    _trader(p)
    data = parse_body(await request.body())
    if "orders" in data or "contingencyType" in data:
        raise bad_request("group modification is not supported: modify the orders one by one")
    try:
        req = OrderRequest.model_validate(data)
    except ValidationError as e:
        raise bad_request(validation_text(e)) from None
    with rt.read() as e:
        _account(e, p, account)
        _check_if_match(request, e, account)
        o = _find(e, account, req.order_code)
        if o.status.is_terminal:
            raise SwayError(409, "33", f"order {req.order_code} is final ({o.status.value})")
        cmd = M.to_modify(o, req)

    def answer(e, _events):
        return _response_ids(o), _account_etag(e, [account])

    body, tag = await rt.execute(cmd, answer)
    return json_response(body, headers={"ETag": tag})


async def cancel(
    account: str, order_code: str, request: Request, rt: RuntimeDep, p: SessionDep
) -> Response:
    """Cancel one order by client or system id; ``If-Match`` required; a final order -> 409."""
    _trader(p)
    with rt.read() as e:
        _account(e, p, account)
        _check_if_match(request, e, account)
        o = _find(e, account, order_code)
    await rt.execute(C.CancelOrder(o.order_id, o.account))
    return json_response(_response_ids(o))


async def cancel_group(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``DELETE .../orders/group?order-codes=a,b,c&contingency-type=IF-THEN``: cancel the
    group's orders, the first (the parent) first; orders that the cascade already ended are
    skipped. THEN orders of an unfilled parent end canceled without quantity (seed 002)."""
    _trader(p)
    codes_raw = request.query_params.get("order-codes")
    if not codes_raw:
        raise malformed_uri("order-codes is required")
    ctype = request.query_params.get("contingency-type")
    if ctype is not None:
        try:
            M.contingency(ctype)
        except SwayError:
            raise malformed_uri(f"contingency-type {ctype!r}") from None
    codes = [c.strip() for c in codes_raw.split(",") if c.strip()]
    with rt.read() as e:
        _account(e, p, account)
        _check_if_match(request, e, account)
        orders = [_find(e, account, c) for c in codes]
        if all(o.status.is_terminal for o in orders):
            raise SwayError(409, "33", "every order of the group is final")
    for o in orders:
        with rt.read():
            live = not o.status.is_terminal
        if live:
            await rt.execute(C.CancelOrder(o.order_id, o.account))
    return json_response({"orderResponses": [_response_ids(o) for o in orders]})


# -- reads ------------------------------------------------------------------------------------
def _orders_body(rt, e, orders: list[Order], with_links: bool = True) -> list[dict]:
    fills = _fills_by_order(rt, {o.order_id for o in orders})
    return [M.order_out(e, o, fills.get(o.order_id), with_links) for o in orders]


def _etag_response(request: Request, body: dict, tag: str) -> Response:
    inm = request.headers.get("if-none-match")
    if inm is not None and tag in [t.strip().removeprefix("W/") for t in inm.split(",")]:
        return Response(status_code=304, headers={"ETag": tag})
    return json_response(body, headers={"ETag": tag})


async def open_orders(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"orders": [Order...]}`` of the account's open orders (with ``links``), ``ETag``."""
    with rt.read() as e:
        _account(e, p, account)
        orders = _open(e, account)
        body = {"orders": _orders_body(rt, e, orders)}
        tag = _account_etag(e, [account])
    return _etag_response(request, body, tag)


async def open_orders_many(request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``GET /accounts/orders?accounts=a,b``: open orders of several accounts, one ETag."""
    with rt.read() as e:
        accounts = _accounts_param(e, p, dict(request.query_params))
        orders = [o for a in accounts for o in _open(e, a)]
        body = {"orders": _orders_body(rt, e, orders)}
        tag = _account_etag(e, accounts)
    return _etag_response(request, body, tag)


async def _params(request: Request) -> dict:
    """Query parameters, plus a POST's form fields (``application/x-www-form-urlencoded``)
    or JSON object."""
    params = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if raw and "json" in ctype:
            params.update({k: str(v) for k, v in parse_body(raw).items()})
        elif raw:
            params.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
    return params


async def history(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """Historic orders (working and final) of the account, filtered and paged (section 3.4)."""
    params = await _params(request)
    with rt.read() as e:
        _account(e, p, account)
        body = _history(rt, e, [account], params)
    return json_response(body)


async def history_many(request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    params = await _params(request)
    with rt.read() as e:
        accounts = _accounts_param(e, p, params)
        body = _history(rt, e, accounts, params)
    return json_response(body)


def _int(params: dict, name: str, default: int | None, lo: int = 1) -> int | None:
    v = params.get(name)
    if v is None or v == "":
        return default
    try:
        n = int(v)
    except ValueError:
        raise malformed_uri(f"{name} must be an integer") from None
    if n < lo:
        raise malformed_uri(f"{name} must be at least {lo}")
    return n


def _time(params: dict, name: str) -> int | None:
    v = params.get(name)
    if not v:
        return None
    try:
        return dt_to_ns(datetime.fromisoformat(v.replace("Z", "+00:00")))
    except ValueError:
        raise malformed_uri(f"{name} must be an RFC 3339 time") from None


def _list(params: dict, name: str) -> set[str] | None:
    v = params.get(name)
    if not v:
        return None
    return {x.strip().upper() for x in v.split(",") if x.strip()}


_DAY = 86_400 * 10**9
_PERIODS = {"TODAY": (0, 1), "PREVIOUS-DAY": (1, 0), "WEEK": (6, 1), "PREVIOUS-WEEK": (13, 6)}
_OF_TYPE = {"MARKET": "MARKET", "LIMIT": "LIMIT", "STOP": "STOP", "STOP_LIMIT": "STOP_LIMIT"}


def _history(rt, e, accounts: list[str], params: dict) -> dict:
    statuses = _list(params, "in-status")
    types = _list(params, "of-type")
    if types and not types <= set(_OF_TYPE):
        raise malformed_uri(f"of-type: {sorted(types - set(_OF_TYPE))}")
    side = (params.get("side") or "").upper() or None
    if side not in (None, "BUY", "SELL"):
        raise malformed_uri("side must be BUY or SELL")
    client_ids = params.get("with-client-id")
    order_ids = params.get("with-order-id")
    instruments = params.get("for-instrument")
    lo_v = _int(params, "at-least-version", None, 0)
    hi_v = _int(params, "at-most-version", None, 0)
    issued = (_time(params, "issued-from"), _time(params, "issued-to"))
    done = (_time(params, "completed-from"), _time(params, "completed-to"))
    period = params.get("period")
    if period:
        bounds = _PERIODS.get(period.upper())
        if bounds is None:
            raise malformed_uri(f"period {period!r}")
        midnight = e.clock.now_ns() // _DAY * _DAY
        issued = (midnight - bounds[0] * _DAY, midnight + bounds[1] * _DAY)
    page = _int(params, "page", 1)
    size = _int(params, "page-size", None) or _int(params, "limit", 100)
    wanted = set(accounts)
    out: list[Order] = []
    for oid in range(e.order_seq, 0, -1):
        o = e.orders.get(oid)
        if o is None or o.account not in wanted:
            continue
        if statuses and M.STATUS[o.status] not in statuses:
            continue
        if types and M.TYPES_OUT.get(o.ord_type) not in types:
            continue
        if side and (side == "BUY") != o.side.is_buy:
            continue
        if client_ids and o.cl_ord_id not in client_ids.split(","):
            continue
        if order_ids and str(o.order_id) not in order_ids.split(","):
            continue
        if instruments and o.inst.symbol not in instruments.split(","):
            continue
        v = M.version(o)
        if (lo_v is not None and v < lo_v) or (hi_v is not None and v > hi_v):
            continue
        if (issued[0] is not None and o.ts_created < issued[0]) or (
            issued[1] is not None and o.ts_created >= issued[1]
        ):
            continue
        if done != (None, None):
            if not o.status.is_terminal:
                continue
            if (done[0] is not None and o.ts_updated < done[0]) or (
                done[1] is not None and o.ts_updated >= done[1]
            ):
                continue
        out.append(o)
    start = (page - 1) * size
    chunk = out[start : start + size]
    body: dict = {"orders": _orders_body(rt, e, chunk, with_links=False)}
    if start + size < len(out):
        body["nextPageTransactionTime"] = M.ts(out[start + size].ts_updated)
    return body


async def positions(account: str, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"positions": [Position...]}``: the account's non-zero net positions."""
    with rt.read() as e:
        _account(e, p, account)
        body = {"positions": _positions(e, account)}
    return json_response(body)


def _positions(e, account: str) -> list[dict]:
    a = e.accounts[account]
    out = []
    for sym in sorted(a.positions):
        pos = a.positions[sym]
        inst = e.instruments.find(sym)
        if pos.qty and inst is not None:
            out.append(M.position_wire(a, pos, inst))
    return out


async def portfolio(account: str, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"portfolios": [{account, balances, positions, orders}]}``."""
    with rt.read() as e:
        _account(e, p, account)
        a = e.accounts[account]
        balances = [
            {"account": account, "currency": b.currency, "value": b.cash,
             "available": b.available}
            for b in balances_out(a)
        ]  # fmt: skip
        body = {
            "portfolios": [
                {
                    "account": account,
                    "version": 0,
                    "balances": balances,
                    "positions": _positions(e, account),
                    "orders": _orders_body(rt, e, _open(e, account)),
                }
            ]
        }
    return json_response(body)
