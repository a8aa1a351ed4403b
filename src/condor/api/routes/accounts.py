"""``/api/v1/accounts`` and ``/api/v1/positions``: balances and positions of the caller's
accounts. An account outside the caller's permission is 403 whether it exists or not."""

from __future__ import annotations

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.auth import Principal
from condor.api.deps import RuntimeDep, UserDep
from condor.api.errors import ApiError
from condor.api.mapping import account_out, balances_out, position_out
from condor.domain.errors import RejectReason

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def _account(rt, p: Principal, account_id: str):
    p.require_account(account_id, "account_id")
    a = rt.engine.accounts.get(account_id)
    if a is None:
        raise ApiError(
            404, f"unknown account {account_id!r}", RejectReason.UNKNOWN_ACCOUNT, "account_id"
        )
    return a


def _positions(rt, a) -> list[S.PositionOut]:
    reg = rt.engine.instruments
    return [
        position_out(a, pos, reg.get(sym))
        for sym, pos in sorted(a.positions.items())
        if pos.qty or pos.held_long or pos.held_short or pos.realized
    ]


@router.get("/accounts", response_model=list[S.AccountOut])
async def list_accounts(rt: RuntimeDep, p: UserDep) -> list[S.AccountOut]:
    with rt.read() as e:
        return [account_out(a) for a in e.accounts.values() if p.may_see(a.account_id)]


@router.get("/accounts/{account_id}", response_model=S.AccountOut)
async def get_account(account_id: str, rt: RuntimeDep, p: UserDep) -> S.AccountOut:
    with rt.read():
        return account_out(_account(rt, p, account_id))


@router.get("/accounts/{account_id}/balances", response_model=list[S.BalanceOut])
async def get_balances(account_id: str, rt: RuntimeDep, p: UserDep) -> list[S.BalanceOut]:
    with rt.read():
        return balances_out(_account(rt, p, account_id))


@router.get("/accounts/{account_id}/positions", response_model=list[S.PositionOut])
async def get_positions(account_id: str, rt: RuntimeDep, p: UserDep) -> list[S.PositionOut]:
    with rt.read():
        return _positions(rt, _account(rt, p, account_id))


@router.get("/positions", response_model=list[S.PositionOut])
async def list_positions(
    rt: RuntimeDep, p: UserDep, account: str | None = None, symbol: str | None = None
) -> list[S.PositionOut]:
    """Positions of every account the caller may see (or of ``account``)."""
    with rt.read() as e:
        if account is not None:
            accounts = [_account(rt, p, account)]
        else:
            accounts = [a for a in e.accounts.values() if p.may_see(a.account_id)]
        out = []
        for a in accounts:
            out += [x for x in _positions(rt, a) if symbol is None or x.symbol == symbol]
        return out
