"""TradeStation OAuth 2.0 on top of Condor's ``Authenticator`` (wire-formats.md 1.3).

- ``POST /v2/security/authorize`` (form-encoded): grant types ``password`` (demo: username,
  password), ``refresh_token`` and ``authorization_code`` (both need ``client_id`` and
  ``client_secret``, an API key, as section 1.3 lists them; the code comes from the login page
  and is valid 30 s, once) and ``client_credentials`` (an API key and secret as client_id /
  client_secret: a read-only token with no account, ``userid`` ``CLIENTONLYLOGIN``, whose
  refresh token refreshes to that same restricted scope only). Answers ``{"access_token",
  "token", "refresh_token", "expires_in": 1200, "token_type": "AccessToken", "userid"}``;
  401 "Authorization failed", "Authorization code expired", "API key failure" otherwise.
- ``GET /v2/authorize`` shows a minimal login form; posting it redirects (302) to
  ``redirect_uri?code=...``.
- Protected calls take the access token as ``Authorization: Bearer`` (a bare token in the
  header too, as seed 000's OCO example sends), query ``access_token`` or query ``oauth_token``.

Invariant: every credential is checked by ``condor.api.auth.Authenticator`` (argon2 passwords,
constant-time secrets, JWTs); this module keeps the short-lived authorization codes and, in
``tokens``, the refresh tokens it issued with the scope each may refresh to.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request

from condor.api.auth import Principal, User
from condor.api.dialects.tradestation.errors import TSError
from condor.api.dialects.tradestation.tokens import RefreshGrant, RefreshTokens, lifetime, mint
from condor.api.errors import ApiError
from condor.api.settings import Role

CODE_TTL_S = 30
CLIENT_ONLY = "CLIENTONLYLOGIN"


def token_of(request: Request) -> str | None:
    """The access token of a request (header, ``access_token`` or ``oauth_token`` query)."""
    h = request.headers.get("authorization")
    if h:
        scheme, _, rest = h.strip().partition(" ")
        return rest.strip() if scheme.lower() == "bearer" and rest.strip() else h.strip()
    q = request.query_params
    return q.get("access_token") or q.get("oauth_token") or None


def principal(request: Request) -> Principal:
    """The caller; TSError 401 ``Unauthorized`` without a valid token."""
    tok = token_of(request)
    if not tok:
        raise TSError(401, "Unauthorized")
    try:
        return request.app.state.runtime.auth.decode(tok)
    except ApiError:
        raise TSError(401, "Unauthorized") from None


async def form(request: Request) -> dict[str, str]:
    """A form-encoded body (first value of each field)."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


class Codes:
    """Authorization codes of the login page: code -> (username, expiry, monotonic s)."""

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, float]] = {}

    def issue(self, username: str) -> str:
        now = time.monotonic()
        self._codes = {k: v for k, v in self._codes.items() if v[1] > now}
        code = secrets.token_urlsafe(18)
        self._codes[code] = (username, now + CODE_TTL_S)
        return code

    def redeem(self, code: str) -> str | None:
        hit = self._codes.pop(code, None)
        if hit is None:
            return None
        name, expiry = hit
        return name if time.monotonic() <= expiry else None


class Grants:
    """The dialect's login state: authorization codes of the login page and the refresh
    tokens it issued (``tokens.RefreshTokens``)."""

    def __init__(self) -> None:
        self.codes = Codes()
        self.refresh = RefreshTokens()


def _api_key(auth, f: dict[str, str], required: bool) -> str | None:
    """The form's ``client_id`` once ``client_id``/``client_secret`` are checked as an API key;
    TSError 401 "API key failure" for a wrong pair, or a missing one when ``required``."""
    cid, csecret = f.get("client_id"), f.get("client_secret")
    if not required and not (cid and csecret is not None):
        return None
    if not cid or csecret is None or auth.check_api_key(cid, csecret) is None:
        raise TSError(401, "API key failure")
    return cid


def _refreshed(rt, grants: Grants, f: dict[str, str]) -> tuple[RefreshGrant, str]:
    """``grant_type=refresh_token`` (client_id and client_secret required, section 1.3): the
    grant the token stands for, and the token itself (answered again). A token this dialect
    issued keeps its scope and its API key; other server refresh tokens (the demo's
    ``demo-refresh``) stand for their user's full rights."""
    cid = _api_key(rt.auth, f, required=True)
    token = f.get("refresh_token", "")
    found = grants.refresh.get(token)
    if found is not None:
        current = rt.auth.users.get(found.user.username)
        if current is None or found.client_id not in (None, cid):
            raise TSError(401, "Authorization failed")
        return (found if found.client_only else RefreshGrant(current, False, cid)), token
    user = rt.auth.use_refresh_token(token) if token else None
    if user is None:
        raise TSError(401, "Authorization failed")
    return RefreshGrant(user, False, None), token


def _new_grant(rt, grants: Grants, kind: str, f: dict[str, str]) -> RefreshGrant:
    """The grant of a ``password``, ``authorization_code`` or ``client_credentials`` form."""
    auth = rt.auth
    if kind == "password":
        _api_key(auth, f, required=False)
        user = auth.check_password(f.get("username", ""), f.get("password", ""))
        if user is None:
            raise TSError(401, "Authorization failed")
        return RefreshGrant(user, False, None)
    if kind == "authorization_code":
        cid = _api_key(auth, f, required=True)
        name = grants.codes.redeem(f.get("code", ""))
        if name is None:
            raise TSError(401, "Authorization code expired")
        user = auth.users.get(name)
        if user is None:
            raise TSError(401, "Authorization failed")
        return RefreshGrant(user, False, cid)
    if kind == "client_credentials":
        cid = f.get("client_id") or ""
        key_user = auth.check_api_key(cid, f.get("client_secret") or "")
        if key_user is None:
            raise TSError(401, "API key failure")
        restricted = User(key_user.username, None, Role.READ_ONLY, frozenset(), key_user.user_id)
        return RefreshGrant(restricted, True, cid)
    raise TSError(400, "Invalid grant_type")


def grant(rt, grants: Grants, f: dict[str, str]) -> dict:
    """The token response of a ``/v2/security/authorize`` form (section 1.3): an access token
    living 1200 s (``tokens.lifetime``) and a refresh token of the same scope. Raises TSError
    401 ("API key failure", "Authorization failed", "Authorization code expired") or 400."""
    kind = f.get("grant_type", "")
    if kind == "refresh_token":
        g, refresh = _refreshed(rt, grants, f)
    else:
        g = _new_grant(rt, grants, kind, f)
        refresh = grants.refresh.issue(g)
    access = mint(rt, g.user)
    return {
        "access_token": access,
        "token": access,
        "refresh_token": refresh,
        "expires_in": lifetime(rt),
        "token_type": "AccessToken",
        "userid": CLIENT_ONLY if g.client_only else g.user.username,
    }


LOGIN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Condor - TradeStation
login</title></head><body><form method="post" action="/v2/authorize">
<input type="hidden" name="redirect_uri" value="{redirect}">
<input type="hidden" name="client_id" value="{client}">
<label>User <input name="username"></label> <label>Password
<input name="password" type="password"></label> <button>Log in</button></form></body></html>"""


def login_redirect(rt, codes: Codes, f: dict[str, str]) -> str | None:
    """Where the login form sends the browser (``redirect_uri`` with ``code``), or None for
    bad credentials."""
    user = rt.auth.check_password(f.get("username", ""), f.get("password", ""))
    if user is None:
        return None
    target = f.get("redirect_uri") or "/"
    sep = "&" if "?" in target else "?"
    return f"{target}{sep}{urlencode({'code': codes.issue(user.username)})}"
