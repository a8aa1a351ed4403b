"""``/api/v1/auth``: tokens (password or API key), refresh, logout, who am I."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Response

from condor.api import schemas as S
from condor.api.auth import User, unauthorized
from condor.api.deps import RuntimeDep, UserDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _token_out(rt, u: User) -> S.TokenOut:
    access, refresh, ttl = rt.auth.issue(u)
    return S.TokenOut(
        access_token=access, expires_in=ttl, refresh_token=refresh, username=u.username,
        role=u.role, accounts=sorted(u.accounts),
    )  # fmt: skip


@router.post("/token", response_model=S.TokenOut)
async def token(body: S.TokenIn, rt: RuntimeDep) -> S.TokenOut:
    """A JWT for ``username``/``password`` or ``api_key``/``api_secret``; 401 otherwise."""
    if body.api_key:
        u = rt.auth.check_api_key(body.api_key, body.api_secret or "")
    else:  # argon2 is slow on purpose: verify off the event loop
        u = await anyio.to_thread.run_sync(rt.auth.check_password, body.username, body.password)
    if u is None:
        raise unauthorized("bad credentials")
    return _token_out(rt, u)


@router.post("/refresh", response_model=S.TokenOut)
async def refresh(body: S.RefreshIn, rt: RuntimeDep) -> S.TokenOut:
    u = rt.auth.use_refresh_token(body.refresh_token)
    if u is None:
        raise unauthorized("unknown refresh token")
    return _token_out(rt, u)


@router.post("/logout", status_code=204)
async def logout(rt: RuntimeDep, p: UserDep, body: S.LogoutIn | None = None) -> Response:
    """Revoke the caller's token (and the given refresh token)."""
    rt.auth.revoke(p, body.refresh_token if body is not None else None)
    return Response(status_code=204)


@router.get("/me", response_model=S.MeOut)
async def me(p: UserDep) -> S.MeOut:
    return S.MeOut(username=p.username, user_id=p.user_id, role=p.role, accounts=sorted(p.accounts))
