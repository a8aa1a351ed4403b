"""AlphaPoint APEX sessions and authentication (spec section 4.4).

Invariants:
- a WebSocket session is bound to its socket: ``AuthenticateUser`` sets its principal, and
  ``LogOut`` clears it and revokes its session token. An HTTP call authenticates itself with
  the ``aptoken`` header (a session token) or the four API-key headers.
- the session token is a Condor JWT (``Authenticator.issue``), so it works on every transport
  and survives nothing the native API's tokens would not.
- API-key logins verify ``Signature`` = lowercase hex HMAC-SHA256(key = secret, message =
  Nonce + UserId + APIKey), in constant time, and that ``UserId`` is the key owner's user id.
- ``Principal`` is the one permission rule (``condor.api.auth``): a Trading user acts only on
  its accounts (else 20 Not Authorized), an Operator on every account.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

import anyio

from condor.api.auth import Principal, User
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.errors import NOT_AUTHORIZED, ApError
from condor.api.dialects.alphapoint.mapping import OMS_ID, ap_account, condor_account
from condor.api.errors import ApiError

BAD_LOGIN = "Invalid username or password"


@dataclass
class Session:
    """One client's state: ``principal`` and ``token`` once authenticated; ``events`` the
    WebSocket event pump (None over HTTP); ``echo`` the app's ``rejects.RequestEcho``."""

    principal: Principal | None = None
    token: str | None = None
    events: Any = None
    http: bool = False
    extra: dict = field(default_factory=dict)
    echo: Any = None

    def require(self) -> Principal:
        """The authenticated principal; ApError 20 otherwise."""
        if self.principal is None:
            raise ApError(NOT_AUTHORIZED, "not authenticated")
        return self.principal

    def require_trade(self) -> Principal:
        p = self.require()
        if not p.may_trade:
            raise ApError(NOT_AUTHORIZED, "read-only users cannot change anything")
        return p

    def account(self, account_id: int | None, trade: bool = False) -> str:
        """The Condor account of ``account_id`` if the caller may act on it; ApError 20."""
        p = self.require_trade() if trade else self.require()
        acc = condor_account(account_id)
        if not p.may_see(acc):
            raise ApError(NOT_AUTHORIZED, f"no permission on account {account_id}", "AccountId")
        return acc


def signature(secret: str, nonce: str, user_id: str, api_key: str) -> str:
    """Lowercase hex HMAC-SHA256(secret, Nonce + UserId + APIKey) (ccxt, notbank)."""
    msg = f"{nonce}{user_id}{api_key}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def check_api_key(rt, a: W.AuthIn) -> User | None:
    """The key's user when ``a`` carries a valid signature for it and the matching UserId."""
    if not (a.APIKey and a.Signature and a.Nonce is not None and a.UserId is not None):
        return None
    found = next((k for k in rt.settings.api_keys if k.key == a.APIKey), None)
    if found is None:
        return None
    good = signature(found.secret, a.Nonce, a.UserId, a.APIKey)
    if not hmac.compare_digest(good.encode(), a.Signature.lower().encode()):
        return None
    user = rt.auth.users.get(found.username)
    if user is None or str(user.user_id) != a.UserId:
        return None
    return user


async def login(rt, a: W.AuthIn) -> User | None:
    """Check API-key, session-token or user-name/password credentials; None when bad."""
    if a.APIKey:
        return check_api_key(rt, a)
    if a.SessionToken:
        try:
            p = rt.auth.decode(a.SessionToken)
        except ApiError:
            return None
        return rt.auth.users.get(p.username)
    if a.UserName is None or a.Password is None:
        return None
    # argon2 is slow on purpose: verify off the event loop
    return await anyio.to_thread.run_sync(rt.auth.check_password, a.UserName, a.Password)


def open_session(rt, s: Session, user: User) -> str:
    """Bind ``user`` to ``s`` with a new session token; return the token."""
    token, _ = rt.auth.access_token(user)  # APEX sessions have no refresh token
    s.principal = rt.auth.decode(token)
    s.token = token
    return token


def principal_of_token(rt, token: str) -> Principal | None:
    try:
        return rt.auth.decode(token)
    except ApiError:
        return None


def default_account(user: User, rt) -> int:
    """The user's first numeric account (smallest id); Operators: 0."""
    ids = sorted(ap_account(a) for a in user.accounts if a.isdigit())
    return ids[0] if ids else 0


def _pascal(d: dict) -> dict:
    special = {"omsId": "OMSId", "use2FA": "Use2FA", "requires2FA": "Requires2FA",
               "twoFAType": "TwoFAType", "twoFAToken": "TwoFAToken"}  # fmt: skip
    return {special.get(k, k[:1].upper() + k[1:]): v for k, v in d.items()}


def authenticate_reply(rt, user: User, token: str) -> dict:
    """``AuthenticateUser`` success: the documented lower-case keys (section 4.4) plus
    ``SessionToken``, and the same keys in PascalCase (APEX 4.x; the notbank SDK reads
    ``Authenticated``, ``User.UserId``...)."""
    u = {
        "userId": user.user_id or 0,
        "userName": user.username,
        "email": "",
        "emailVerified": False,
        "accountId": default_account(user, rt),
        "omsId": OMS_ID,
        "use2FA": False,
    }
    u.update(_pascal(u))
    body = {
        "authenticated": True,
        "user": u,
        "locked": False,
        "requires2FA": False,
        "twoFAType": "",
        "twoFAToken": "",
    }
    body.update(_pascal(body))
    body.update(SessionToken=token, errormsg="")
    return body


def authenticate_failed() -> dict:
    return {"authenticated": False, "locked": False, "Authenticated": False, "Locked": False,
            "errormsg": BAD_LOGIN}  # fmt: skip
