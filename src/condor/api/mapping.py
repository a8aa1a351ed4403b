"""Translation between wire models and the domain: Decimal <-> ticks/lots, datetime <-> ns,
domain objects and events -> outbound models and stream messages.

Invariant: conversions never round: an off-grid price or quantity raises ``DomainError``
(PRICE_OFF_TICK / QTY_OFF_LOT) naming the wire field, which ``as_api_error`` turns into a 422.
Outbound Decimals are quantized to the instrument's grid; AvgPx carries 6 more places.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from condor.api import schemas as S
from condor.api.errors import ApiError
from condor.domain.accounts.account import Account
from condor.domain.errors import DomainError, RejectReason
from condor.domain.groups.commands import MemberSpec
from condor.domain.groups.model import Group, Rule
from condor.domain.instruments import Instrument
from condor.domain.orders import commands as C
from condor.domain.orders.enums import TrailKind
from condor.domain.orders.events import CommandRejected, ExecutionReport, TrailUpdated
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.orders.order import Order
from condor.domain.values import cash_to_decimal, plain

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
R = RejectReason


# -- time ---------------------------------------------------------------------------------
def ns_to_dt(ns: int) -> datetime:
    """UTC datetime of epoch ns (microsecond precision)."""
    return EPOCH + timedelta(microseconds=ns // 1000)


def dt_to_ns(dt: datetime) -> int:
    """Epoch ns of ``dt`` (naive = UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - EPOCH) // _US * 1000


def as_api_error(e: DomainError, prefix: str = "") -> ApiError:
    field = prefix + e.field if e.field is not None else (prefix.rstrip(".") or None)
    status = 404 if e.reason is R.UNKNOWN_INSTRUMENT and prefix == "path." else 422
    return ApiError(status, e.text, e.reason, field.removeprefix("path.") if field else None)


# -- inbound ------------------------------------------------------------------------------
def _px(inst: Instrument, v: Decimal | None, field: str) -> int | None:
    return None if v is None else inst.price_to_ticks(v, field)


def _lots(inst: Instrument, v: Decimal | None, field: str) -> int | None:
    return None if v is None else inst.qty_to_lots(v, field)


def trail_offset(inst: Instrument, kind: TrailKind, offset: Decimal, field: str) -> int:
    """Wire trailing offset -> engine units: ticks (Amount, Ticks) or ppm (Percent)."""
    if kind is TrailKind.AMOUNT:
        return inst.offset_to_ticks(offset, field)
    if kind is TrailKind.TICKS:
        if offset != offset.to_integral_value() or offset <= 0:
            raise DomainError(R.INVALID_FIELD, "tick offset must be a positive integer", field)
        return int(offset)
    ppm = offset * 10_000
    if ppm != ppm.to_integral_value() or ppm <= 0:
        raise DomainError(R.INVALID_FIELD, "percent offset: at most 4 decimal places", field)
    return int(ppm)


def to_submit(o: S.OrderIn, inst: Instrument, owner: str | None) -> C.SubmitOrder:
    """OrderIn -> SubmitOrder. Raises DomainError naming the wire field."""
    trail = None
    if o.trail is not None:
        t = o.trail
        lim = None
        if t.limit_offset is not None:
            lim = inst.price_to_ticks(t.limit_offset, "trail.limit_offset")
        trail = C.TrailSpec(
            t.kind,
            trail_offset(inst, t.kind, t.offset, "trail.offset"),
            _px(inst, t.activation, "trail.activation"),
            lim,
        )
    return C.SubmitOrder(
        account=o.account,
        symbol=o.symbol,
        side=o.side,
        ord_type=o.ord_type,
        qty=inst.qty_to_lots(o.quantity, "quantity"),
        price=_px(inst, o.price, "price"),
        stop_price=_px(inst, o.stop_price, "stop_price"),
        tif=o.time_in_force,
        expire_ns=dt_to_ns(o.expire_time) if o.expire_time is not None else None,
        extended=o.extended,
        post_only=o.post_only,
        display_qty=_lots(inst, o.display_qty, "display_qty"),
        cl_ord_id=o.cl_ord_id,
        trail=trail,
        basis=o.basis,
        condition=o.condition,
        activate=o.activate,
        position_effect=o.position_effect,
        owner=owner,
        text=o.text,
    )


def to_modify(o: Order, m: S.ModifyIn) -> C.ModifyOrder:
    inst = o.inst
    off = None
    if m.trail_offset is not None:
        if o.trail is None:
            raise DomainError(R.INVALID_FIELD, "order has no trailing offset", "trail_offset")
        off = trail_offset(inst, o.trail.kind, m.trail_offset, "trail_offset")
    return C.ModifyOrder(
        order_id=o.order_id,
        qty=_lots(inst, m.quantity, "quantity"),
        price=_px(inst, m.price, "price"),
        stop_price=_px(inst, m.stop_price, "stop_price"),
        display_qty=_lots(inst, m.display_qty, "display_qty"),
        trail_offset=off,
        account=o.account,
    )


def to_replace(o: Order, r: S.ReplaceIn) -> C.ReplaceOrder:
    inst = o.inst
    return C.ReplaceOrder(
        order_id=o.order_id,
        qty=_lots(inst, r.quantity, "quantity"),
        price=_px(inst, r.price, "price"),
        stop_price=_px(inst, r.stop_price, "stop_price"),
        cl_ord_id=r.cl_ord_id,
        account=o.account,
        activate=r.activate,
    )


def to_rules(rules: list[S.RuleIn] | None) -> tuple[Rule, ...] | None:
    if rules is None:
        return None
    return tuple(
        Rule(
            r.on,
            r.action,
            tuple(r.sources) if r.sources is not None else None,
            tuple(r.targets) if r.targets is not None else None,
            r.name,
            r.closes,
            r.when_filled,
            r.requires_release,
        )
        for r in rules
    )


def to_members(members: list[S.MemberIn], registry, owner: str | None) -> tuple[MemberSpec, ...]:
    """Wire members -> MemberSpecs. Raises ApiError 422 naming ``members[i].order.<field>``."""
    out = []
    for i, m in enumerate(members):
        if m.order is None:
            out.append(MemberSpec(order_id=m.order_id, role=m.role))
            continue
        prefix = f"members[{i}].order."
        try:
            inst = registry.get(m.order.symbol)
            out.append(MemberSpec(order=to_submit(m.order, inst, owner), role=m.role))
        except DomainError as e:
            raise as_api_error(e, prefix) from None
    return tuple(out)


def group_field(field: str | None) -> str | None:
    """Engine field ``members[i].price`` -> wire ``members[i].order.price``."""
    if field and field.startswith("members[") and "]." in field:
        head, rest = field.split("].", 1)
        return f"{head}].order.{rest}"
    return field


# -- outbound -----------------------------------------------------------------------------
def _p(inst: Instrument, ticks: int | None) -> Decimal | None:
    return None if ticks is None else inst.ticks_to_price(ticks)


def _q(inst: Instrument, lots: int | None) -> Decimal | None:
    return None if lots is None else inst.lots_to_qty(lots)


def avg_price(inst: Instrument, cost_ticks_lots: int, lots: int) -> Decimal | None:
    if lots <= 0:
        return None
    exp = Decimal(1).scaleb(-(inst.price_precision + 6))
    return plain((inst.tick_size * cost_ticks_lots / lots).quantize(exp))


def order_out(o: Order) -> S.OrderOut:
    inst = o.inst
    t = o.trail
    trail = None
    if t is not None:
        off = (
            Decimal(t.offset) / 10_000
            if t.kind is TrailKind.PERCENT
            else (Decimal(t.offset) if t.kind is TrailKind.TICKS else inst.ticks_to_price(t.offset))
        )
        trail = S.TrailOut(
            kind=t.kind,
            offset=off,
            activation=_p(inst, t.activation),
            limit_offset=_p(inst, t.limit_offset),
            water=_p(inst, t.water),
        )
    return S.OrderOut(
        order_id=o.order_id,
        cl_ord_id=o.cl_ord_id,
        account=o.account,
        owner=o.owner,
        symbol=inst.symbol,
        side=o.side,
        ord_type=o.ord_type,
        time_in_force=o.tif,
        status=o.status,
        quantity=inst.lots_to_qty(o.qty),
        filled_quantity=inst.lots_to_qty(o.cum_qty),
        leaves_quantity=inst.lots_to_qty(o.leaves_qty),
        price=_p(inst, o.price),
        stop_price=_p(inst, o.stop_price),
        avg_price=avg_price(inst, o.cum_cost, o.cum_qty),
        display_qty=_q(inst, o.display_qty),
        expire_time=ns_to_dt(o.expire_ns) if o.expire_ns is not None else None,
        extended=o.extended,
        post_only=o.post_only,
        trail=trail,
        groups=list(o.groups or ()),
        text=o.text,
        created_at=ns_to_dt(o.ts_created),
        updated_at=ns_to_dt(o.ts_updated),
    )


def group_out(g: Group, engine, with_orders: bool = True, orders_by_id=None) -> S.GroupOut:
    """``g`` as the API shows it; member orders from ``orders_by_id`` (default: the engine's
    orders; a forgotten group comes with detached copies, see ``Runtime.group``)."""
    by_id = engine.orders if orders_by_id is None else orders_by_id
    members = []
    orders = []
    for m in g.members:
        o = by_id.get(m.order_id)
        inst = o.inst if o is not None else None
        members.append(
            S.MemberOut(
                order_id=m.order_id,
                role=m.role,
                base_quantity=inst.lots_to_qty(m.base_qty) if inst else Decimal(m.base_qty),
                released=inst.lots_to_qty(m.released) if inst else Decimal(m.released),
                active=m.active,
            )
        )
        if with_orders and o is not None:
            orders.append(order_out(o))
    return S.GroupOut(
        group_id=g.group_id,
        kind=g.kind,
        status=g.status,
        owner=g.owner,
        account=g.account,
        members=members,
        rules=[r.as_dict() for r in g.rules],
        created_at=ns_to_dt(g.created_ns),
        closed_at=ns_to_dt(g.closed_ns) if g.closed_ns is not None else None,
        version=g.version,
        orders=orders,
    )


def instrument_out(i: Instrument) -> S.InstrumentOut:
    return S.InstrumentOut(
        symbol=i.symbol, instrument_id=i.instrument_id, asset_class=i.asset_class.value,
        venue=i.venue, board=i.board, tick_size=i.tick_size, lot_size=i.lot_size,
        multiplier=i.multiplier, currency=i.currency, calendar=i.calendar,
        has_trades=i.has_trades, description=i.description,
    )  # fmt: skip


def balances_out(a: Account) -> list[S.BalanceOut]:
    out = []
    for ccy in sorted(set(a.cash) | set(a.held_cash)):
        cash = a.cash.get(ccy, 0)
        held = a.held_cash.get(ccy, 0)
        out.append(
            S.BalanceOut(
                currency=ccy,
                cash=cash_to_decimal(cash),
                held=cash_to_decimal(held),
                available=cash_to_decimal(cash - held),
            )
        )
    return out


def account_out(a: Account) -> S.AccountOut:
    return S.AccountOut(
        account_id=a.account_id, owner=a.owner, name=a.name, leverage=a.leverage,
        balances=balances_out(a),
    )  # fmt: skip


def position_out(a: Account, p, inst: Instrument) -> S.PositionOut:
    avg = None
    if p.qty:
        avg = cash_to_decimal(abs(p.cost)) / (inst.lots_to_qty(abs(p.qty)) * inst.multiplier)
        exp = Decimal(1).scaleb(-(inst.price_precision + 6))
        avg = plain(avg.quantize(exp))
    return S.PositionOut(
        account=a.account_id,
        symbol=p.symbol,
        quantity=inst.lots_to_qty(p.qty),
        avg_price=avg,
        cost=cash_to_decimal(p.cost),
        realized_pnl=cash_to_decimal(p.realized),
        held_long=inst.lots_to_qty(p.held_long),
        held_short=inst.lots_to_qty(p.held_short),
    )


def execution_out(r: ExecutionReport, inst: Instrument) -> S.ExecutionOut:
    return S.ExecutionOut(
        seq=r.seq, ts=ns_to_dt(r.ts_ns), order_id=r.order_id, cl_ord_id=r.cl_ord_id,
        account=r.account, symbol=r.symbol, side=r.side,
        quantity=inst.lots_to_qty(r.last_qty), price=inst.ticks_to_price(r.last_px),
        trade_id=r.trade_id, liquidity=r.liquidity,
    )  # fmt: skip


def cause_out(cause: dict | None, inst: Instrument | None) -> dict | None:
    """A shallow cause with market prices in Decimal strings."""
    if cause is None:
        return None
    c = dict(cause)
    m = c.get("market")
    if m is not None and inst is not None:
        m = dict(m)
        for k in ("bid", "ask", "price"):
            if m.get(k) is not None:
                m[k] = str(inst.ticks_to_price(m[k]))
        for k in ("bid_size", "ask_size", "size"):
            if m.get(k) is not None:
                m[k] = str(inst.lots_to_qty(m[k]))
        if "ts_ns" in m:
            m["ts"] = ns_to_dt(m["ts_ns"]).isoformat()
        c["market"] = m
    return c


def explain_out(order: Order, steps: list[dict]) -> S.ExplainOut:
    inst = order.inst
    return S.ExplainOut(
        order_id=order.order_id,
        steps=[
            S.ExplainStepOut(
                seq=s["seq"],
                ts=ns_to_dt(s["ts_ns"]),
                order_id=s["order_id"],
                exec_type=s["exec_type"],
                ord_status=s["ord_status"],
                last_qty=inst.lots_to_qty(s["last_qty"]),
                last_px=_p(inst, s["last_px"]),
                cause=cause_out(s["cause"], inst),
                text=s["text"],
            )
            for s in steps
        ],
    )


# -- stream -------------------------------------------------------------------------------
def _report_data(r: ExecutionReport, inst: Instrument) -> dict:
    return {
        "event_seq": r.seq,
        "ts": ns_to_dt(r.ts_ns).isoformat(),
        "exec_type": r.exec_type.value,
        "order_id": r.order_id,
        "cl_ord_id": r.cl_ord_id,
        "account": r.account,
        "symbol": r.symbol,
        "side": r.side.value,
        "ord_type": r.ord_type.value,
        "time_in_force": r.tif.value,
        "status": r.ord_status.value,
        "quantity": str(inst.lots_to_qty(r.order_qty)),
        "price": _s(_p(inst, r.price)),
        "stop_price": _s(_p(inst, r.stop_price)),
        "filled_quantity": str(inst.lots_to_qty(r.cum_qty)),
        "leaves_quantity": str(inst.lots_to_qty(r.leaves_qty)),
        "avg_price": _s(avg_price(inst, r.cum_cost, r.cum_qty)),
        "last_qty": str(inst.lots_to_qty(r.last_qty)),
        "last_px": _s(_p(inst, r.last_px)),
        "trade_id": r.trade_id,
        "liquidity": r.liquidity,
        "reason": r.reason.value if r.reason is not None else None,
        "text": r.text,
        "orig_order_id": r.orig_order_id,
        "cause": cause_out(r.cause.shallow(), inst) if r.cause is not None else None,
    }


def _s(v) -> str | None:
    return None if v is None else str(v)


def stream_messages(ev, engine) -> list[tuple[str, frozenset[str] | None, str | None, dict]]:
    """Stream messages for one engine event: ``(type, accounts, owner, data)``; a message is
    visible to a caller who may see any of ``accounts`` or who is ``owner`` (both None:
    Operators only)."""
    t = type(ev)
    if t is ExecutionReport:
        inst = engine.instruments.get(ev.symbol)
        acc = frozenset((ev.account,))
        data = _report_data(ev, inst)
        out = [("order", acc, None, data)]
        if ev.last_qty:
            out.append(("execution", acc, None, execution_out(ev, inst).model_dump(mode="json")))
        return out
    if t is TrailUpdated:
        inst = engine.instruments.get(ev.symbol)
        return [
            (
                "trail",
                frozenset((ev.account,)),
                None,
                {
                    "event_seq": ev.seq,
                    "ts": ns_to_dt(ev.ts_ns).isoformat(),
                    "order_id": ev.order_id,
                    "account": ev.account,
                    "symbol": ev.symbol,
                    "water": str(inst.ticks_to_price(ev.water)),
                    "stop_price": str(inst.ticks_to_price(ev.stop_price)),
                },
            )
        ]
    if t is GroupUpdated:
        accounts = frozenset(
            engine.orders[oid].account for oid in ev.members if oid in engine.orders
        )
        g = engine.groups.get(ev.group_id)
        if g is not None:
            accounts |= {
                engine.orders[m.order_id].account for m in g.members if m.order_id in engine.orders
            }
        return [
            (
                "group",
                accounts,
                ev.owner,
                {
                    "event_seq": ev.seq,
                    "ts": ns_to_dt(ev.ts_ns).isoformat(),
                    "group_id": ev.group_id,
                    "kind": ev.kind,
                    "change": ev.change,
                    "status": ev.status,
                    "owner": ev.owner,
                    "members": list(ev.members),
                    "removed": ev.removed,
                },
            )
        ]
    if t is CommandRejected:
        acc = frozenset((ev.account,)) if ev.account is not None else None
        return [
            (
                "rejected",
                acc,
                None,
                {
                    "event_seq": ev.seq,
                    "ts": ns_to_dt(ev.ts_ns).isoformat(),
                    "command": ev.command,
                    "reason": ev.reason.value,
                    "field": ev.field,
                    "text": ev.text,
                    "account": ev.account,
                    "order_id": ev.order_id,
                    "cl_ord_id": ev.cl_ord_id,
                },
            )
        ]
    return []


def position_message(a: Account, symbol: str, engine) -> dict:
    inst = engine.instruments.get(symbol)
    return position_out(a, a.position(symbol), inst).model_dump(mode="json")


def market_message(engine, symbol: str) -> dict:
    return market_out(engine, symbol).model_dump(mode="json")


def market_out(engine, symbol: str) -> S.MarketDataOut:
    v = engine.venues[symbol]
    inst = v.inst
    ext = v.ext
    bb, ba = v.book.top()
    return S.MarketDataOut(
        symbol=symbol,
        bid=_p(inst, ext.bid),
        ask=_p(inst, ext.ask),
        bid_size=_q(inst, ext.bid_size),
        ask_size=_q(inst, ext.ask_size),
        last=_p(inst, ext.last),
        last_size=_q(inst, ext.last_size),
        book_bid=_p(inst, bb),
        book_ask=_p(inst, ba),
        session=v.phase.value,
        ts=ns_to_dt(ext.ts_ns) if ext.ts_ns else None,
    )
