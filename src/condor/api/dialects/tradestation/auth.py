"""TradeStation OAuth 2.0 on top of Condor's ``Authenticator`` (wire-formats.md 1.3).

- ``POST /v2/security/authorize`` (form-encoded): grant types ``password`` (demo: username,
  password), ``refresh_token``, ``authorization_code`` (a code from the login page, valid 30 s)
  and ``client_credentials`` (an API key and secret as client_id / client_secret: a read-only
  token, ``userid`` ``CLIENTONLYLOGIN``). Answers ``{"access_token", "token", "refresh_token",
  "expires_in", "token_type": "AccessToken", "userid"}``; 401 "Authorization failed",
  "Authorization code expired", "API key failure" otherwise.
- ``GET /v2/authorize`` shows a minimal login form; posting it redirects (302) to
  ``redirect_uri?code=...``.
- Protected calls take the access token as ``Authorization: Bearer`` (a bare token in the
  header too, as seed 000's OCO example sends), query ``access_token`` or query ``oauth_token``.

Invariant: every credential is checked by ``condor.api.auth.Authenticator`` (argon2 passwords,
constant-time secrets, JWTs); this module keeps only the short-lived authorization codes.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request

from condor.api.auth import Principal, User
from condor.api.dialects.tradestation.errors import TSError
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


def grant(rt, codes: Codes, f: dict[str, str]) -> dict:
    """The token response of a ``/v2/security/authorize`` form; raises TSError 401."""
    auth = rt.auth
    kind = f.get("grant_type", "")
    cid, csecret = f.get("client_id"), f.get("client_secret")
    bad_key = cid and csecret is not None and auth.check_api_key(cid, csecret) is None
    if bad_key and kind != "client_credentials":
        raise TSError(401, "API key failure")
    user: User | None
    userid = None
    if kind == "password":
        user = auth.check_password(f.get("username", ""), f.get("password", ""))
    elif kind == "refresh_token":
        user = auth.use_refresh_token(f.get("refresh_token", ""))
    elif kind == "authorization_code":
        name = codes.redeem(f.get("code", ""))
        if name is None:
            raise TSError(401, "Authorization code expired")
        user = auth.users.get(name)
    elif kind == "client_credentials":
        key_user = auth.check_api_key(cid or "", csecret or "")
        if key_user is None:
            raise TSError(401, "API key failure")
        user = User(key_user.username, None, Role.READ_ONLY, frozenset(), key_user.user_id)
        userid = CLIENT_ONLY
    else:
        raise TSError(400, "Invalid grant_type")
    if user is None:
        raise TSError(401, "Authorization failed")
    access, refresh, ttl = auth.issue(user)
    return {
        "access_token": access,
        "token": access,
        "refresh_token": refresh,
        "expires_in": ttl,
        "token_type": "AccessToken",
        "userid": userid or user.username,
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
