"""Sway order entry, modify, cancel and reads over HTTP against a real server: the section 3.9
examples as golden requests and answers (wire-formats.md 3.4-3.9, seed 002)."""

from __future__ import annotations

import pytest
from sway_fixtures import (
    ACC,
    MODIFY,
    ORDERS,
    by_code,
    clients,
    etag,
    eurusd,
    if_then,
    state,
    sway_server,
)


@pytest.fixture(scope="module")
def server():
    with sway_server() as s:
        yield s


@pytest.fixture(scope="module")
def c(server):
    with clients(server) as (sway, op):
        eurusd(op, "1.09000", "1.09010")
        yield sway


def _single(code: str, **kw) -> dict:
    body = {"orderCode": code, "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": "1.07000", "tif": "GTC"}  # fmt: skip
    body.update(kw)
    return body


def test_section_3_9_if_then_group_replies_one_entry_per_order(server, c):
    # Act: the example verbatim (numbers as JSON numbers, the account URL-encoded)
    r = c.post(ORDERS, json=if_then())
    # Assert
    assert r.status_code == 200
    responses = r.json()["orderResponses"]
    assert len(responses) == 3
    assert all(set(x) == {"orderId", "updateOrderId"} for x in responses)
    assert all(x["orderId"] == x["updateOrderId"] for x in responses)
    assert [x["orderId"] for x in responses] == sorted(x["orderId"] for x in responses)
    entry, sl, tp = (by_code(c, code) for code in ("entry-1", "sl-1", "tp-1"))
    assert (entry["status"], sl["status"], tp["status"]) == ("WORKING", "ACCEPTED", "ACCEPTED")
    assert entry["legs"][0]["price"] == 1.085 and entry["legs"][0]["quantity"] == 10000
    assert sl["type"] == "STOP" and sl["legs"][0]["price"] == 1.08
    assert sl["legs"][0]["quantity"] == 0 and sl["legs"][0]["positionEffect"] == "CLOSE"
    assert sl["legs"][0]["positionCode"] == str(entry["orderId"])


def test_open_orders_carry_links_and_etag(server, c):
    c.post(ORDERS, json=if_then("-links"))
    r = c.get(ORDERS)
    assert r.status_code == 200 and r.headers["ETag"].startswith('"')
    orders = {o["orderCode"]: o for o in r.json()["orders"]}
    assert all(o["account"] == ACC for o in orders.values())
    parent = orders["entry-1-links"]
    assert [(x["linkType"], x["linkedClientOrderId"]) for x in parent["links"]] == [
        ("CHILD", "sl-1-links"), ("CHILD", "tp-1-links"),
    ]  # fmt: skip
    assert orders["tp-1-links"]["links"] == [
        {"linkType": "PARENT", "linkedOrder": str(parent["orderId"]),
         "linkedClientOrderId": "entry-1-links"}
    ]  # fmt: skip
    # If-None-Match with the current ETag: 304
    again = c.get(ORDERS, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_section_3_9_modify_limit_price_with_if_match(server, c):
    # Arrange: the example group exists (first test) - use its own copy here
    c.post(ORDERS, json=if_then("-m"))
    tag = etag(c)
    body = dict(MODIFY, orderCode="entry-1-m")
    # Act
    r = c.put(ORDERS, json=body, headers={"If-Match": tag})
    # Assert
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"orderId", "updateOrderId"}
    assert r.headers["ETag"] != tag and r.headers["ETag"] == etag(c)
    o = by_code(c, "entry-1-m")
    assert o["legs"][0]["price"] == 1.084 and o["status"] == "WORKING"


def test_section_3_9_cancel_with_if_match(server, c):
    c.post(ORDERS, json=_single("cx-1"))
    r = c.delete(f"{ORDERS}/cx-1", headers={"If-Match": etag(c)})
    assert r.status_code == 200, r.text
    assert by_code(c, "cx-1")["status"] == "CANCELED"
    assert by_code(c, "cx-1")["finalStatus"] is True
    # cancelling a final order: 409
    again = c.delete(f"{ORDERS}/cx-1", headers={"If-Match": etag(c)})
    assert again.status_code == 409


def test_single_order_replies_order_id(server, c):
    r = c.post(ORDERS, json=_single("single-1"))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"orderId", "updateOrderId"} and isinstance(body["orderId"], int)
    o = by_code(c, "single-1")
    assert o["orderId"] == body["orderId"] and o["type"] == "LIMIT" and o["side"] == "BUY"


def test_duplicate_order_code_is_409_code_100_and_changes_nothing(server, c):
    c.post(ORDERS, json=_single("dup-1"))
    before = state(server)
    r = c.post(ORDERS, json=_single("dup-1", limitPrice="1.06000"))
    assert r.status_code == 409
    assert r.json() == {"errorCode": "100",
                        "description": "Order with this id already exists (dup-1)"}  # fmt: skip
    assert state(server) == before


def test_duplicate_code_of_a_final_order_is_still_409(server, c):
    c.post(ORDERS, json=_single("dup-final"))
    c.delete(f"{ORDERS}/dup-final", headers={"If-Match": etag(c)})
    r = c.post(ORDERS, json=_single("dup-final"))
    assert r.status_code == 409 and r.json()["errorCode"] == "100"


def test_market_order_fills_against_the_quote(server, c):
    body = _single("mkt-1", type="MARKET", limitPrice=None)
    del body["limitPrice"]
    r = c.post(ORDERS, json=body)
    assert r.status_code == 200, r.text
    o = by_code(c, "mkt-1")
    assert o["status"] == "COMPLETED"
    # section 3.8: executions are every status change, chronological (acceptance, then trade)
    new, ex = o["executions"]
    assert (new["status"], new["lastQuantity"], "lastPrice" in new) == ("WORKING", 0, False)
    assert ex["lastPrice"] == 1.0901 and ex["lastQuantity"] == 1000
    pos = c.get("/accounts/default%3AACC12345/positions").json()["positions"]
    eur = next(p for p in pos if p["symbol"] == "EUR/USD")
    assert eur["side"] == "BUY" and eur["quantity"] >= 1000


def test_history_filters_and_paging(server, c):
    for i in range(3):
        c.post(ORDERS, json=_single(f"hist-{i}"))
    r = c.get(f"{ORDERS}/history", params={"with-client-id": "hist-0,hist-1,hist-2",
                                           "page-size": 2, "page": 1})  # fmt: skip
    assert r.status_code == 200
    page1 = r.json()
    assert [o["orderCode"] for o in page1["orders"]] == ["hist-2", "hist-1"]
    assert "nextPageTransactionTime" in page1
    page2 = c.get(f"{ORDERS}/history", params={"with-client-id": "hist-0,hist-1,hist-2",
                                               "page-size": 2, "page": 2}).json()  # fmt: skip
    assert [o["orderCode"] for o in page2["orders"]] == ["hist-0"]
    # POST form with the same filters
    posted = c.post(f"{ORDERS}/history", data={"with-client-id": "hist-1", "of-type": "limit"})
    assert [o["orderCode"] for o in posted.json()["orders"]] == ["hist-1"]
    canceled = c.get(f"{ORDERS}/history", params={"in-status": "CANCELED", "side": "BUY"})
    assert all(o["status"] == "CANCELED" for o in canceled.json()["orders"])


def test_history_bad_query_is_400_code_31(server, c):
    r = c.get(f"{ORDERS}/history", params={"page": "x"})
    assert r.status_code == 400 and r.json()["errorCode"] == "31"


def test_open_orders_of_several_accounts(server, c):
    r = c.get("/accounts/orders", params={"accounts": f"{ACC},123456"})
    assert r.status_code == 200 and "ETag" in r.headers
    assert {o["account"] for o in r.json()["orders"]} <= {ACC, "123456"}
    missing = c.get("/accounts/orders")
    assert missing.status_code == 400 and missing.json()["errorCode"] == "31"


def test_portfolio(server, c):
    r = c.get("/accounts/default%3AACC12345/portfolio")
    assert r.status_code == 200
    (pf,) = r.json()["portfolios"]
    assert pf["account"] == ACC
    usd = next(b for b in pf["balances"] if b["currency"] == "USD")
    assert usd["value"] > 0


def test_cancel_group_cancels_parent_and_then_orders(server, c):
    c.post(ORDERS, json=if_then("-g"))
    r = c.delete(f"{ORDERS}/group",
                 params={"order-codes": "entry-1-g,sl-1-g,tp-1-g", "contingency-type": "IF-THEN"},
                 headers={"If-Match": etag(c)})  # fmt: skip
    assert r.status_code == 200, r.text
    assert len(r.json()["orderResponses"]) == 3
    for code in ("entry-1-g", "sl-1-g", "tp-1-g"):
        assert by_code(c, code)["status"] == "CANCELED"
    # the THEN orders remain without quantity (seed 002)
    assert by_code(c, "tp-1-g")["legs"][0]["quantity"] == 0
