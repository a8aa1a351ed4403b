"""Alor authentication over HTTP against a real server (wire-formats 2.3, clients.md): refresh
token -> ``{"AccessToken"}`` with ``portfolios`` and ``agreements`` claims; 403 for a bad
refresh token; 401 (never 403) for a missing or bad Bearer token."""

from __future__ import annotations

import httpx
import jwt
import pytest
from alor_helpers import C, G, alor_server, limit, send


@pytest.fixture(scope="module")
def server():
    with alor_server() as s:
        yield s


def test_refresh_by_query_gives_a_jwt_with_portfolios_and_agreements(server):
    # Act
    r = httpx.post(f"{server.url}/refresh?token=demo-refresh", timeout=10)
    # Assert
    assert r.status_code == 200
    assert list(r.json()) == ["AccessToken"]
    claims = jwt.decode(r.json()["AccessToken"], options={"verify_signature": False})
    assert "D39004" in claims["portfolios"].split(" ")
    assert "39004" in claims["agreements"].split(" ")
    assert claims["clientid"] == "P039004"


def test_refresh_by_json_body_wins_and_narrows_portfolios(server):
    # Act: the body's token is good, the query's is not; body wins
    r = httpx.post(
        f"{server.url}/refresh?token=nope",
        json={"token": "demo-refresh", "allowedPortfolios": ["D39004"]},
        timeout=10,
    )
    # Assert
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["AccessToken"], options={"verify_signature": False})
    assert claims["portfolios"] == "D39004"


def test_malformed_refresh_body_is_a_400(server):
    r = httpx.post(f"{server.url}/refresh", json={"token": {"x": 1}}, timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "token"


@pytest.mark.parametrize("token", ["nope", ""])
def test_bad_refresh_token_is_403(server, token):
    r = httpx.post(f"{server.url}/refresh", params={"token": token}, timeout=10)
    assert r.status_code == 403
    assert r.json()["code"] == "Forbidden"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"{C}/actions/limit"),
        ("GET", G),
        ("GET", "/md/v2/Clients/MOEX/D39004/orders"),
        ("DELETE", f"{C}/1?portfolio=D39004&exchange=MOEX"),
    ],
)
@pytest.mark.parametrize("auth", [None, "Bearer not-a-jwt", "Basic abc"])
def test_missing_or_bad_bearer_is_401_never_403(server, method, path, auth):
    # Arrange
    c = httpx.Client(base_url=server.url, timeout=10)
    if auth is not None:
        c.headers["Authorization"] = auth
    # Act
    r = send(c, method, path, limit() if method == "POST" else None)
    # Assert
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/json")  # Alor's, not problem+json
    body = r.json()
    assert body.get("code", body.get("title")) == "Unauthorized"
    with server.runtime.read() as e:
        assert e.order_seq == 0
