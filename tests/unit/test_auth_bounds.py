"""The authenticator's memory is bounded by its users, not by their logins (api/auth.py): a
user keeps its newest REFRESH_PER_USER issued refresh tokens (older ones are refused from
then on; configured ones never lapse), and logged-out token ids are dropped once the tokens
they name have expired. Before, every login (native, Sway ``/login`` and ``/ping``,
AlphaPoint ``AuthenticateUser``) added a refresh token that lived as long as the process."""

from __future__ import annotations

import time
import uuid

from argon2 import PasswordHasher

from condor.api.auth import REFRESH_PER_USER, Authenticator, Principal
from condor.api.settings import Role, Settings, UserConfig

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _auth(ttl_s: int = 3600) -> Authenticator:
    s = Settings(
        users=[UserConfig(username="ann", accounts=["A1"])],
        refresh_tokens={"configured": "ann"},
        token_ttl_s=ttl_s,
    )
    return Authenticator(s, CHEAP)


def test_a_user_keeps_its_newest_refresh_tokens_and_the_configured_ones():
    # Arrange
    auth = _auth()
    ann = auth.users["ann"]
    # Act: more logins than a user keeps
    tokens = [auth.issue(ann)[1] for _ in range(REFRESH_PER_USER + 40)]
    # Assert
    assert all(auth.use_refresh_token(t) is None for t in tokens[:40])
    assert all(auth.use_refresh_token(t) is ann for t in tokens[40:])
    assert auth.use_refresh_token("configured") is ann
    assert len(auth._refresh) == REFRESH_PER_USER + 1


def _principal() -> Principal:
    return Principal("ann", Role.TRADING, frozenset({"A1"}), jti=uuid.uuid4().hex)


def test_a_logged_out_token_id_is_forgotten_once_its_token_has_expired():
    # Arrange: tokens that live one second, 100 logged out
    auth = _auth(ttl_s=1)
    first = [_principal() for _ in range(100)]
    for p in first:
        auth.revoke(p)
    time.sleep(2.1)  # past their expiry (whole seconds)
    # Act: later logouts
    for _ in range(200):
        auth.revoke(_principal())
    # Assert: the expired ones are gone
    assert not any(p.jti in auth._revoked for p in first)
    assert len(auth._revoked) <= 200
