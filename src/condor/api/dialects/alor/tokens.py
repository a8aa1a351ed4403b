"""Alor authentication (wire-formats section 2.3): refresh token -> JWT, and the Bearer check.

Invariants:
- ``POST /refresh?token=`` (or body ``{"token", "allowedPortfolios"}``; the body wins) trades a
  refresh token the server's ``Authenticator`` knows (demo: ``demo-refresh``) for an access
  JWT; an unknown token is 403. The JWT is a native Condor token (same secret, algorithm,
  lifetime and claims ``sub``, ``uid``, ``role``, ``accounts``, ``jti``, so
  ``Authenticator.decode`` accepts it everywhere) plus Alor's claims that clients decode
  without verifying: ``portfolios`` and ``agreements`` (space-separated), ``ent``,
  ``clientid``, ``scope``, ``iss``. ``allowedPortfolios`` narrows ``accounts`` (and
  ``portfolios``) to the named ones the user has.
- every other call of this dialect needs ``Authorization: Bearer <JWT>``; a missing, bad,
  expired or revoked token is 401 (never 403).
"""

from __future__ import annotations

import time
import uuid

import jwt
from fastapi import Request

from condor.api.auth import Principal
from condor.api.dialects.alor.errors import AlorError
from condor.api.dialects.alor.mapping import agreement_of, login_for
from condor.api.errors import ApiError


def mint(rt, username: str, allowed: list[str] | None) -> str:
    """An access JWT for ``username`` (see the module invariant). Raises AlorError 403 for a
    refresh that names only portfolios the user does not have."""
    user = rt.auth.users[username]
    accounts = sorted(user.accounts)
    if allowed:
        accounts = [a for a in accounts if a in set(allowed)]
        if not accounts:
            raise AlorError(403, "None of allowedPortfolios belongs to the user", "Forbidden")
    now = int(time.time())
    s = rt.settings
    agreements = sorted({g for a in accounts if (g := agreement_of(a)) is not None})
    claims = {
        "sub": username,
        "uid": user.user_id,
        "role": user.role.value,
        "accounts": accounts,
        "iat": now,
        "exp": now + s.token_ttl_s,
        "jti": uuid.uuid4().hex,
        "ent": "client",
        "clientid": login_for(username, accounts),
        "portfolios": " ".join(accounts),
        "agreements": " ".join(agreements or [username]),
        "scope": "OrdersRead OrdersCreate Trades Personal Stats",
        "iss": "Condor.Alor",
    }
    return jwt.encode(claims, s.jwt_secret, algorithm=s.jwt_algorithm)


def refresh(rt, token: str | None, allowed: list[str] | None) -> str:
    """The access JWT for a refresh ``token``; AlorError 403 when it is unknown."""
    user = rt.auth.use_refresh_token(token) if token else None
    if user is None:
        raise AlorError(403, "Invalid or expired refresh token", "Forbidden")
    return mint(rt, user.username, allowed)


def bearer(raw: str | None) -> str | None:
    if raw and raw[:7].lower() == "bearer ":
        return raw[7:].strip() or None
    return None


def principal(rt, token: str | None) -> Principal:
    """The caller of a JWT; AlorError 401 when it is missing or not valid."""
    if not token:
        raise AlorError(401, "Authorization header with a Bearer JWT is required", "Unauthorized")
    try:
        return rt.auth.decode(token)
    except ApiError as e:
        raise AlorError(401, e.detail, "Unauthorized") from None


async def caller(request: Request) -> Principal:
    """FastAPI dependency: the Bearer caller of an HTTP request (401 otherwise)."""
    rt = request.app.state.runtime
    return principal(rt, bearer(request.headers.get("authorization")))
