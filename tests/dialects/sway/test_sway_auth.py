"""Sway sessions over HTTP against a real server (wire-formats.md 3.3, clients.md "Sway")."""

from __future__ import annotations

import httpx
import pytest
from sway_fixtures import ACC, login, sway_server


@pytest.fixture(scope="module")
def server():
    with sway_server() as s:
        yield s


def test_login_returns_session_token_and_timeout(server):
    # Act
    r = httpx.post(f"{server.url}/dxsca-web/login",
                   json={"username": "demo", "domain": "default", "password": "demo"})  # fmt: skip
    # Assert
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"sessionToken", "timeout"}
    assert body["timeout"] == "08:00:00"


def test_bad_credentials_are_401_code_3(server):
    r = httpx.post(f"{server.url}/dxsca-web/login",
                   json={"username": "demo", "domain": "default", "password": "nope"})  # fmt: skip
    assert r.status_code == 401
    assert r.json() == {"errorCode": "3", "description": "Incorrect username or password"}


def test_login_without_password_is_400_code_33(server):
    r = httpx.post(f"{server.url}/dxsca-web/login", json={"username": "demo"})
    assert r.status_code == 400
    assert r.json()["errorCode"] == "33" and "password" in r.json()["description"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer abc", "DXAPI", "DXAPI not-a-token"],
    ids=["none", "bearer", "empty", "bad"],
)
def test_missing_or_bad_session_is_401(server, header):
    headers = {"Authorization": header} if header else {}
    r = httpx.get(f"{server.url}/dxsca-web/accounts/default%3AACC12345/orders", headers=headers)
    assert r.status_code == 401
    assert "description" in r.json()


def test_ping_issues_a_new_token_and_logout_ends_the_session(server):
    # Arrange
    c = login(server)
    # Act
    r = c.post("/ping")
    # Assert: the new token works
    assert r.status_code == 200
    fresh = r.json()["sessionToken"]
    c2 = httpx.Client(base_url=c.base_url, headers={"Authorization": f"DXAPI {fresh}"})
    assert c2.get("/accounts/default%3AACC12345/orders").status_code == 200
    # Act: log out the first session; it is refused from then on, the second still works
    assert c.post("/logout").status_code == 200
    assert c.get("/accounts/default%3AACC12345/orders").status_code == 401
    assert c2.get("/accounts/default%3AACC12345/orders").status_code == 200


def test_user_details_list_accounts(server):
    c = login(server)
    r = c.get("/users/demo@default")
    assert r.status_code == 200
    (details,) = r.json()["userDetails"]
    accounts = [a["account"] for a in details["accounts"]]
    assert ACC in accounts and "123456" in accounts
    assert details["login"] == "demo"


def test_other_users_details_are_404_code_2(server):
    c = login(server)
    r = c.get("/users/operator@default")
    assert r.status_code == 404 and r.json()["errorCode"] == "2"


def test_login_by_token_with_refresh_token(server):
    r = httpx.post(f"{server.url}/dxsca-web/loginByToken",
                   json={"username": "demo", "domain": "default", "token": "demo-refresh"})  # fmt: skip
    assert r.status_code == 200 and r.json()["sessionToken"]
    bad = httpx.post(f"{server.url}/dxsca-web/loginByToken",
                     json={"username": "demo", "domain": "default", "token": "x"})  # fmt: skip
    assert bad.status_code == 401 and bad.json()["errorCode"] == "3"


def test_foreign_account_is_404_code_2(server):
    c = login(server)
    r = c.get("/accounts/ALICE-1/orders")
    assert r.status_code == 404 and r.json()["errorCode"] == "2"


def test_read_only_user_reads_but_cannot_trade(server):
    # Arrange: viewer is ReadOnly on 123456
    c = login(server, "viewer", "viewer-pw")
    body = {"orderCode": "ro-1", "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": 1.07}  # fmt: skip
    with server.runtime.read() as e:
        before = len(e.orders)
    # Act
    read = c.get("/accounts/123456/orders")
    write = c.post("/accounts/123456/orders", json=body)
    # Assert
    assert read.status_code == 200
    assert write.status_code == 403 and write.json()["errorCode"] == "2"
    with server.runtime.read() as e:
        assert len(e.orders) == before
