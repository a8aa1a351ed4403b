"""``/api/v1/executions``: fills of the caller's accounts, oldest first, cursor-paginated by
engine sequence."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.deps import Limit, RuntimeDep, UserDep, parse_cursor
from condor.api.mapping import dt_to_ns, execution_out

router = APIRouter(prefix="/api/v1/executions", tags=["executions"])


@router.get("", response_model=S.Page[S.ExecutionOut])
async def list_executions(
    rt: RuntimeDep,
    p: UserDep,
    account: str | None = None,
    symbol: str | None = None,
    order_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> S.Page[S.ExecutionOut]:
    if account is not None:
        p.require_account(account)
    lo = dt_to_ns(since) if since is not None else None
    hi = dt_to_ns(until) if until is not None else None
    items: list[S.ExecutionOut] = []
    nxt = None
    with rt.read() as e:
        for r in rt.fills_after(parse_cursor(cursor)):
            if not p.may_see(r.account):
                continue
            if (account is not None and r.account != account) or (
                symbol is not None and r.symbol != symbol
            ):
                continue
            if order_id is not None and r.order_id != order_id:
                continue
            if (lo is not None and r.ts_ns < lo) or (hi is not None and r.ts_ns >= hi):
                continue
            if len(items) == limit:
                nxt = str(items[-1].seq)
                break
            items.append(execution_out(r, e.instruments.get(r.symbol)))
    return S.Page[S.ExecutionOut](items=items, next_cursor=nxt)
