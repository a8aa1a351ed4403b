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
- every ``/dxsca-web`` request gets a Sway answer: one no route takes is 405 with ``Allow``
  (its path exists) or 404 code 2.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from condor.api.auth import Principal
from condor.api.deps import RuntimeDep
from condor.api.dialects.sway import history as H
from condor.api.dialects.sway import mapping as M
from condor.api.dialects.sway import rules, session
from condor.api.dialects.sway.config import SwayConfig
from condor.api.dialects.sway.errors import (
    SwayError,
    SwayRoute,
    bad_request,
    conflict,
    duplicate,
    malformed_uri,
    method_not_allowed,
    not_found,
)
from condor.api.dialects.sway.schemas import (
    GroupRequest,
    OrderRequest,
    parse_body,
    parse_order_request,
    validation_text,
)
from condor.api.dialects.sway.session import SessionDep, etag_response, json_response
from condor.api.errors import route_methods
from condor.api.mapping import balances_out
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
    r.add_api_route("/{rest:path}", _unrouted([*r.routes]), methods=_METHODS,
                    include_in_schema=False, name="sway_unrouted")  # fmt: skip
    return r


_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _unrouted(routes: list):
    """Endpoint of every ``/dxsca-web`` request that no route above answered: 405 with
    ``Allow`` (the methods of the routes whose path matches; section 3.7) or, for a path no
    route has, 404 code 2 - both in the Sway error format."""

    async def unrouted(request: Request, rest: str) -> Response:
        path = request.url.path
        allowed = route_methods(routes, path)
        if not allowed:
            raise not_found(f"path {path}")
        raise method_not_allowed(sorted(allowed - {"HEAD"}))

    return unrouted


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


def _find(rt, e, account: str, code: str) -> Order:
    """An order of ``account`` by client id (``orderCode``; the live one first, else the
    newest: ``Runtime.order_by_code``) or by system id (``orderId``; ``Runtime.order``), also a
    finished one the engine no longer keeps (from the read model, so a cancel or modify of it
    is 409 code 33 "final" as for any final order, section 3.7); 404 code 2 otherwise."""
    o = rt.order_by_code((account,), code)
    if o is not None:
        return o
    if code.isascii() and code.isdigit():  # str.isdigit alone takes "²", which int refuses
        x = rt.order(int(code))
        if x is not None and x.account == account:
            return x
    raise not_found(f"order {code}")


def _used(rt, e, account: str, code: str | None) -> bool:
    """Whether any order of ``account`` ever had the client id ``code`` (section 3.2: unique
    per account; also a finished order the engine no longer keeps, from the read model)."""
    return code is not None and rt.order_by_code((account,), code) is not None


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
            cmd = _group_command(rt, e, p, cfg, account, req)
        else:
            cmd = _single_command(rt, e, p, account, req)
    if isinstance(cmd, CreateGroup):
        return json_response(await rt.execute(cmd, _group_answer))
    return json_response(await rt.execute(cmd, _single_answer))


def _instrument(e, symbol: str, field: str):
    inst = e.instruments.find(symbol)
    if inst is None:
        raise bad_request(f"{field}: unknown instrument {symbol!r}")
    return inst


def _single_command(rt, e, p: Principal, account: str, req: OrderRequest) -> C.SubmitOrder:
    if req.account is not None and req.account != account:
        raise bad_request("account: differs from the account in the path")
    inst = _instrument(e, req.instrument, "instrument")
    cmd = M.to_submit(req, account, inst, p.username)
    if cmd.qty == 0:
        # section 3.5: quantity 0/absent = a CLOSE order attached to a position; this server
        # attaches only the THEN orders of an IF-THEN group (to the IF order's fill)
        raise bad_request(
            "quantity: quantity must be positive; a position-attached order (quantity 0 or "
            "absent) is accepted only as a THEN order of an IF-THEN group"
        )
    if _used(rt, e, account, cmd.cl_ord_id):
        raise duplicate(cmd.cl_ord_id)
    return cmd


def _group_command(rt, e, p, cfg: SwayConfig, account: str, req: GroupRequest) -> CreateGroup:
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
    seen: set[str] = set()
    members = []
    for i, r in enumerate(req.orders):
        acc = r.account if r.account is not None else account
        if acc != account:
            _account(e, p, acc)  # the engine refuses a group over two accounts, naming the rule
        inst = _instrument(e, r.instrument, f"orders[{i}].instrument")
        linkable = validator == "sway_if_then" and i > 0
        sub = M.to_submit(r, acc, inst, p.username, f"orders[{i}].", linkable)
        if sub.cl_ord_id in seen or _used(rt, e, account, sub.cl_ord_id):
            raise duplicate(sub.cl_ord_id)
        seen.add(sub.cl_ord_id)
        members.append(MemberSpec(order=sub))
    if validator == "sway_if_then":
        rules.check_if_order(e, members[0].order)
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
    required. Answers ``{orderId, updateOrderId}`` and the new ``ETag``. A quantity change on
    a position-attached THEN order, or one that makes OCO quantities differ, is 400 code 33
    (``rules``)."""
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
        o = _find(rt, e, account, req.order_code)
        if o.status.is_terminal:
            raise conflict(f"order {req.order_code} is final ({o.status.value})")
        cmd = M.to_modify(o, req)
        rules.check_then_quantity(e, o, cmd.qty)
        rules.check_oco_quantity(e, o, cmd.qty)

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
        o = _find(rt, e, account, order_code)
        if o.status.is_terminal:
            raise conflict(f"order {order_code} is final ({o.status.value})")
    await rt.execute(C.CancelOrder(o.order_id, o.account))
    return json_response(_response_ids(o))


_GROUP = "group"


def _has_code(rt, p: Principal, account: str, code: str) -> bool:
    with rt.read() as e:
        _account(e, p, account)
        return _used(rt, e, account, code)


async def cancel_group(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``DELETE .../orders/group?order-codes=a,b,c&contingency-type=IF-THEN``: cancel the
    group's orders, the first (the parent) first; orders that the cascade already ended are
    skipped. THEN orders of an unfilled parent end canceled without quantity (seed 002).
    Without an ``order-codes`` parameter the path is read as ``DELETE .../orders/{orderCode}``
    of an order whose ``orderCode`` is ``group`` when the account has one (a group cancel
    always names its orders); otherwise 400 code 31."""
    _trader(p)
    if "order-codes" not in request.query_params and _has_code(rt, p, account, _GROUP):
        return await cancel(account, _GROUP, request, rt, p)
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
        orders = [_find(rt, e, account, c) for c in codes]
        if all(o.status.is_terminal for o in orders):
            raise conflict("every order of the group is final")
    for o in orders:
        with rt.read():
            live = not o.status.is_terminal
        if live:
            await rt.execute(C.CancelOrder(o.order_id, o.account))
    return json_response({"orderResponses": [_response_ids(o) for o in orders]})


# -- reads ------------------------------------------------------------------------------------
def _orders_body(rt, e, orders: list[Order], with_links: bool = True) -> list[dict]:
    """Sway Order objects, each with its ``executions``: every execution report of the order,
    oldest first (``Runtime.order_reports``: the journal's, or a memory-only server's newest
    ``journal.reports_kept``)."""
    reports = rt.order_reports([o.order_id for o in orders])
    return [M.order_out(e, o, reports.get(o.order_id), with_links) for o in orders]


async def open_orders(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"orders": [Order...]}`` of the account's open orders (with ``links``), ``ETag``."""
    with rt.read() as e:
        _account(e, p, account)
        orders = _open(e, account)
        body = {"orders": _orders_body(rt, e, orders)}
        tag = _account_etag(e, [account])
    return etag_response(request, body, tag)


async def open_orders_many(request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``GET /accounts/orders?accounts=a,b``: open orders of several accounts, one ETag."""
    with rt.read() as e:
        accounts = _accounts_param(e, p, dict(request.query_params))
        orders = [o for a in accounts for o in _open(e, a)]
        body = {"orders": _orders_body(rt, e, orders)}
        tag = _account_etag(e, accounts)
    return etag_response(request, body, tag)


async def history(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """Historic orders (working and final) of the account, filtered and paged (section 3.4,
    ``history.select``); ``ETag`` of the answer."""
    params = await H.params_of(request)
    with rt.read() as e:
        _account(e, p, account)
        body = _history(rt, e, [account], params)
    return etag_response(request, body)


async def history_many(request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``.../orders/history?accounts=a,b``: the history of several accounts, one ``ETag``."""
    params = await H.params_of(request)
    with rt.read() as e:
        accounts = _accounts_param(e, p, params)
        body = _history(rt, e, accounts, params)
    return etag_response(request, body)


def _history(rt, e, accounts: list[str], params: dict) -> dict:
    """``{"orders": [...], "nextPageTransactionTime"?}`` (section 3.8)."""
    chunk, after = H.select(e, accounts, params)
    body: dict = {"orders": _orders_body(rt, e, chunk, with_links=False)}
    if after is not None:
        body["nextPageTransactionTime"] = M.ts(after.ts_updated)
    return body


async def positions(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"positions": [Position...]}``: the account's non-zero net positions; ``ETag``."""
    with rt.read() as e:
        _account(e, p, account)
        body = {"positions": _positions(e, account)}
    return etag_response(request, body)


def _positions(e, account: str) -> list[dict]:
    a = e.accounts[account]
    out = []
    for sym in sorted(a.positions):
        pos = a.positions[sym]
        inst = e.instruments.find(sym)
        if pos.qty and inst is not None:
            out.append(M.position_wire(a, pos, inst))
    return out


async def portfolio(account: str, request: Request, rt: RuntimeDep, p: SessionDep) -> Response:
    """``{"portfolios": [{account, balances, positions, orders}]}``; ``ETag``."""
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
    return etag_response(request, body)
