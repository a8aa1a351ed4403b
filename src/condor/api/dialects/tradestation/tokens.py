"""TradeStation access and refresh tokens (wire-formats.md 1.3: "Tokens live 20 minutes").

Invariants:
- an access token is a native Condor JWT (``Authenticator.access_token``, so
  ``Authenticator.decode`` accepts it everywhere), but it lives ``TOKEN_TTL_S`` = 1200 s
  (or ``Settings.token_ttl_s`` when that is shorter), whatever the server-wide lifetime.
- a refresh token issued here refreshes to exactly the scope it was issued for: a
  ``client_credentials`` one (symbol lookup only, ``CLIENTONLYLOGIN``) to another read-only
  token with no account, never to the user's full rights; one bound to an API key
  (``client_id``) only with that key. Refresh tokens are kept in memory (the newest
  ``MAX_REFRESH`` ones), like the ``Authenticator``'s.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

from condor.api.auth import User

TOKEN_TTL_S = 1200
MAX_REFRESH = 100_000


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    """What a refresh token stands for: ``user`` (the token's rights: for a client-only login
    a ReadOnly user with no account), ``client_only`` (answer ``userid`` CLIENTONLYLOGIN) and
    ``client_id`` (the API key it is bound to, None: any valid key)."""

    user: User
    client_only: bool
    client_id: str | None


class RefreshTokens:
    """The refresh tokens this dialect issued: token -> RefreshGrant (oldest dropped first
    beyond ``limit``)."""

    def __init__(self, limit: int = MAX_REFRESH) -> None:
        self._grants: OrderedDict[str, RefreshGrant] = OrderedDict()
        self._limit = limit

    def issue(self, grant: RefreshGrant) -> str:
        """A new refresh token for ``grant``."""
        token = secrets.token_urlsafe(24)
        self._grants[token] = grant
        while len(self._grants) > self._limit:
            self._grants.popitem(last=False)
        return token

    def get(self, token: str) -> RefreshGrant | None:
        """The grant of ``token``, or None when this dialect did not issue it."""
        return self._grants.get(token)


def lifetime(rt) -> int:
    """Seconds an access token lives: 1200 (section 1.3), or the server's shorter one."""
    return min(TOKEN_TTL_S, rt.settings.token_ttl_s)


def mint(rt, user: User) -> str:
    """An access JWT for ``user`` (its role and accounts) living ``lifetime(rt)`` s, made by
    the server's ``Authenticator`` (so every route accepts it)."""
    return rt.auth.access_token(user, lifetime(rt))[0]
