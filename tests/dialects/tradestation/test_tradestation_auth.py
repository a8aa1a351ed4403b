"""TradeStation tokens and users (wire-formats.md 1.3, 1.4): a client-credentials login stays
symbol-lookup-only through its refresh token; the refresh grant needs the API key; tokens
live 1200 s; ``/v2/users/{userId}/accounts`` lists that user's accounts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jwt
import pytest
from tradestation_helpers import JSON, PLACE, login, ts_client, ts_settings

from server_fixtures import LiveServer, running

KEY = {"client_id": "demo-key", "client_secret": "demo-secret"}
API_KEY_FAILURE = {"Message": "API key failure", "StatusCode": 401}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with running(ts_settings()) as s:
        yield s


def authorize(server: LiveServer, **form) -> httpx.Response:
    return httpx.post(f"{server.url}/v2/security/authorize", data=form, timeout=10)


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def place_with(server: LiveServer, token: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v2/orders", json=PLACE, timeout=10,
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_client_credentials_refresh_token_keeps_the_restricted_scope(server):
    # Arrange
    first = authorize(server, grant_type="client_credentials", **KEY).json()
    # Act
    r = authorize(server, grant_type="refresh_token", refresh_token=first["refresh_token"],
                  redirect_uri="http://localhost", response_type="token", **KEY)  # fmt: skip
    # Assert
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["userid"] == "CLIENTONLYLOGIN"
    c = claims(t["access_token"])
    assert (c["role"], c["accounts"]) == ("ReadOnly", [])
    assert place_with(server, t["access_token"]).status_code == 401
    accounts = httpx.get(f"{server.url}/v2/users/demo/accounts", timeout=10,
                         params={"access_token": t["access_token"]})  # fmt: skip
    assert accounts.status_code == 200 and accounts.json() == []


def test_refresh_grant_needs_the_api_key(server):
    # Arrange
    refresh = authorize(server, grant_type="password", username="demo",
                        password="demo").json()["refresh_token"]  # fmt: skip
    forms = [
        {"refresh_token": refresh},
        {"refresh_token": refresh, "client_id": "demo-key"},
        {"refresh_token": refresh, "client_id": "demo-key", "client_secret": "wrong"},
        {"refresh_token": "demo-refresh"},
    ]
    for form in forms:
        # Act
        r = authorize(server, grant_type="refresh_token", **form)
        # Assert
        assert r.status_code == 401, form
        assert r.headers["content-type"] == JSON
        assert r.json() == API_KEY_FAILURE


def test_refresh_of_a_full_login_keeps_its_rights(server):
    # Arrange
    refresh = authorize(server, grant_type="password", username="demo",
                        password="demo").json()["refresh_token"]  # fmt: skip
    # Act
    r = authorize(server, grant_type="refresh_token", refresh_token=refresh, **KEY)
    unknown = authorize(server, grant_type="refresh_token", refresh_token="nope", **KEY)
    # Assert
    assert r.status_code == 200 and r.json()["userid"] == "demo"
    assert r.json()["refresh_token"] == refresh
    assert place_with(server, r.json()["access_token"]).json()[0]["OrderStatus"] == "Ok"
    assert unknown.status_code == 401
    assert unknown.json() == {"Message": "Authorization failed", "StatusCode": 401}


def test_tokens_live_1200_seconds(server):
    # Act
    answers = [
        authorize(server, grant_type="password", username="demo", password="demo"),
        authorize(server, grant_type="client_credentials", **KEY),
        authorize(server, grant_type="refresh_token", refresh_token="demo-refresh", **KEY),
    ]
    # Assert
    for r in answers:
        assert r.status_code == 200, r.text
        c = claims(r.json()["access_token"])
        assert r.json()["expires_in"] == 1200
        assert c["exp"] - c["iat"] == 1200


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("alice", ["ALICE-1"]),
        ("viewer", [123456]),
        ("demo", [9, 12345, 123456, 123465, 987654, "D39004", "default:ACC12345"]),
    ],
)
def test_operator_lists_the_requested_users_accounts(server, user, expected):
    # Arrange
    with ts_client(server.url, "operator", "operator") as op:
        # Act
        r = op.get(f"/v2/users/{user}/accounts")
    # Assert
    assert r.status_code == 200, r.text
    assert sorted((a["Key"] for a in r.json()), key=str) == sorted(expected, key=str)


def test_user_accounts_of_an_unknown_or_another_user(server):
    # Arrange
    operator = {"Authorization": f"Bearer {login(server.url, 'operator', 'operator')}"}
    demo = {"Authorization": f"Bearer {login(server.url)}"}
    # Act
    unknown = httpx.get(f"{server.url}/v2/users/nobody/accounts", headers=operator, timeout=10)
    other = httpx.get(f"{server.url}/v2/users/alice/accounts", headers=demo, timeout=10)
    # Assert
    assert unknown.status_code == 400
    assert unknown.json() == {"Message": "Invalid user ID.", "StatusCode": 400}
    assert other.status_code == 401
    assert other.json() == {"Message": "Unauthorized", "StatusCode": 401}
