"""Invalid input answers RFC 9457 problem+json naming the field; a refused command changes
nothing (no order, no hold)."""

from __future__ import annotations

import pytest

from server_fixtures import demo, limit_order, server

PROBLEM = "application/problem+json"


def _state(demo):
    orders = demo.get("/api/v1/orders", params={"account": "123456", "limit": 1000}).json()
    bal = demo.get("/api/v1/accounts/123456/balances").json()
    pos = demo.get("/api/v1/accounts/123456/positions").json()
    return len(orders["items"]), bal, pos


@pytest.mark.parametrize(
    ("body", "status", "field", "reason"),
    [
        (limit_order(price="100.001"), 422, "price", "validation.price_off_tick"),
        (limit_order(qty="abc"), 422, "quantity", "validation.invalid_field"),
        ({**limit_order(), "quantity": None}, 422, "quantity", "validation.invalid_field"),
        ({k: v for k, v in limit_order().items() if k != "quantity"}, 422, "quantity",
         "validation.missing_field"),
        (limit_order(side="Sideways"), 422, "side", "validation.invalid_field"),
        (limit_order(colour="red"), 422, "colour", "validation.invalid_field"),
        ({**limit_order(), "price": None}, 422, "price", "validation.missing_field"),
        (limit_order(qty="0"), 422, "quantity", "validation.non_positive_qty"),
        (limit_order(symbol="NOPE"), 422, "symbol", "validation.unknown_instrument"),
        (limit_order(account="SBER", symbol="SBER", qty="15"), 403, "account", "auth.not_authorized"),
        (limit_order(symbol="SBER", qty="15"), 422, "quantity", "validation.qty_off_lot"),
        (limit_order(qty="100000", price="100.00"), 409, "quantity", "risk.insufficient_funds"),
        (limit_order(side="Sell", qty="5000"), 409, "quantity", "risk.no_long_position"),
        (limit_order(time_in_force="GTD"), 422, "expire_time", "validation.missing_field"),
    ],
)  # fmt: skip
def test_invalid_order_is_problem_with_field_and_changes_nothing(demo, body, status, field, reason):
    # Arrange
    before = _state(demo)
    # Act
    r = demo.post("/api/v1/orders", json=body)
    # Assert
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    p = r.json()
    assert (p["field"], p["reason"], p["status"]) == (field, reason, status)
    assert p["title"] and p["detail"] and p["type"].startswith("urn:condor:problem:")
    assert _state(demo) == before


def test_repeated_cl_ord_id_answers_the_first_answer_and_creates_nothing(demo):
    # Arrange
    first = demo.post("/api/v1/orders", json=limit_order(cl_ord_id="dup-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    before = _state(demo)
    # Act: the same ClOrdID again, even with another price
    again = demo.post("/api/v1/orders", json=limit_order(cl_ord_id="dup-1", price="99.00"))
    # Assert
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _state(demo) == before


def test_a_cl_ord_id_of_128_characters_works_as_in_every_dialect_and_129_is_refused(demo):
    # Arrange: the README's bound, a ClOrdID of at most 128 printable characters
    long_id = "L" * 127 + "1"
    before = _state(demo)
    # Act
    r = demo.post("/api/v1/orders", json=limit_order(cl_ord_id=long_id))
    too_long = demo.post("/api/v1/orders", json=limit_order(cl_ord_id=long_id + "x"))
    # Assert: the 128-character one is an order, found by its ClOrdID; the 129th is refused
    assert r.status_code == 201, r.text
    found = demo.get(f"/api/v1/orders/by-cl-ord-id/{long_id}", params={"account": "123456"})
    assert found.status_code == 200 and found.json()["order_id"] == r.json()["order_id"]
    assert too_long.status_code == 422 and too_long.json()["field"] == "cl_ord_id"
    assert "128" in too_long.json()["detail"]
    demo.delete(f"/api/v1/orders/{r.json()['order_id']}")
    assert _state(demo)[1:] == before[1:]


def test_first_rejection_is_the_answer_to_a_repeated_cl_ord_id(demo):
    body = limit_order(qty="100000", price="100.00", cl_ord_id="dup-rejected")
    first = demo.post("/api/v1/orders", json=body)
    again = demo.post("/api/v1/orders", json={**body, "quantity": "1"})
    assert first.status_code == again.status_code == 409
    assert again.json()["reason"] == first.json()["reason"] == "risk.insufficient_funds"


def test_replace_to_the_cl_ord_id_of_an_open_order_is_409(demo):
    demo.post("/api/v1/orders", json=limit_order(cl_ord_id="dup-open"))
    other = demo.post("/api/v1/orders", json=limit_order(cl_ord_id="dup-other")).json()
    before = _state(demo)
    r = demo.post(f"/api/v1/orders/{other['order_id']}/replace", json={"cl_ord_id": "dup-open"})
    assert r.status_code == 409 and r.json()["field"] == "cl_ord_id"
    assert _state(demo) == before


def test_bad_modify_is_problem_and_order_unchanged(demo):
    oid = demo.post("/api/v1/orders", json=limit_order()).json()["order_id"]
    before = demo.get(f"/api/v1/orders/{oid}").json()
    off_tick = demo.patch(f"/api/v1/orders/{oid}", json={"price": "1.234"})
    no_stop = demo.patch(f"/api/v1/orders/{oid}", json={"stop_price": "90.00"})
    assert (off_tick.status_code, off_tick.json()["field"]) == (422, "price")
    assert (no_stop.status_code, no_stop.json()["field"]) == (422, "stop_price")
    assert demo.get(f"/api/v1/orders/{oid}").json() == before


def test_group_member_error_names_the_member_field_and_creates_nothing(demo):
    # Arrange
    before = _state(demo)
    body = {
        "kind": "OCO",
        "members": [
            {"order": limit_order(price="90.00")},
            {"order": limit_order(price="90.005")},
        ],
    }
    engine_body = {
        "kind": "OCO",
        "members": [
            {"order": limit_order(price="90.00")},
            {"order": {**limit_order(), "price": None}},
        ],
    }
    # Act
    conv = demo.post("/api/v1/groups", json=body)
    eng = demo.post("/api/v1/groups", json=engine_body)
    both = demo.post(
        "/api/v1/groups", json={"kind": "OCO", "members": [{"order_id": 1, "order": limit_order()}]}
    )
    # Assert
    assert conv.status_code == 422 and conv.json()["field"] == "members[1].order.price"
    assert eng.status_code == 422 and eng.json()["field"] == "members[1].order.price"
    assert eng.json()["reason"] == "validation.missing_field"
    assert both.status_code == 422 and both.json()["field"] == "members[0]"
    assert _state(demo) == before


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/api/v1/orders", b'{"account": "123456", "symbol": "IBM",'),
        ("/api/v1/orders", b"{'account': '123456'}"),
        ("/api/v1/groups", b"not json"),
        ("/api/v1/marketdata/{symbol}/quotes", b'{"bid": 1,}'),
    ],
)
def test_a_body_that_is_not_json_is_400_as_documented_and_changes_nothing(demo, path, content):
    # Arrange: the OpenAPI document's answer for a malformed body
    spec = demo.get("/openapi.json").json()
    assert spec["paths"][path]["post"]["responses"]["400"]["description"] == (
        "Malformed request body"
    )
    before = _state(demo)
    # Act
    url = path.replace("{symbol}", "IBM")
    r = demo.post(url, content=content, headers={"content-type": "application/json"})
    # Assert: 400 problem+json (not 422: no field is at fault), nothing created
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 400 and "field" not in body
    assert body["detail"].startswith("request body: invalid JSON (")
    assert _state(demo) == before


def test_bad_quote_is_422(demo):
    r = demo.post("/api/v1/marketdata/IBM/quotes", json={"bid": "101.00", "ask": "100.00"})
    assert r.status_code == 422 and r.json()["field"] == "ask"
    r = demo.post("/api/v1/marketdata/IBM/trades", json={"price": "100.005", "size": "1"})
    assert r.status_code == 422 and r.json()["field"] == "price"


def test_a_wrong_method_is_405_with_every_method_of_the_path_in_allow(demo):
    # Act: /api/v1/orders answers GET, POST and DELETE; PUT is none of them
    r = demo.put("/api/v1/orders", json={})
    # Assert: RFC 9110 Allow lists the path's methods (routes live in included routers)
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["allow"] == "DELETE, GET, POST"
