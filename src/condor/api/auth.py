"""Authentication and permissions: users, argon2 password hashes, JWTs, and who may see what.

Invariants:
- passwords are stored only as argon2id hashes (plain ones from the configuration are hashed at
  start-up and dropped); API secrets are compared in constant time.
- a token (HS256 JWT) carries ``sub`` (username), ``uid``, ``role``, ``accounts``, ``exp``,
  ``iat``, ``jti``; a logged-out ``jti`` is refused until it expires.
- memory is bounded by the users, not by logins: a user keeps its newest ``REFRESH_PER_USER``
  issued refresh tokens (configured ones never lapse), logged-out ``jti``s are dropped once
  their tokens have expired, and the verified-token cache holds at most ``_DECODED_MAX``.
- ``Principal.may_see(account)`` is the one permission rule: an Operator sees every account, a
  Trading or ReadOnly user only the accounts in its token; only Trading and Operator may change
  anything (``may_trade``).
"""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from condor.api.errors import ApiError
from condor.api.settings import Role, Settings
from condor.domain.errors import RejectReason


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: ``username``, ``user_id``, ``role``, ``accounts`` it may
    see (ignored for Operators), ``jti`` of its token and ``exp``, when that token lapses
    (Unix seconds; None: a session that does not lapse, such as an AlphaPoint login)."""

    username: str
    role: Role
    accounts: frozenset[str]
    user_id: int | None = None
    jti: str | None = None
    exp: int | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    def may_see(self, account: str | None) -> bool:
        if self.role is Role.OPERATOR:
            return True
        return account is not None and account in self.accounts

    @property
    def may_trade(self) -> bool:
        return self.role is Role.TRADING or self.role is Role.OPERATOR

    def require_trade(self) -> None:
        """Raise 403 for a ReadOnly caller."""
        if not self.may_trade:
            raise ApiError(
                403, "read-only users cannot change anything", RejectReason.NOT_AUTHORIZED
            )

    def require_account(self, account: str, field: str = "account") -> None:
        """Raise 403 unless the caller may act on ``account``."""
        if not self.may_see(account):
            raise ApiError(
                403, f"no permission on account {account!r}", RejectReason.NOT_AUTHORIZED, field
            )

    @property
    def owner(self) -> str | None:
        """The owner to pass to engine group commands: None (any group) for an Operator."""
        return None if self.role is Role.OPERATOR else self.username


@dataclass(slots=True)
class User:
    username: str
    password_hash: str | None
    role: Role
    accounts: frozenset[str]
    user_id: int | None


class Authenticator:
    """Users, API keys, refresh tokens and JWTs of one server."""

    def __init__(self, settings: Settings, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._secret = settings.jwt_secret
        self._alg = settings.jwt_algorithm
        self._ttl = settings.token_ttl_s
        self.users: dict[str, User] = {}
        for u in settings.users:
            h = u.password_hash
            if h is None and u.password is not None:
                h = self._hasher.hash(u.password)
            self.users[u.username] = User(u.username, h, u.role, frozenset(u.accounts), u.user_id)
        self._api_keys = {k.key: (k.secret, k.username) for k in settings.api_keys}
        self._refresh: dict[str, str] = dict(settings.refresh_tokens)
        self._issued: dict[str, OrderedDict[str, None]] = {}  # user -> its refresh tokens
        self._revoked: dict[str, int] = {}
        self._revoked_pruned = 0  # len(_revoked) after the last pruning
        self._decoded: dict[str, tuple[Principal, int]] = {}  # token -> (principal, exp)
        self.revoke_listeners: list[Callable[[str], None]] = []
        """Called with the ``jti`` of every revoked token (the stream closes its sockets)."""
        self._dummy = self._hasher.hash(secrets.token_urlsafe(8))

    # -- credentials ----------------------------------------------------------------------
    def check_password(self, username: str, password: str) -> User | None:
        """The user when ``password`` matches its hash (slow on purpose: argon2), else None."""
        u = self.users.get(username)
        h = u.password_hash if u is not None else None
        try:
            self._hasher.verify(h or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return u if h is not None else None

    def check_api_key(self, key: str, secret: str) -> User | None:
        found = self._api_keys.get(key)
        if found is None or not hmac.compare_digest(found[0].encode(), secret.encode()):
            return None
        return self.users.get(found[1])

    def use_refresh_token(self, token: str) -> User | None:
        name = self._refresh.get(token)
        return self.users.get(name) if name is not None else None

    # -- tokens ---------------------------------------------------------------------------
    def issue(self, user: User) -> tuple[str, str, int]:
        """(access JWT, new refresh token, lifetime s) for ``user``. A user keeps its newest
        ``REFRESH_PER_USER`` issued refresh tokens; an older one is refused from then on."""
        access, ttl = self.access_token(user)
        refresh = secrets.token_urlsafe(24)
        self._refresh[refresh] = user.username
        mine = self._issued.setdefault(user.username, OrderedDict())
        mine[refresh] = None
        if len(mine) > REFRESH_PER_USER:
            self._refresh.pop(mine.popitem(last=False)[0], None)
        return access, refresh, ttl

    def access_token(self, user: User, ttl_s: int | None = None) -> tuple[str, int]:
        """(access JWT, lifetime s) for ``user`` (claims ``sub``, ``uid``, ``role``,
        ``accounts``, ``iat``, ``exp``, ``jti``), living the server's token lifetime or the
        shorter ``ttl_s`` a dialect asks for (TradeStation: 1200 s)."""
        ttl = self._ttl if ttl_s is None else min(ttl_s, self._ttl)
        now = int(time.time())
        claims = {
            "sub": user.username,
            "uid": user.user_id,
            "role": user.role.value,
            "accounts": sorted(user.accounts),
            "iat": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=self._alg), ttl

    def decode(self, token: str) -> Principal:
        """The principal of a valid, unrevoked token; raises ApiError 401 otherwise. A token
        verified once is remembered until it expires (its signature cannot change), so that a
        client's every request does not pay for HMAC and JSON again; revocation and expiry
        are still checked on each call."""
        hit = self._decoded.get(token)
        if hit is not None:
            p, exp = hit
            if exp > time.time() and p.jti not in self._revoked and p.username in self.users:
                return p
            del self._decoded[token]
        try:
            c = jwt.decode(
                token, self._secret, algorithms=[self._alg],
                options={"require": ["sub", "exp", "role", "jti"]},
            )  # fmt: skip
            role = Role(c["role"])
        except (jwt.PyJWTError, ValueError):
            raise unauthorized("invalid or expired token") from None
        if c["jti"] in self._revoked or c["sub"] not in self.users:
            raise unauthorized("token has been revoked")
        p = Principal(
            c["sub"], role, frozenset(c.get("accounts") or ()), c.get("uid"), c["jti"],
            int(c["exp"]),
        )  # fmt: skip
        if len(self._decoded) >= _DECODED_MAX:
            self._decoded.clear()
        self._decoded[token] = (p, int(c["exp"]))
        return p

    def revoke(self, p: Principal, refresh_token: str | None = None) -> None:
        """Log out: refuse ``p``'s token from now on (and tell ``revoke_listeners``), and drop
        ``refresh_token`` if it is one of ``p``'s."""
        now = int(time.time())
        if p.jti is not None:
            self._revoked[p.jti] = now + self._ttl
            for listener in self.revoke_listeners:
                listener(p.jti)
            if len(self._revoked) >= 2 * self._revoked_pruned + 64:  # amortized O(1)
                self._revoked = {j: t for j, t in self._revoked.items() if t > now}
                self._revoked_pruned = len(self._revoked)
        if refresh_token is not None and self._refresh.get(refresh_token) == p.username:
            del self._refresh[refresh_token]
            self._issued.get(p.username, {}).pop(refresh_token, None)


_DECODED_MAX = 10_000  # remembered tokens (a bound on memory, not on clients)
REFRESH_PER_USER = 256  # issued refresh tokens kept per user (sessions a user may hold)


def unauthorized(text: str) -> ApiError:
    return ApiError(401, text, "auth.unauthenticated", headers={"WWW-Authenticate": "Bearer"})
