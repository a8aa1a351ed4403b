"""TradeStation order commands through the runtime: place (with OSOs), groups, cancel,
cancel/replace, confirm (wire-formats.md 1.4-1.8; seeds 000 and 001).

Invariants:
- every change goes through ``Runtime.execute`` / ``execute_once`` (journaled, durable before
  the answer); ``OrderConfirmId`` is an idempotency key in scope ``tradestation:<account>``:
  a repeated one answers the first Order Result and creates nothing.
- a request the engine refuses as malformed is a 400 ``{"Message", "StatusCode"}`` and changed
  nothing; an order it refuses for session, risk or matching reasons got an order id and
  answers HTTP 200 with ``OrderStatus: "Failed"`` and the seed's text (section 1.6).
- a group is one engine command (all members or none). When the engine refuses a group for a
  session rule, the members are answered one by one as TradeStation does ("the execution system
  treats each member as an individual order"): each member the session rules refuse on its own
  is sent alone (the engine refuses it too, giving it an order id and its own reason: seed
  000's BRK at 16:05), and the others answer Failed without an id (nothing was placed). Any
  other refusal of a well-formed group (risk, position) answers 200 too: the member at fault
  Failed with its reason, the others Failed "another order of the group failed", no ids. A
  malformed group (a build failure) stays a 400.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, localcontext

from condor.api.dialects.tradestation import detail
from condor.api.dialects.tradestation import errors as E
from condor.api.dialects.tradestation.errors import TSError, bad
from condor.api.dialects.tradestation.mapping import (
    ORD_TYPES,
    Parsed,
    _advanced,
    _convert,
    _decimal,
    _missing,
    _stop,
    _trail,
    group_plan,
    parse_group,
    parse_order,
)
from condor.api.dialects.tradestation.schemas import ReplaceIn
from condor.api.dialects.tradestation.wire import lower_keys
from condor.api.errors import ApiError
from condor.domain.errors import DomainError
from condor.domain.groups.commands import CreateGroup
from condor.domain.orders import commands as C
from condor.domain.orders.enums import OrdType
from condor.domain.orders.events import ExecutionReport
from condor.domain.orders.group_events import GroupUpdated
from condor.engine.admission import TO_MARKET_FROM, check_session, validate_submit

_TAG = "#order_id="
_SESSION_PREFIX = "session."


def may_trade(p):
    return lambda account: p.may_trade and p.may_see(account)


def scope(account: str) -> str:
    return f"tradestation:{account}"


def _tag_order_id(rt):
    """``field_map`` for a SubmitOrder: it runs right after a refused command, while the
    engine's ``order_seq`` is the id the refusal used, and keeps that id with the error (and
    with an OrderConfirmId's stored answer)."""
    return lambda f: f"{f or ''}{_TAG}{rt.engine.order_seq}"


def _refused(err: ApiError) -> dict:
    """An engine refusal of one order: Failed Order Result, or raise TSError (400/503)."""
    if err.status >= 500:
        raise TSError(err.status, err.detail)
    field = err.field or ""
    if _TAG not in field or E.is_build_failure(err.reason):
        raise E.from_api_error(err)
    oid = field.rpartition(_TAG)[2]
    return detail.failed(oid, E.failed_text(err.reason, err.detail))


# -- place ----------------------------------------------------------------------------------
def _parse_order(rt, p, body) -> Parsed:
    with rt.read() as e:
        return parse_order(lower_keys(body), e.instruments, may_trade(p), rt.now_ns())


async def place(rt, p, body) -> list[dict]:
    """``POST /v2/orders``: a list of Order Results (one per order, OSOs included)."""
    parsed = _parse_order(rt, p, body)
    if parsed.has_osos:
        return await _group(rt, p, "NORMAL", [parsed])
    return [await _submit_one(rt, p, parsed)]


async def _submit_one(rt, p, parsed: Parsed) -> dict:
    cmd = parsed.cmd._replace(owner=p.username)

    def answer(e, events) -> dict:
        oid = next(ev.order_id for ev in events if type(ev) is ExecutionReport)
        return detail.ok(oid, parsed.summary)

    try:
        if parsed.confirm_id is not None:
            key = (scope(cmd.account), parsed.confirm_id)
            out = await rt.execute_once(cmd, key, answer, field_map=_tag_order_id(rt))
            return out.value
        return await rt.execute(cmd, answer, field_map=_tag_order_id(rt))
    except ApiError as err:
        return _refused(err)


async def place_group(rt, p, body) -> list[dict]:
    """``POST /v2/orders/groups``: one Order Result per order (depth first with OSOs)."""
    with rt.read() as e:
        raw = lower_keys(body)
        kind, orders = parse_group(raw, e.instruments, may_trade(p), rt.now_ns())
    if kind == "NORMAL":
        out: list[dict] = []
        for o in orders:
            if o.has_osos:
                out.extend(await _group(rt, p, "NORMAL", [o]))
            else:
                out.append(await _submit_one(rt, p, o))
        return out
    return await _group(rt, p, kind, orders)


async def _group(rt, p, kind: str, orders: list[Parsed]) -> list[dict]:
    flat = [x for top in orders for x in top.walk()]
    if any(x.cmd.activation is not None for x in flat):
        raise bad(E.BUILD + "activation rules are supported on single orders only")
    gkind, members, rules, validators = group_plan(kind, orders, p.username)
    cmd = CreateGroup(gkind, members, rules, validators, owner=p.username)

    def answer(e, events) -> list[dict]:
        g = next(ev for ev in events if type(ev) is GroupUpdated and ev.change == "created")
        return [detail.ok(oid, x.summary) for oid, x in zip(g.members, flat, strict=True)]

    try:
        first = orders[0].confirm_id
        if first is not None:
            key = (scope(orders[0].cmd.account), f"group:{first}")
            return (await rt.execute_once(cmd, key, answer)).value
        return await rt.execute(cmd, answer)
    except ApiError as err:
        if err.status >= 500 or err.status in (401, 403) or E.is_build_failure(err.reason):
            raise E.from_api_error(err) from None
        if str(err.reason or "").startswith(_SESSION_PREFIX):
            return await _members_alone(rt, p, flat)
        return _members_failed(flat, err)


_MEMBER = re.compile(r"members\[(\d+)\]")
_MEMBER_TEXT = re.compile(r"^member \d+: ")


def _members_failed(flat: list[Parsed], err: ApiError) -> list[dict]:
    """A group the engine refused for one member's risk or state check (funds, position,
    liquidity...), answered member by member (section 1.6, HTTP 200): that member Failed with
    its reason, the others Failed with ``GROUP_NOT_PLACED``; no id (nothing was placed). A
    refusal naming no member fails every member with its reason."""
    m = _MEMBER.search(err.field or "")
    bad_i = int(m.group(1)) if m is not None else None
    reason = E.failed_text(err.reason, _MEMBER_TEXT.sub("", err.detail))
    return [
        detail.failed("", reason if bad_i in (None, i) else E.GROUP_NOT_PLACED)
        for i in range(len(flat))
    ]


async def _members_alone(rt, p, flat: list[Parsed]) -> list[dict]:
    """The members of a group the session rules refused, answered one by one (module doc)."""
    with rt.read() as e:
        alone = []
        for x in flat:
            v = e.venues[x.cmd.symbol]
            try:
                check_session(x.cmd, v.phase if v.schedule is not None else None)
                alone.append(False)
            except DomainError:
                alone.append(True)
    out = []
    for x, refused in zip(flat, alone, strict=True):
        if refused:
            out.append(await _submit_one(rt, p, Parsed(x.cmd, x.inst, x.summary, None, "", "")))
        else:
            out.append(detail.failed("", E.GROUP_NOT_PLACED))
    return out


# -- cancel and replace ------------------------------------------------------------------
def _open_order(rt, p, order_id: str):
    try:
        oid = int(str(order_id).strip())
    except ValueError:
        raise bad(E.INVALID_ORDER_ID) from None
    with rt.read():
        o = rt.order(oid)
        if o is None or not p.may_see(o.account):
            raise bad(E.INVALID_ORDER_ID)
        if o.status.is_terminal:
            raise bad(E.NOT_OPEN)
    if not p.may_trade:
        raise TSError(401, E.NOT_AUTHORIZED_ACCOUNT)
    return o


async def cancel(rt, p, order_id: str) -> dict:
    """``DELETE /v2/orders/{id}``: ``{"Message": null, "OrderID", "OrderStatus": "Ok"}``;
    400 "Invalid order ID." / "Not an open order."."""
    o = _open_order(rt, p, order_id)
    try:
        await rt.execute(C.CancelOrder(o.order_id, o.account))
    except ApiError as err:
        raise E.from_api_error(err) from None
    return {"Message": None, "OrderID": str(o.order_id), "OrderStatus": "Ok"}


_WIRE_TYPE = {
    OrdType.MARKET: OrdType.MARKET,
    OrdType.LIMIT: OrdType.LIMIT,
    OrdType.STOP_MARKET: OrdType.STOP_MARKET,
    OrdType.STOP_LIMIT: OrdType.STOP_LIMIT,
    OrdType.TRAILING_STOP_MARKET: OrdType.STOP_MARKET,
}


def _lots(o, r: ReplaceIn) -> int:
    """The replace body's Quantity in lots of ``o``'s instrument; TSError "Failed to build
    order: Invalid quantity" when it is not a positive number on the lot grid."""
    qty = _decimal(r.quantity)
    if qty is None or qty <= 0:
        raise bad(E.BUILD + "Invalid quantity")
    return _convert(o.inst.qty_to_lots, qty, "Invalid quantity")


def _amendment(o, r: ReplaceIn) -> tuple[int, int | None, int | None, int | None]:
    """A replace body -> (lots, limit ticks, stop ticks, trail offset) for order ``o``; the
    same messages as placing (section 1.10): "Missing order limit price.", "Invalid limit
    price." (also off the tick), "Failed to build order: Invalid quantity" / "Invalid stop
    price", the trailing stop messages. Raises TSError."""
    inst = o.inst
    lots = _lots(o, r)
    price = stop = trail = None
    if o.ord_type.has_limit:
        if _missing(r.limitprice):
            raise bad(E.MISSING_LIMIT)
        d = _decimal(r.limitprice)
        if d is None or d <= 0:
            raise bad(E.INVALID_LIMIT)
        price = _convert(inst.price_to_ticks, d, None, E.INVALID_LIMIT)
    if o.ord_type in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT) and not _missing(r.stopprice):
        stop = _stop(r.stopprice, inst)
    adv = _advanced(r.advancedoptions)
    if adv.trailingstop is not None:
        spec, _ = _trail(adv.trailingstop, OrdType.STOP_MARKET, inst)
        if o.trail is None or spec.kind is not o.trail.kind:
            raise bad(E.TRAIL_STOP_ONLY)
        trail = spec.offset
    return lots, price, stop, trail


async def replace(rt, p, order_id: str, body) -> dict:
    """``PUT /v2/orders/{id}`` (section 1.8): amend quantity and prices in place (same id);
    a trailing stop: quantity and trail amount; a Limit, StopMarket or StopLimit order may
    become a Market order (``OrderType`` Market; its prices are ignored, as the sample sends
    ``LimitPrice`` "" or "0.00"). Answers ``"Cancel/Replace order sent."``."""
    raw = lower_keys(body)
    if not isinstance(raw, dict):
        raise bad(E.INVALID_INPUT)
    r = ReplaceIn.model_validate(raw)
    o = _open_order(rt, p, order_id)
    if not _missing(r.accountkey) and str(r.accountkey).strip() != o.account:
        raise bad(E.INVALID_ACCOUNT)
    if _missing(r.ordertype):
        raise bad(E.MISSING_TYPE)
    if _missing(r.quantity):
        raise bad(E.MISSING_QTY)
    ot = ORD_TYPES.get(str(r.ordertype).strip().lower())
    if ot is None:
        raise bad(E.INVALID_ORDER_TYPE)
    if ot[0] is OrdType.MARKET and o.ord_type in TO_MARKET_FROM:
        cmd = C.ModifyOrder(o.order_id, _lots(o, r), account=o.account, ord_type=OrdType.MARKET)
    elif ot[0] is not _WIRE_TYPE.get(o.ord_type):
        raise bad(E.BUILD + f"cannot change a {o.ord_type.value} order into {ot[1]}")
    else:
        lots, price, stop, trail = _amendment(o, r)
        cmd = C.ModifyOrder(o.order_id, lots, price, stop, None, trail, o.account)
    try:
        await rt.execute(cmd)
    except ApiError as err:
        raise E.from_api_error(err) from None
    return {
        "Message": "Cancel/Replace order sent.",
        "OrderID": str(o.order_id),
        "OrderStatus": "Ok",
    }


# -- confirm --------------------------------------------------------------------------------
def _estimate(e, x: Parsed) -> dict:
    inst = x.inst
    cmd = x.cmd
    try:
        validate_submit(cmd, inst, e.clock.now_ns())
    except DomainError as err:
        raise bad(E.BUILD + err.text) from None
    ticks = cmd.price if cmd.price is not None else cmd.stop_price
    if ticks is None:
        ext = e.venues[cmd.symbol].ext
        ticks = (ext.ask if cmd.side.is_buy else ext.bid) or ext.last
    px = inst.ticks_to_price(ticks) if ticks is not None else Decimal(0)
    with localcontext(prec=80):  # no overflow of the 28-digit default for a big estimate
        cost = (px * inst.lots_to_qty(cmd.qty) * inst.multiplier).quantize(Decimal("0.01"))
    return {
        "Route": "Intelligent",
        "Duration": x.duration,
        "Account": cmd.account,
        "SummaryMessage": x.summary,
        "OrderConfirmId": x.confirm_id or secrets.token_urlsafe(16)[:22],
        "EstimatedPrice": px,
        "EstimatedPriceDisplay": format(px, "f"),
        "EstimatedCost": cost,
        "EstimatedCostDisplay": f"{cost:,.2f}",
        "EstimatedCommission": Decimal("0.00"),
        "EstimatedCommissionDisplay": "0.00",
    }


def confirm(rt, p, body) -> list[dict]:
    """``POST /v2/orders/confirm``: estimates, one per order (OSOs included); places nothing."""
    parsed = _parse_order(rt, p, body)
    with rt.read() as e:
        return [_estimate(e, x) for x in parsed.walk()]


def confirm_group(rt, p, body) -> list[dict]:
    """``POST /v2/orders/groups/confirm``: estimates for every order of a group."""
    with rt.read() as e:
        _, orders = parse_group(lower_keys(body), e.instruments, may_trade(p), rt.now_ns())
        return [_estimate(e, x) for top in orders for x in top.walk()]
