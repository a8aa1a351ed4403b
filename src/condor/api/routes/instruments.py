"""``/api/v1/instruments``: what trades, on which grid."""

from __future__ import annotations

from fastapi import APIRouter

from condor.api import schemas as S
from condor.api.deps import RuntimeDep, UserDep
from condor.api.errors import ApiError
from condor.api.mapping import instrument_out
from condor.domain.errors import RejectReason

router = APIRouter(prefix="/api/v1/instruments", tags=["instruments"])


@router.get("", response_model=list[S.InstrumentOut])
async def list_instruments(rt: RuntimeDep, p: UserDep) -> list[S.InstrumentOut]:
    return [instrument_out(i) for i in rt.engine.instruments]


@router.get("/{symbol:path}", response_model=S.InstrumentOut)
async def get_instrument(symbol: str, rt: RuntimeDep, p: UserDep) -> S.InstrumentOut:
    i = rt.engine.instruments.find(symbol)
    if i is None:
        raise ApiError(
            404, f"unknown instrument {symbol!r}", RejectReason.UNKNOWN_INSTRUMENT, "symbol"
        )
    return instrument_out(i)
