"""``/api/v1/clock``: read the engine clock; move the simulated clock forward (never back);
due timers (expiries, session changes) fire on the way."""

from __future__ import annotations

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.deps import RuntimeDep, UserDep
from condor.api.mapping import dt_to_ns, ns_to_dt
from condor.api.routes.marketdata import require_market_control
from condor.domain.orders.commands import AdvanceClock

router = APIRouter(prefix="/api/v1/clock", tags=["clock"])


@router.get("", response_model=S.ClockOut)
async def get_clock(rt: RuntimeDep, p: UserDep) -> S.ClockOut:
    return S.ClockOut(now=ns_to_dt(rt.now_ns()))


@router.put("", response_model=S.ClockOut)
async def set_clock(body: S.ClockIn, rt: RuntimeDep, p: UserDep) -> S.ClockOut:
    """422 (field ``now``) for a time before the current one."""
    require_market_control(rt, p)
    return await rt.execute(
        AdvanceClock(dt_to_ns(body.now)), lambda e, _: S.ClockOut(now=ns_to_dt(e.clock.now_ns()))
    )
