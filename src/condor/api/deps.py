"""``Annotated`` dependency aliases that keep route signatures short.

Invariant: every dependency is ``async def`` so it runs on the event loop's thread, the only
thread that may touch the engine (see ``runtime``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from condor.api.auth import Principal, unauthorized
from condor.api.errors import ApiError
from condor.api.runtime import Runtime
from condor.domain.errors import RejectReason

_bearer = HTTPBearer(auto_error=False, description="JWT from POST /api/v1/auth/token")


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def current_user(
    rt: RuntimeDep,
    cred: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of a valid bearer token; 401 problem+json otherwise."""
    if cred is None or cred.scheme.lower() != "bearer":
        raise unauthorized("missing bearer token")
    return rt.auth.decode(cred.credentials)


UserDep = Annotated[Principal, Depends(current_user)]

Limit = Annotated[int, Query(ge=1, le=1000, description="page size")]


def parse_cursor(cursor: str | None) -> int:
    """An opaque cursor (a decimal integer inside) -> int; 422 naming ``cursor`` if bad."""
    if cursor is None:
        return 0
    try:
        v = int(cursor)
    except ValueError:
        v = -1
    if v < 0:
        raise ApiError(422, "invalid cursor", RejectReason.INVALID_FIELD, "cursor")
    return v
