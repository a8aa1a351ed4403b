"""THEN orders of IF-THEN groups and OCO quantities over HTTP on a real server
(wire-formats.md 3.5-3.6, contingency.md section 2, seed 002): a waiting THEN order keeps
taking its quantity from the IF order's fill (price modify keeps it position attached, a
quantity change is refused), an IF order against the account's net position is refused at
creation, and a modify cannot make OCO quantities differ. Each test uses its own account."""

from __future__ import annotations

import pytest
from sway_fixtures import by_code, clients, etag, eurusd, if_then, server, state


@pytest.fixture(scope="module")
def cs(server):
    with clients(server) as (sway, op):
        yield sway, op


def _put(c, orders: str, body: dict):
    return c.put(orders, json=body, headers={"If-Match": etag(c, orders)})


def _then_modify(code: str, **kw) -> dict:
    """The section 3.9 stop-loss resubmitted for a modify (no ``type``)."""
    body = {"orderCode": code, "instrument": "EUR/USD", "positionEffect": "CLOSE",
            "side": "SELL", "stopPrice": 1.0790, "tif": "GTC"}  # fmt: skip
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


def _refused_33(r, *words: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["errorCode"] == "33"
    for w in words:
        assert w in r.json()["description"]


@pytest.mark.parametrize("qty", [0, None], ids=["quantity-0", "quantity-absent"])
def test_modify_price_of_waiting_then_order_keeps_it_position_attached(server, cs, qty):
    # Arrange: the section 3.9 group, entry resting (needs the engine to accept a modify of
    # a Held position-attached order that keeps quantity 0)
    c, op = cs
    orders = "/accounts/default%3AACC12345/orders"
    eurusd(op, "1.09000", "1.09010")
    sfx = f"-w{qty}"
    assert c.post(orders, json=if_then(sfx)).status_code == 200
    # Act: move the waiting stop-loss, quantity as at placement (0 or absent)
    r = _put(c, orders, _then_modify(f"sl-1{sfx}", quantity=qty))
    # Assert: accepted, still waiting without quantity, at the new stop price
    assert r.status_code == 200, r.text
    sl = by_code(c, f"sl-1{sfx}", orders)
    assert sl["status"] == "ACCEPTED" and sl["legs"][0]["quantity"] == 0
    assert sl["legs"][0]["price"] == 1.079
    # the entry fills: the stop-loss works with the filled quantity at the new price
    eurusd(op, "1.08400", "1.08450")
    sl = by_code(c, f"sl-1{sfx}", orders)
    assert sl["status"] == "WORKING" and sl["legs"][0]["quantity"] == 10000
    assert sl["legs"][0]["price"] == 1.079
    # flat again for the other parameter: the take-profit fills
    eurusd(op, "1.09550", "1.09560")


def test_quantity_change_on_then_order_is_refused(server, cs):
    # Arrange: the section 3.9 group on 123456, entry resting
    c, op = cs
    orders = "/accounts/123456/orders"
    eurusd(op, "1.09000", "1.09010")
    assert c.post(orders, json=if_then("-q")).status_code == 200
    before = state(server, "123456")
    # Act 1: give the waiting take-profit a quantity
    tp = {"orderCode": "tp-1-q", "instrument": "EUR/USD", "quantity": 100,
          "positionEffect": "CLOSE", "side": "SELL", "limitPrice": 1.0950, "tif": "GTC"}  # fmt: skip
    r = _put(c, orders, tp)
    # Assert 1: 400 code 33 naming quantity and why; nothing changed
    _refused_33(r, "quantity:", "comes from the IF order's fill")
    assert state(server, "123456") == before
    # Act 2: the entry fills: both THEN orders get its 10,000
    eurusd(op, "1.08400", "1.08450")
    assert by_code(c, "tp-1-q", orders)["legs"][0]["quantity"] == 10000
    # Assert 2: a released THEN order's quantity cannot change either
    before = state(server, "123456")
    _refused_33(_put(c, orders, dict(tp, quantity=50000)), "quantity:", "cannot be changed")
    assert state(server, "123456") == before
    # resubmitting its current quantity (or none) with a new price is a plain modify
    ok = _put(c, orders, dict(tp, quantity=10000, limitPrice=1.0960))
    assert ok.status_code == 200, ok.text
    assert by_code(c, "tp-1-q", orders)["legs"][0]["price"] == 1.096


def _sell_if_then(sfx: str) -> dict:
    """The section 3.9 group mirrored: a sell IF order with buy THEN orders."""
    body = if_then(sfx, side="SELL", limitPrice=1.10)
    for then in body["orders"][1:]:
        then["side"] = "BUY"
    body["orders"][1]["stopPrice"] = 1.11
    body["orders"][2]["limitPrice"] = 1.05
    return body


def test_sell_if_order_on_a_flat_account_is_accepted(server, cs):
    c, op = cs
    eurusd(op, "1.09000", "1.09010")
    r = c.post("/accounts/D39004/orders", json=_sell_if_then("-f"))
    assert r.status_code == 200, r.text


def test_if_order_against_the_net_position_is_refused(server, cs):
    # Arrange: 123465 long 3,000 EUR/USD
    c, op = cs
    orders = "/accounts/123465/orders"
    eurusd(op, "1.09000", "1.09010")
    market = {"orderCode": "long-n", "type": "MARKET", "instrument": "EUR/USD",
              "quantity": 3000, "positionEffect": "OPEN", "side": "BUY"}  # fmt: skip
    assert c.post(orders, json=market).status_code == 200
    before = state(server, "123465")
    # Act: a sell IF order (it would sell the long, not open a short)
    r = c.post(orders, json=_sell_if_then("-n1"))
    # Assert: refused at creation naming the IF order and the reason; nothing changed
    _refused_33(r, "orders[0]:", "long position in EUR/USD", "netted per account")
    assert state(server, "123465") == before
    # an IF order on the position's side is accepted, and its THEN orders protect its fill
    buy = if_then("-n2", type="MARKET", quantity=1000, limitPrice=None)
    assert c.post(orders, json=buy).status_code == 200
    for code in ("sl-1-n2", "tp-1-n2"):
        o = by_code(c, code, orders)
        assert o["status"] == "WORKING" and o["legs"][0]["quantity"] == 1000


def test_users_report_position_based_accounts(server, cs):
    c, _ = cs
    r = c.get("/users/demo@default")
    assert r.status_code == 200 and r.headers["ETag"].startswith('"')
    for a in r.json()["userDetails"][0]["accounts"]:
        assert a["positionBased"] is True and a["accountType"] == "POSITION_BASED"


def test_oco_modify_to_unequal_quantities_is_refused(server, cs):
    # Arrange: an OCO pair of 2,000 on 987654
    c, op = cs
    orders = "/accounts/987654/orders"
    eurusd(op, "1.09000", "1.09010")
    leg = {"instrument": "EUR/USD", "quantity": 2000, "positionEffect": "OPEN", "side": "BUY",
           "tif": "GTC"}  # fmt: skip
    body = {"contingencyType": "OCO", "orders": [
        {**leg, "orderCode": "oco-l", "type": "LIMIT", "limitPrice": 1.06},
        {**leg, "orderCode": "oco-s", "type": "STOP", "stopPrice": 1.12},
    ]}  # fmt: skip
    assert c.post(orders, json=body).status_code == 200
    before = state(server, "987654")
    # Act
    modify = {k: v for k, v in body["orders"][0].items() if k != "type"}
    r = _put(c, orders, dict(modify, quantity=3000))
    # Assert: 400 code 33 naming quantity and the rule; nothing changed
    _refused_33(r, "quantity:", "OCO orders must have equal quantities", "oco-s")
    assert state(server, "987654") == before
    # a price change with the same quantity is fine
    ok = _put(c, orders, dict(modify, limitPrice=1.065))
    assert ok.status_code == 200, ok.text
