"""``/api/v1/groups``: order lists and contingent groups: submit with new orders (named kind
or explicit rules), create over existing orders, get, list, edit, delete.

Invariant: a caller sees a group it owns or whose members are all on accounts it may see
(Operators see all); every existing order named as a member must be visible to the caller, and
every new order must be on an account it may trade, before the engine is asked anything.
"""

from __future__ import annotations

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.auth import Principal
from condor.api.deps import Limit, RuntimeDep, UserDep, parse_cursor
from condor.api.errors import ApiError
from condor.api.mapping import group_field, group_out, to_members, to_rules
from condor.domain.errors import RejectReason
from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup
from condor.domain.groups.model import Group, GroupStatus
from condor.domain.orders.group_events import GroupUpdated

router = APIRouter(prefix="/api/v1/groups", tags=["groups"])


def group_visible(e, p: Principal, g: Group, orders=None) -> bool:
    """Operators and the owner see a group; others when they may see every member's account
    (``orders``: the member orders by id, default the engine's)."""
    if p.is_operator or (g.owner is not None and g.owner == p.username):
        return True
    by_id = e.orders if orders is None else orders
    accounts = {by_id[m.order_id].account for m in g.members if m.order_id in by_id}
    return bool(accounts) and all(p.may_see(a) for a in accounts)


def _found(rt, p: Principal, group_id: str) -> tuple[Group, dict]:
    """(group, member orders by id) if the caller may see it, also a closed group the engine
    forgot (read model, ``Runtime.group``); 404 otherwise. Call under ``rt.read()``."""
    hit = rt.group(group_id)
    if hit is None or not group_visible(rt.engine, p, *hit):
        raise ApiError(404, f"unknown group {group_id}", RejectReason.UNKNOWN_GROUP, "group_id")
    return hit


def _group(rt, p: Principal, group_id: str) -> Group:
    """The visible group a command targets; a forgotten one has closed: 409 as for any group
    that is no longer Active."""
    g, _ = _found(rt, p, group_id)
    if group_id not in rt.engine.groups.groups:
        raise ApiError(
            409, f"group {group_id} is {g.status.value}", RejectReason.GROUP_NOT_ACTIVE, "group_id"
        )
    return g


def _check_members(e, p: Principal, members: list[S.MemberIn]) -> None:
    for i, m in enumerate(members):
        if m.order is not None:
            p.require_account(m.order.account, f"members[{i}].order.account")
        else:
            o = e.orders.get(m.order_id)
            if o is None or not p.may_see(o.account):
                raise ApiError(
                    422, f"unknown order {m.order_id}", RejectReason.UNKNOWN_ORDER,
                    f"members[{i}].order_id",
                )  # fmt: skip


@router.post("", status_code=201, response_model=S.GroupOut)
async def create_group(body: S.GroupIn, rt: RuntimeDep, p: UserDep) -> S.GroupOut:
    """Create a group atomically with its new orders and/or over existing ones. Kinds: OCO,
    OUO, OTO, Bracket (roles entry / take_profit / stop_loss), ... or Custom with ``rules``.
    All or nothing: a rejected member rejects the group (field ``members[i].order.<field>``)."""
    p.require_trade()
    with rt.read() as e:
        _check_members(e, p, body.members)
        cmd = CreateGroup(
            kind=body.kind,
            members=to_members(body.members, e.instruments, p.username),
            rules=to_rules(body.rules),
            validators=tuple(body.validators),
            owner=p.username,
            group_id=body.group_id,
        )

    def answer(e, events: list) -> S.GroupOut:
        gid = next(
            ev.group_id for ev in events if type(ev) is GroupUpdated and ev.change == "created"
        )
        return group_out(e.groups.get(gid), e)

    return await rt.execute(cmd, answer, field_map=group_field)


@router.get("", response_model=S.Page[S.GroupOut])
async def list_groups(
    rt: RuntimeDep,
    p: UserDep,
    status: GroupStatus | None = None,
    account: str | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> S.Page[S.GroupOut]:
    """Groups the caller may see, oldest first; ``cursor`` is an opaque position (a creation
    number: it stays valid while the engine forgets old closed groups). Lists the groups the
    engine keeps: every Active one and the newest closed ones (``journal.retain_terminal``);
    ``GET /groups/{id}`` reads an older one from the database."""
    if account is not None:
        p.require_account(account)
    items: list[S.GroupOut] = []
    nxt = None
    last = 0
    with rt.read() as e:
        for i, g in e.groups.after(parse_cursor(cursor)):
            if not group_visible(e, p, g):
                continue
            if (status is not None and g.status is not status) or (
                account is not None and g.account != account
            ):
                continue
            if len(items) == limit:
                nxt = str(last)
                break
            items.append(group_out(g, e, with_orders=False))
            last = i
    return S.Page[S.GroupOut](items=items, next_cursor=nxt)


@router.get("/{group_id}", response_model=S.GroupOut)
async def get_group(group_id: str, rt: RuntimeDep, p: UserDep) -> S.GroupOut:
    with rt.read() as e:
        g, orders = _found(rt, p, group_id)
        return group_out(g, e, orders_by_id=orders)


@router.put("/{group_id}", response_model=S.GroupOut)
async def edit_group(group_id: str, body: S.GroupEditIn, rt: RuntimeDep, p: UserDep) -> S.GroupOut:
    """Replace the members (existing orders only), kind and/or rules of an Active group."""
    p.require_trade()
    with rt.read() as e:
        g = _group(rt, p, group_id)
        if body.members is not None:
            _check_members(e, p, body.members)
            if any(m.order is not None for m in body.members):
                raise ApiError(
                    422, "edit takes existing orders only", RejectReason.GROUP_INVALID, "members"
                )
        cmd = EditGroup(
            group_id=g.group_id,
            members=to_members(body.members, e.instruments, p.username)
            if body.members is not None
            else None,
            kind=body.kind,
            rules=to_rules(body.rules),
            validators=tuple(body.validators),
            owner=p.owner,
        )
    return await rt.execute(cmd, lambda e, _: group_out(g, e))


@router.delete("/{group_id}", response_model=S.GroupOut)
async def delete_group(group_id: str, rt: RuntimeDep, p: UserDep) -> S.GroupOut:
    """Delete an Active group: its members are unlinked; no order changes (spec section 2)."""
    p.require_trade()
    with rt.read():
        g = _group(rt, p, group_id)
    return await rt.execute(DeleteGroup(g.group_id, owner=p.owner), lambda e, _: group_out(g, e))
