"""Alor order groups over existing orders: ``GET|POST /commandapi/api/orderGroups``,
``GET|PUT|DELETE /commandapi/api/orderGroups/{orderGroupId}`` (seed 003, wire-formats 2.8).

Invariants:
- a group is made of orders that already exist; each must be the caller's (an order on a
  portfolio the caller may not see is refused exactly as Alor words it: "Forbidden attempt
  to modify an order (<n>) not owned by the user") and live (the engine's ``live`` and
  ``owned`` validators refuse Filled or Canceled ones); a TriggerBracketOrders group's stops
  must be inactive (``activate: false``, validator ``inactive_stops``), on create and on
  replace alike; a member's declared ``type`` must be the order's. Every refusal is a 400 in Alor's
  group shape ``{"title", "status", "detail"}`` and changes nothing.
- ``executionPolicy`` maps one to one onto the engine's kinds OnExecuteOrCancel, IgnoreCancel
  and TriggerBracketOrders; the engine holds the rules, the cascades across linked groups and
  the group status (Active, Filled, Canceled).
- a caller sees the groups it created (an Operator every Alor group); another user's group is
  answered like an unknown one (404). Only Active groups can be changed or deleted (engine);
  deleting unlinks the members and changes no order.
- ``X-REQID``/``X-ALOR-REQID`` on create and replace make them idempotent per user (scope
  ``alor:groups:<user>``), answered with Alor's duplicate reply.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from condor.api.auth import Principal
from condor.api.dialects.alor import mapping as M
from condor.api.dialects.alor import tokens as T
from condor.api.dialects.alor.commands import DUPLICATE
from condor.api.dialects.alor.errors import AlorError, GroupRoute, success_text
from condor.api.dialects.alor.jsonio import AlorJSON
from condor.api.dialects.alor.routes import body_of, reqid
from condor.api.dialects.alor.schemas import GroupIn, normalise_keys
from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup, MemberSpec
from condor.domain.groups.model import Group
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.group_events import GroupUpdated

G = "/commandapi/api/orderGroups"
Caller = Annotated[Principal, Depends(T.caller)]
ALOR_KINDS = frozenset(k.value for k in M.POLICIES.values())

router = APIRouter(route_class=GroupRoute, tags=["alor"])


def _bad(text: str, field: str | None = None) -> AlorError:
    return AlorError(400, text, "BadRequest", field, style="group")


def parse_group(data) -> GroupIn:
    if not isinstance(data, dict):
        raise _bad("the body must be a JSON object")
    try:
        return GroupIn.model_validate(normalise_keys(data))
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(x) for x in err.get("loc", ())) or None
        raise _bad(f"{field}: {err.get('msg')}", field) from None


def members_of(e, p: Principal, body: GroupIn, kind) -> tuple[MemberSpec, ...]:
    """Wire members -> MemberSpecs of existing orders the caller owns, each of the declared
    ``type`` (section 2.8). Raises AlorError 400 naming ``orders[i].<field>``."""
    out = []
    for i, m in enumerate(body.orders):
        f = f"orders[{i}]"
        declared = M.enum_of(M.GROUP_TYPES, m.type, f"{f}.type", "order type")
        oid = M.order_id_of(m.orderId)
        if oid is None:
            raise _bad(f"Order id {m.orderId!r} is not an order number", f"{f}.orderId")
        o = e.orders.get(oid)
        if o is None:
            raise _bad(f"Order ({oid}) not found", f"{f}.orderId")
        if not p.may_see(o.account) or not p.may_trade:
            raise _bad(
                f"Forbidden attempt to modify an order ({oid}) not owned by the user",
                f"{f}.orderId",
            )
        if m.portfolio != o.account:
            raise _bad(f"Order ({oid}) is not in portfolio {m.portfolio!r}", f"{f}.portfolio")
        if m.exchange.upper() != M.alor_exchange(o.inst):
            raise _bad(f"Order ({oid}) is not on exchange {m.exchange!r}", f"{f}.exchange")
        if declared not in M.group_types(o):
            types = "/".join(sorted(M.group_types(o)))
            raise _bad(f"Order ({oid}) is a {types} order, not {declared}", f"{f}.type")
        out.append(MemberSpec(order_id=oid, role=M.group_role(o, kind)))
    return tuple(out)


def validators_for(kind: GroupKind) -> tuple[str, ...]:
    """Engine validators a group of ``kind`` must pass, on create (POST) and on replace (PUT)
    alike (``live`` and ``owned`` always run): TriggerBracketOrders' stops must be inactive
    (section 2.8, ``inactive_stops``)."""
    return ("inactive_stops",) if kind is GroupKind.TRIGGER_BRACKET_ORDERS else ()


async def _run(rt, cmd, scope_user: str, key: str | None, answer) -> tuple[int, object]:
    if key is None:
        return 200, await rt.execute(cmd, answer)
    out = await rt.execute_once(cmd, (f"alor:groups:{scope_user}", key), answer)
    if out.replayed:
        return 400, {"message": DUPLICATE, "oldResponse": {"statusCode": 200, "body": out.value}}
    return 200, out.value


def visible_group(e, p: Principal, group_id: str, rt=None) -> Group:
    """The caller's Alor group; with the runtime ``rt`` also a closed group the engine no
    longer keeps (read from the database); 404 in Alor's format otherwise."""
    g = e.groups.get(group_id)
    if g is None and rt is not None:
        hit = rt.group(group_id)
        g = hit[0] if hit is not None else None
    if g is None or g.kind not in ALOR_KINDS or not (p.is_operator or g.owner == p.username):
        raise AlorError(404, f"Order group {group_id} not found", "NotFound", style="group")
    return g


def login_of(rt, owner: str | None) -> str:
    u = rt.auth.users.get(owner) if owner is not None else None
    return M.login_for(owner, u.accounts) if u is not None else (owner or "")


@router.get(G)
async def list_groups(request: Request, p: Caller) -> Response:
    """Every Alor group of the caller, oldest first, unfiltered (section 2.8)."""
    rt = request.app.state.runtime
    with rt.read() as e:
        out = [
            M.group_out(g, e, login_of(rt, g.owner))
            for g in e.groups
            if g.kind in ALOR_KINDS and (p.is_operator or g.owner == p.username)
        ]
    return AlorJSON(out)


@router.post(G)
async def create_group(request: Request, p: Caller) -> Response:
    """Group existing orders; 200 ``{"message": "success", "groupId": "<uuid>"}``."""
    rt = request.app.state.runtime
    body = parse_group(await body_of(request))
    kind = M.enum_of(M.POLICIES, body.executionPolicy, "executionPolicy", "executionPolicy")
    if not body.orders:
        raise _bad("a group needs orders", "orders")
    with rt.read() as e:
        cmd = CreateGroup(
            kind=kind,
            members=members_of(e, p, body, kind),
            validators=validators_for(kind),
            owner=p.username,
        )

    def answer(e, events: list) -> dict:
        gid = next(
            ev.group_id for ev in events if type(ev) is GroupUpdated and ev.change == "created"
        )
        return {"message": "success", "groupId": gid}

    status, out = await _run(rt, cmd, p.username, reqid(request), answer)
    return AlorJSON(out, status_code=status)


@router.get(G + "/{group_id}")
async def get_group(group_id: str, request: Request, p: Caller) -> Response:
    rt = request.app.state.runtime
    with rt.read() as e:
        g = visible_group(e, p, group_id, rt)
        return AlorJSON(M.group_out(g, e, login_of(rt, g.owner)))


@router.put(G + "/{group_id}")
async def update_group(group_id: str, request: Request, p: Caller) -> Response:
    """Replace the members and policy of an Active group (the body lists every member, old
    and new); 200 ``success`` (text/plain)."""
    rt = request.app.state.runtime
    body = parse_group(await body_of(request))
    kind = M.enum_of(M.POLICIES, body.executionPolicy, "executionPolicy", "executionPolicy")
    if not body.orders:
        raise _bad("a group needs orders", "orders")
    with rt.read() as e:
        g = visible_group(e, p, group_id)
        cmd = EditGroup(
            g.group_id, members=members_of(e, p, body, kind), kind=kind,
            validators=validators_for(kind), owner=p.owner,
        )  # fmt: skip
    status, out = await _run(rt, cmd, p.username, reqid(request), lambda e, _: "success")
    return success_text() if status == 200 else AlorJSON(out, status_code=status)


@router.delete(G + "/{group_id}")
async def delete_group(group_id: str, request: Request, p: Caller) -> Response:
    """Delete an Active group: its orders stay as they are; 200 ``success``."""
    rt = request.app.state.runtime
    with rt.read() as e:
        g = visible_group(e, p, group_id)
    if not p.may_trade:
        raise AlorError(403, "read-only users cannot change groups", "Forbidden", style="group")
    await rt.execute(DeleteGroup(g.group_id, owner=p.owner))
    return success_text()
