"""Sway finds an order by ``orderCode`` (section 3.4: cancel and modify name the client id;
3.2: codes are unique per account, placement checks them) through the runtime's per-account
index: once it has caught up with the orders placed since the last read (once per order), a
look-up costs what that account's orders with the code cost, not a walk over every order id
the engine issued. Counted, never timed (``order_lookups``)."""

from __future__ import annotations

from sway_fixtures import ORDERS, by_code, cs, etag, server

from order_lookups import counted

from server_fixtures import limit_order

OTHERS = 300


def _single(code: str, **kw) -> dict:
    body = {"orderCode": code, "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": "1.07000", "tif": "GTC"}  # fmt: skip
    body.update(kw)
    return body


def test_code_look_ups_do_not_walk_other_accounts_orders(server, cs):
    # Arrange: an order placed and canceled, then many orders on another account
    c, _ = cs
    assert c.post(ORDERS, json=_single("idx-1")).status_code == 200
    assert c.delete(f"{ORDERS}/idx-1", headers={"If-Match": etag(c)}).status_code == 200
    with server.client("demo") as native:
        for _ in range(OTHERS):
            r = native.post("/api/v1/orders", json=limit_order(price="1.00"))
            assert r.status_code == 201, r.text
    assert c.post(ORDERS, json=_single("idx-0")).status_code == 200  # the index catches up
    tag = etag(c)
    # Act: cancel the finished order by its code, reuse the code, place a new one
    with counted(server) as counter:
        cancel = c.delete(f"{ORDERS}/idx-1", headers={"If-Match": tag})
        reuse = c.post(ORDERS, json=_single("idx-1"))
        fresh = c.post(ORDERS, json=_single("idx-2"))
        lookups = counter.lookups
    # Assert: no walk over the 300 others, and the same answers as ever
    assert lookups < OTHERS, lookups
    assert cancel.status_code == 409 and "final" in cancel.json()["description"]
    assert reuse.status_code == 409 and reuse.json()["errorCode"] == "100"
    assert fresh.status_code == 200, fresh.text
    assert by_code(c, "idx-2")["status"] == "WORKING"
