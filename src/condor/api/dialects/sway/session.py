"""Sway / DXtrade sessions (wire-formats.md section 3.3, clients.md "Sway Charts").

Invariant: a ``sessionToken`` is a Condor access JWT issued by ``condor.api.auth.Authenticator``
for the user (so it carries the user's accounts and role, expires after ``token_ttl_s`` and is
refused once logged out); every call sends it as ``Authorization: DXAPI <token>``, and a
missing, bad, expired or logged-out token answers 401. ``/ping`` issues a fresh token (the old
one stays valid until it expires); ``/logout`` revokes the caller's token.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import Depends, Header, Request, Response
from pydantic import ValidationError

from condor.api.auth import Principal
from condor.api.deps import RuntimeDep
from condor.api.dialects.sway.config import SwayConfig
from condor.api.dialects.sway.errors import SwayError, bad_request, not_found, unauthorized
from condor.api.dialects.sway.mapping import digest_etag
from condor.api.dialects.sway.schemas import LoginRequest, dumps, parse_body, validation_text
from condor.api.errors import ApiError
from condor.api.runtime import Runtime

SCHEME = "dxapi"


def timeout_text(seconds: int) -> str:
    """Session lifetime as ``hh:mm:ss`` (the format the DXtrade clients parse first)."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json",
                    headers=headers)  # fmt: skip


def etag_response(request: Request, body, tag: str | None = None) -> Response:
    """``body`` as JSON with ``ETag: tag`` (default: ``mapping.digest_etag`` of the body's
    bytes, so equal answers carry equal tags); 304 with the ETag and no body when
    ``If-None-Match`` lists it (``W/`` prefixes and ``*`` accepted; section 3.2)."""
    data = dumps(body)
    tag = tag or digest_etag(data)
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        if "*" in tags or tag in tags:
            return Response(status_code=304, headers={"ETag": tag})
    return Response(data, media_type="application/json", headers={"ETag": tag})


async def session_user(
    rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """The caller of ``Authorization: DXAPI <token>``; 401 (no code) otherwise."""
    if not authorization:
        raise unauthorized("Authorization header is missing")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != SCHEME or not token.strip():
        raise unauthorized("Authorization must be 'DXAPI <sessionToken>'")
    try:
        return rt.auth.decode(token.strip())
    except ApiError:  # invalid, expired or logged out (auth.decode's only error)
        raise unauthorized("Session is missing or expired") from None


SessionDep = Annotated[Principal, Depends(session_user)]


def _token_body(rt: Runtime, user) -> dict:
    access, ttl = rt.auth.access_token(user)  # no refresh token: Sway has none
    return {"sessionToken": access, "timeout": timeout_text(ttl)}


async def login(request: Request, rt: RuntimeDep) -> Response:
    """``POST /login`` ``{username, domain, password}`` -> 200 ``{sessionToken, timeout}``;
    bad credentials -> 401 code 3 ``Incorrect username or password``."""
    try:
        body = LoginRequest.model_validate(parse_body(await request.body()))
    except ValidationError as e:
        raise bad_request(validation_text(e)) from None
    u = await anyio.to_thread.run_sync(rt.auth.check_password, body.username, body.password)
    if u is None:
        raise SwayError(401, "3", "Incorrect username or password")
    return json_response(_token_body(rt, u))


async def login_by_token(request: Request, rt: RuntimeDep) -> Response:
    """``POST /loginByToken`` ``{username, domain, token}``: ``token`` is a refresh token of
    that user (demo: ``demo-refresh``); else 401 code 3."""
    data = parse_body(await request.body())
    token, name = data.get("token"), data.get("username")
    u = rt.auth.use_refresh_token(token) if isinstance(token, str) else None
    if u is None or (name is not None and u.username != name):
        raise SwayError(401, "3", "Incorrect username or password")
    return json_response(_token_body(rt, u))


async def ping(rt: RuntimeDep, p: SessionDep) -> Response:
    """Extend the session: a fresh ``{sessionToken, timeout}``."""
    u = rt.auth.users.get(p.username)
    if u is None:
        raise unauthorized()
    return json_response(_token_body(rt, u))


async def logout(rt: RuntimeDep, p: SessionDep) -> Response:
    """Revoke the caller's session token."""
    rt.auth.revoke(p)
    return json_response({})


def _account_details(position_based: bool, account: str) -> dict:
    """One ``accounts`` entry of ``GET /users/...``: ``positionBased`` is the DXtrade
    AccountDetails flag; ``accountType`` (not a DXtrade field: its AccountType enum is
    CLIENT/OFFSET/REFERENCE) says the same as ``POSITION_BASED`` / ``NETTING``."""
    return {
        "account": account,
        "baseCurrency": "USD",
        "accountType": "POSITION_BASED" if position_based else "NETTING",
        "positionBased": position_based,
        "status": "ACTIVE",
    }


async def user_details(
    login_domain: str, request: Request, rt: RuntimeDep, p: SessionDep
) -> Response:
    """``GET /users/<login@domain>`` -> ``{"userDetails": [{login, domain, accounts: [{account,
    ...}]}]}`` with an ``ETag`` (``etag_response``). Only the caller itself (or an Operator)
    may read a user; else 404 code 2."""
    login_name, _, domain = login_domain.rpartition("@")
    if not login_name:
        login_name, domain = login_domain, "default"
    u = rt.auth.users.get(login_name)
    if u is None or (not p.is_operator and p.username != login_name):
        raise not_found(f"user {login_domain}")
    cfg: SwayConfig = request.app.state.sway
    with rt.read() as e:
        if u.role.value == "Operator":
            codes = sorted(e.accounts)
        else:
            codes = sorted(a for a in u.accounts if a in e.accounts)
        accounts = [_account_details(cfg.position_based(e, a), a) for a in codes]
    return etag_response(
        request,
        {"userDetails": [{"login": login_name, "domain": domain or "default",
                          "accounts": accounts}]},
    )  # fmt: skip
