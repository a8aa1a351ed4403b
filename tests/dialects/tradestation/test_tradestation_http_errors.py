"""Every answer under ``/v2`` is TradeStation's ``{"Message", "StatusCode"}`` with
``application/json; charset=utf-8`` (wire-formats.md 1.10, clients.md): unknown paths (404;
under ``/v2/jsonp/`` with a callback, inside it), wrong methods (405 with ``Allow``), and
unexpected errors (500), never problem+json."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from tradestation_helpers import JSON, ts_client, ts_settings

from condor.api.dialects.tradestation.routes import TSRoute

from server_fixtures import LiveServer


def _boom_router() -> APIRouter:
    """A route of the dialect's route class whose handler fails unexpectedly."""
    r = APIRouter(prefix="/v2test", route_class=TSRoute)

    @r.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    return r


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    s = LiveServer(ts_settings())
    s.app.include_router(_boom_router())
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def ts(server: LiveServer) -> Iterator[httpx.Client]:
    with ts_client(server.url) as c:
        yield c


@pytest.mark.parametrize(
    "path",
    ["/v2/nonexistent", "/V2/Nothing/Here/", "/v2", "/v2/jsonp/orders/groups/send",
     "/v2/orders/1/cancel"],
)  # fmt: skip
def test_unknown_path_404(ts, path):
    # Act
    r = ts.get(path)
    # Assert
    assert r.status_code == 404
    assert r.headers["content-type"] == JSON
    assert r.json() == {"Message": "Not Found", "StatusCode": 404}


def test_unknown_jsonp_path_answers_inside_the_callback(ts):
    # Act: section 1.4 documents no JSONP form for sending groups
    r = ts.get("/v2/jsonp/orders/groups/send", params={"callback": "cb", "data": "{}"})
    # Assert
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON and r.headers["jsonp-callback"] == "cb"
    assert r.text == 'cb({"Message":"Not Found","StatusCode":404})'


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v2/orders", "POST"),
        ("GET", "/v2/orders/5", "DELETE, PUT"),
        ("PATCH", "/V2/Orders/5", "DELETE, PUT"),
        ("GET", "/v2/security/authorize", "POST"),
        ("POST", "/v2/accounts/123456/orders", "GET"),
        ("POST", "/v2/jsonp/orders/send", "GET"),
    ],
)
def test_wrong_method_405_with_allow(ts, method, path, allow):
    # Act
    r = ts.request(method, path)
    # Assert
    assert r.status_code == 405
    assert r.headers["content-type"] == JSON
    assert r.headers["allow"] == allow
    assert r.json() == {"Message": "Method Not Allowed", "StatusCode": 405}


def test_unexpected_error_500_in_tradestation_format(ts):
    # Act
    r = ts.get("/v2test/boom")
    # Assert
    assert r.status_code == 500
    assert r.headers["content-type"] == JSON
    assert r.json() == {"Message": "Internal server error.", "StatusCode": 500}
