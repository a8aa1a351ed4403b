"""Wire conventions over HTTP on a real server (wire-formats.md 3.2, 3.4, 3.7): history
``transaction-from``/``transaction-to`` and paging by ``nextPageTransactionTime``, 405 with
``Allow``, ETags on every GET, ``expireDate`` in the date form, and an order whose
``orderCode`` is ``group``. Each test uses its own account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sway_fixtures import by_code, cs, etag, server, state

from server_fixtures import START, quote


def _limit(code: str, **kw) -> dict:
    body = {"orderCode": code, "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": 1.07, "tif": "GTC"}  # fmt: skip
    return body | kw


def _pages(c, url: str, size: int) -> list[list[str]]:
    """Every page of ``url``'s history, each next one asked with ``transaction-to`` =
    ``nextPageTransactionTime`` (the paging of a DXtrade client)."""
    params: dict = {"page-size": size}
    pages = []
    while True:
        body = c.get(url, params=params).json()
        pages.append([o["orderCode"] for o in body["orders"]])
        if "nextPageTransactionTime" not in body:
            return pages
        params = {"page-size": size, "transaction-to": body["nextPageTransactionTime"]}


def test_history_pages_by_transaction_time(server, cs):
    # Arrange: five orders on 12345, one engine second apart (quotes move the clock)
    c, op = cs
    orders = "/accounts/12345/orders"
    day = START + timedelta(days=1)
    for i in range(5):
        quote(op, "EUR/USD", "1.09000", "1.09010", ts=(day + timedelta(seconds=i)).isoformat())
        assert c.post(orders, json=_limit(f"tx-{i}")).status_code == 200
    times = {f"tx-{i}": by_code(c, f"tx-{i}", orders)["transactionTime"] for i in range(5)}
    # Act
    pages = _pages(c, f"{orders}/history", 2)
    window = c.get(f"{orders}/history", params={"transaction-from": times["tx-1"],
                                                "transaction-to": times["tx-3"]})  # fmt: skip
    later = c.get(f"{orders}/history", params={"transaction-from": "2099-01-01Z"})
    # Assert: newest first, each page starting where the previous one stopped
    assert pages == [["tx-4", "tx-3"], ["tx-2", "tx-1"], ["tx-0"]]
    assert [o["orderCode"] for o in window.json()["orders"]] == ["tx-3", "tx-2", "tx-1"]
    assert later.status_code == 200 and later.json()["orders"] == []


@pytest.mark.parametrize("name", ["transaction-from", "transaction-to"])
def test_garbage_transaction_time_is_400_code_31(server, cs, name):
    c, _ = cs
    r = c.get("/accounts/12345/orders/history", params={name: "garbage"})
    assert r.status_code == 400 and r.json()["errorCode"] == "31"
    assert name in r.json()["description"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/accounts/12345/orders", "GET, POST, PUT"),
        ("PUT", "/accounts/12345/positions", "GET"),
        ("DELETE", "/login", "POST"),
    ],
)
def test_405_carries_allow_in_sway_format(server, cs, method, path, allow):
    c, _ = cs
    r = c.request(method, path)
    assert r.status_code == 405
    assert r.headers["Allow"] == allow
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"description": "Method Not Allowed"}


def test_unknown_path_is_404_code_2(server, cs):
    c, _ = cs
    r = c.get("/accounts/12345/nothing-here")
    assert r.status_code == 404 and r.json()["errorCode"] == "2"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/123456/orders/history",
        "/accounts/orders/history?accounts=123456",
        "/accounts/123456/positions",
        "/accounts/123456/portfolio",
        "/users/demo@default",
    ],
)
def test_every_get_has_an_etag_and_answers_304(server, cs, path):
    # Arrange
    c, _ = cs
    first = c.get(path)
    tag = first.headers["ETag"]
    # Act
    same = c.get(path)
    cached = c.get(path, headers={"If-None-Match": tag})
    # Assert
    assert first.status_code == 200 and tag.startswith('"') and len(tag) == 34
    assert same.headers["ETag"] == tag
    assert cached.status_code == 304 and cached.headers["ETag"] == tag


def test_etag_changes_with_the_data(server, cs):
    c, _ = cs
    urls = ["/accounts/123456/orders/history", "/accounts/123456/portfolio"]
    before = [c.get(u).headers["ETag"] for u in urls]
    assert c.post("/accounts/123456/orders", json=_limit("etag-1")).status_code == 200
    after = [c.get(u).headers["ETag"] for u in urls]
    assert all(a != b for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2030-01-01Z", "2030-01-01T00:00:00.000Z"),
        ("2030-01-01+02:00", "2029-12-31T22:00:00.000Z"),
        ("2030-01-01", "2030-01-01T00:00:00.000Z"),
        ("2030-01-01T12:30:00Z", "2030-01-01T12:30:00.000Z"),
    ],
)
def test_expire_date_in_the_date_forms(server, cs, sent, stored):
    c, _ = cs
    code = f"gtd-{sent}"
    r = c.post("/accounts/D39004/orders", json=_limit(code, tif="GTD", expireDate=sent))
    assert r.status_code == 200, r.text
    assert by_code(c, code, "/accounts/D39004/orders")["expireDate"] == stored


def test_order_coded_group_is_cancelled_by_its_code(server, cs):
    # Arrange: an order whose orderCode is "group" on account 9
    c, _ = cs
    orders = "/accounts/9/orders"
    assert c.post(orders, json=_limit("group")).status_code == 200
    # Act: DELETE .../orders/group without order-codes names that order
    r = c.delete(f"{orders}/group", headers={"If-Match": etag(c, orders)})
    # Assert
    assert r.status_code == 200, r.text
    assert by_code(c, "group", orders)["status"] == "CANCELED"


def test_group_cancel_without_order_codes_is_400_code_31(server, cs):
    c, _ = cs
    orders = "/accounts/123465/orders"
    before = state(server, "123465")
    r = c.delete(f"{orders}/group", headers={"If-Match": etag(c, orders)})
    assert r.status_code == 400 and r.json()["errorCode"] == "31"
    assert state(server, "123465") == before
