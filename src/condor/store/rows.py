"""Read-model rows: the current state of orders, groups, positions and accounts as table rows.

Invariant: a row is a pure function of the engine object it describes, so rows written after a
batch and rows computed from a fresh replay of the journal are equal exactly when the states
are equal (``check.py`` relies on it). Cash amounts (1e-10 units) are decimal text because they
may exceed 64 bits; JSON detail columns are sorted-key JSON text.
"""

from __future__ import annotations

import json

import orjson

from condor.domain.accounts.account import Account, Position
from condor.domain.groups.model import Group, GroupStatus, Member, Rule, RuleAction, RuleEvent
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.enums import (
    OrdStatus,
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.orders.order import Order, TrailState


def _json(d) -> str:
    """Sorted-key compact JSON, ASCII only (the text ``json.dumps(d, sort_keys=True,
    separators=(",", ":"))`` gives; orjson first, the same bytes when they are ASCII)."""
    try:
        b = orjson.dumps(d, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an int beyond 64 bits
        b = None
    if b is not None and b.isascii():
        return b.decode()
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


def _ev(x):
    return None if x is None else x.value


def order_row(o: Order) -> dict:
    detail = {
        "expire_ns": o.expire_ns,
        "extended": o.extended,
        "display_qty": o.display_qty,
        "visible": o.visible,
        "basis": _ev(o.basis),
        "strict": o.strict,
        "condition": _ev(o.condition),
        "trail": o.trail.as_dict() if o.trail is not None else None,
        "position_effect": _ev(o.position_effect),
        "text": o.text,
        "hold_cash": o.hold_cash,
        "hold_pos": o.hold_pos,
        # the priority number comes from a process-wide counter (Matching._prio), so only
        # whether the order has time priority in the book is state
        "queued": bool(o.priority),
        "triggered": o.triggered,
        "activated": o.activated,
        "groups": list(o.groups) if o.groups else None,
        "cmd_id": o.cmd_id,
        "price_offset": o.price_offset,
        "post_only": o.post_only,
        "orig_order_id": o.orig_order_id,
    }
    return {
        "order_id": o.order_id,
        "account": o.account,
        "symbol": o.inst.symbol,
        "cl_ord_id": o.cl_ord_id,
        "side": o.side.value,
        "ord_type": o.ord_type.value,
        "tif": o.tif.value,
        "status": o.status.value,
        "qty": o.qty,
        "cum_qty": o.cum_qty,
        "cum_cost": str(o.cum_cost),  # may exceed 64 bits (schema.orders)
        "price": o.price,
        "stop_price": o.stop_price,
        "water": o.trail.water if o.trail is not None else None,
        "owner": o.owner,
        "ts_created": o.ts_created,
        "ts_updated": o.ts_updated,
        "detail": _json(detail),
    }


def _enum(cls, v):
    return None if v is None else cls(v)


def order_from_row(row, instruments) -> Order:
    """The ``Order`` an ``order_row`` describes (the inverse of ``order_row`` for a finished
    order: ``order_row(order_from_row(order_row(o), r)) == order_row(o)``), for readers of
    orders the engine no longer keeps in memory (``engine/retention.py``). ``row``: a mapping
    with the ``orders`` table's columns; ``instruments``: the registry (``get(symbol)``).
    Raises KeyError / DomainError for an instrument that is not configured. The order is a
    detached copy: changing it changes nothing in the engine."""
    d = orjson.loads(row["detail"])
    t = d.get("trail")
    trail = None
    if t is not None:
        trail = TrailState(
            TrailKind(t["kind"]), t["offset"], t["activation"], t["limit_offset"], t["water"]
        )
    o = Order(
        order_id=row["order_id"],
        account=row["account"],
        inst=instruments.get(row["symbol"]),
        side=Side(row["side"]),
        ord_type=OrdType(row["ord_type"]),
        qty=row["qty"],
        tif=TimeInForce(row["tif"]),
        price=row["price"],
        stop_price=row["stop_price"],
        cl_ord_id=row["cl_ord_id"],
        expire_ns=d.get("expire_ns"),
        extended=d.get("extended", False),
        display_qty=d.get("display_qty"),
        basis=_enum(TriggerBasis, d.get("basis")),
        strict=d.get("strict", False),
        condition=_enum(TriggerCondition, d.get("condition")),
        trail=trail,
        position_effect=_enum(PositionEffect, d.get("position_effect")),
        owner=row["owner"],
        text=d.get("text"),
        ts=row["ts_created"],
        cmd_id=d.get("cmd_id", 0),
        price_offset=d.get("price_offset"),
        post_only=d.get("post_only", False),
        orig_order_id=d.get("orig_order_id"),
    )
    o.status = OrdStatus(row["status"])
    o.cum_qty, o.cum_cost = row["cum_qty"], int(row["cum_cost"])
    o.visible = d.get("visible", 0)
    o.hold_cash, o.hold_pos = d.get("hold_cash", 0), d.get("hold_pos", 0)
    o.priority = 1 if d.get("queued") else 0
    o.triggered = d.get("triggered", False)
    o.activated = d.get("activated", o.status is not OrdStatus.HELD)
    o.groups = list(d["groups"]) if d.get("groups") else None
    o.ts_updated = row["ts_updated"]
    return o


def group_from_row(row) -> Group:
    """The ``Group`` a ``group_row`` describes (its inverse: ``group_row(group_from_row(r)) ==
    r``), for readers of groups the engine no longer keeps (``engine/retention.py``); a
    detached copy. Raises ValueError / KeyError for a row this code cannot read."""
    d = orjson.loads(row["detail"])
    members = []
    for m in d["members"]:
        x = Member(m["order_id"], m["role"], m["base_qty"])
        x.released, x.was_released, x.active = m["released"], m["was_released"], m["active"]
        members.append(x)
    rules = tuple(_rule(r) for r in d["rules"])
    g = Group(row["group_id"], _kind(row["kind"]), members, rules, row["owner"],
              row["created_ns"], row["account"])  # fmt: skip
    g.status = GroupStatus(row["status"])
    g.closed_ns, g.version = row["closed_ns"], row["version"]
    return g


def _rule(r: dict) -> Rule:
    return Rule(
        RuleEvent(r["on"]),
        RuleAction(r["action"]),
        None if r["sources"] is None else tuple(r["sources"]),
        None if r["targets"] is None else tuple(r["targets"]),
        r["name"],
        r["closes"],
        r["when_filled"],
        r["requires_release"],
    )


def _kind(text: str):
    try:
        return GroupKind(text)
    except ValueError:
        return text


def group_row(g: Group) -> dict:
    d = g.as_dict()
    return {
        "group_id": g.group_id,
        "kind": g.kind.value if hasattr(g.kind, "value") else str(g.kind),
        "owner": g.owner,
        "account": g.account,
        "status": g.status.value,
        "created_ns": g.created_ns,
        "closed_ns": g.closed_ns,
        "version": g.version,
        "detail": _json({"members": d["members"], "rules": d["rules"]}),
    }


def position_row(account_id: str, p: Position) -> dict:
    return {
        "account": account_id,
        "symbol": p.symbol,
        "qty": p.qty,
        "cost": str(p.cost),
        "realized": str(p.realized),
        "held_long": p.held_long,
        "held_short": p.held_short,
    }


def account_row(a: Account) -> dict:
    return {
        "account_id": a.account_id,
        "owner": a.owner,
        "cash": _json({k: str(v) for k, v in a.cash.items()}),
        "held_cash": _json({k: str(v) for k, v in a.held_cash.items()}),
        "leverage": a.leverage,
        "position_based": a.position_based,
        "name": a.name,
    }


def all_rows(engine) -> dict[str, dict[tuple, dict]]:
    """Every read-model row of ``engine``, by table name and primary key."""
    out: dict[str, dict[tuple, dict]] = {
        "orders": {},
        "groups": {},
        "positions": {},
        "accounts": {},
    }
    for o in engine.orders.values():
        out["orders"][(o.order_id,)] = order_row(o)
    for g in engine.groups:
        out["groups"][(g.group_id,)] = group_row(g)
    for a in engine.accounts.values():
        out["accounts"][(a.account_id,)] = account_row(a)
        for p in a.positions.values():
            out["positions"][(a.account_id, p.symbol)] = position_row(a.account_id, p)
    return out


PRIMARY_KEYS = {
    "orders": ("order_id",),
    "groups": ("group_id",),
    "positions": ("account", "symbol"),
    "accounts": ("account_id",),
}
