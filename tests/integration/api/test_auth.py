"""Authentication over a real server: tokens by password and API key, refresh, logout, and
problem+json 401/403 answers."""

from __future__ import annotations

import httpx

from server_fixtures import alice, demo, limit_order, server

PROBLEM = "application/problem+json"


def test_missing_token_is_401_problem(server):
    # Act
    r = httpx.get(f"{server.url}/api/v1/orders")
    # Assert
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["www-authenticate"] == "Bearer"
    body = r.json()
    assert body["status"] == 401 and body["reason"] == "auth.unauthenticated"


def test_bad_token_is_401(server):
    r = httpx.get(f"{server.url}/api/v1/orders", headers={"Authorization": "Bearer nope.x.y"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)


def test_bad_password_is_401_and_good_one_gives_a_token(server):
    # Act
    bad = httpx.post(f"{server.url}/api/v1/auth/token", json={"username": "demo", "password": "x"})
    unknown = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"username": "ghost", "password": "demo"}
    )
    good = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"username": "demo", "password": "demo"}
    )
    # Assert
    assert bad.status_code == 401 and unknown.status_code == 401
    assert bad.json()["detail"] == unknown.json()["detail"] == "bad credentials"
    body = good.json()
    assert good.status_code == 200 and body["role"] == "Trading"
    assert "123456" in body["accounts"] and "default:ACC12345" in body["accounts"]


def test_token_request_without_credentials_is_422(server):
    r = httpx.post(f"{server.url}/api/v1/auth/token", json={"username": "demo"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)


def test_api_key_login_and_me(server):
    # Arrange
    r = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"api_key": "demo-key", "api_secret": "demo-secret"}
    )
    assert r.status_code == 200
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    # Act
    me = httpx.get(f"{server.url}/api/v1/auth/me", headers=h).json()
    bad = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"api_key": "demo-key", "api_secret": "wrong"}
    )
    # Assert
    assert me["username"] == "demo" and me["user_id"] == 6
    assert bad.status_code == 401


def test_refresh_and_logout(server):
    # Arrange
    with server.client() as c:
        r = c.post("/api/v1/auth/refresh", json={"refresh_token": "demo-refresh"})
        assert r.status_code == 200
        tok = r.json()
        h = {"Authorization": f"Bearer {tok['access_token']}"}
        assert c.get("/api/v1/auth/me", headers=h).status_code == 200
        # Act
        out = c.post("/api/v1/auth/logout", headers=h, json={"refresh_token": tok["refresh_token"]})
        after = c.get("/api/v1/auth/me", headers=h)
        again = c.post("/api/v1/auth/refresh", json={"refresh_token": tok["refresh_token"]})
        unknown = c.post("/api/v1/auth/refresh", json={"refresh_token": "nope"})
    # Assert
    assert out.status_code == 204
    assert after.status_code == 401
    assert again.status_code == 401 and unknown.status_code == 401


def test_read_only_user_cannot_trade_but_can_read(server):
    # Arrange
    with server.client("viewer") as v:
        # Act
        post = v.post("/api/v1/orders", json=limit_order())
        cancel_all = v.delete("/api/v1/orders", params={"account": "123456"})
        read = v.get("/api/v1/accounts/123456")
    # Assert
    assert post.status_code == 403 and post.json()["reason"] == "auth.not_authorized"
    assert cancel_all.status_code == 403
    assert read.status_code == 200


def test_openapi_and_docs_answer(server):
    assert httpx.get(f"{server.url}/docs").status_code == 200
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/orders" in spec["paths"] and "/api/v1/groups" in spec["paths"]
