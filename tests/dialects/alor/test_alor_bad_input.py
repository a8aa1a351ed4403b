"""Bad input to the Alor dialect over HTTP against a real server: a clear 400 (403 for a
portfolio of another user) in Alor's own format, naming the field, and no change of state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alor_helpers import (
    SBER,
    C,
    G,
    alice_client,
    c,
    limit,
    make_group,
    member,
    place,
    send,
    server,
    state,
    stop,
    trade,
)


@pytest.fixture(scope="module")
def orders(server, c):
    """A working limit, a working stop, a filled limit of demo's, and one of alice's."""
    live = place(c, "limit", limit("120.00"))
    live_stop = place(c, "stop", stop("110.00"))
    filled = place(c, "limit", limit("250.00"))
    trade(server, "250.00", "10")
    with alice_client(server) as a:
        r = a.post("/api/v1/orders", json={"account": "ALICE-1", "symbol": "IBM", "side": "Buy",
                                           "ord_type": "Limit", "quantity": "10",
                                           "price": "100.00"})  # fmt: skip
        assert r.status_code == 201, r.text
        foreign = str(r.json()["order_id"])
    return {"live": live, "stop": live_stop, "filled": filled, "foreign": foreign}


ORDER_CASES = [
    # (kind, body, field, code)
    ("limit", limit(user={"portfolio": "NOPE1"}), "user.portfolio", "UnknownPortfolio"),
    ("limit", limit("142.525"), "price", "InvalidPrice"),
    ("limit", limit("-1"), "price", "InvalidPrice"),
    ("limit", limit(qty=0), "quantity", "InvalidQuantity"),
    ("limit", {**limit(), "quantity": 1.5}, "quantity", "InvalidQuantity"),
    ("limit", limit(side="hold"), "side", "BadRequest"),
    ("limit", limit(timeInForce="forever"), "timeInForce", "BadRequest"),
    ("limit", {k: v for k, v in limit().items() if k != "price"}, "price", "MissingField"),
    ("limit", {k: v for k, v in limit().items() if k != "user"}, "user", "MissingField"),
    ("limit", limit(instrument={**SBER, "symbol": "NOPE"}), "instrument.symbol",
     "UnknownInstrument"),
    ("limit", limit(instrument={**SBER, "exchange": "SPBX"}), "instrument.exchange",
     "UnknownInstrument"),
    ("limit", limit(instrument={**SBER, "instrumentGroup": "TQTF"}),
     "instrument.instrumentGroup", "UnknownInstrument"),
    ("stop", stop(condition="Sideways"), "condition", "BadRequest"),
    ("stop", stop(condition=None), "condition", "MissingField"),
    ("stop", stop(trigger="135.001"), "triggerPrice", "InvalidPrice"),
    ("stop", stop(protectingSeconds=301), "protectingSeconds", "BadRequest"),
    ("stopLimit", stop(), "price", "MissingField"),
    # engine refusals carry the wire's field and a code of the dialect's family
    ("stop", stop(stopEndUnixTime=1000), "stopEndUnixTime", "ExpireTimeInPast"),
    ("stopLimit", stop(price=Decimal("135.00"), stopEndUnixTime=1000), "stopEndUnixTime",
     "ExpireTimeInPast"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "body", "field", "code"), ORDER_CASES)
def test_bad_order_is_a_400_naming_the_field_and_changes_nothing(
    server, c, orders, kind, body, field, code
):
    # Arrange
    before = state(server)
    # Act
    r = send(c, "POST", f"{C}/actions/{kind}", body)
    # Assert
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field and r.json()["code"] == code
    assert r.json()["message"]
    assert state(server) == before


def test_not_json_is_a_400(server, c):
    before = state(server)
    r = c.post(f"{C}/actions/limit", content=b"{nope", headers={"X-REQID": "x1"})
    assert r.status_code == 400 and r.json()["code"] == "InvalidBody"
    assert state(server) == before


def test_portfolio_of_another_user_is_403(server, c):
    before = state(server)
    r = send(c, "POST", f"{C}/actions/limit", limit(user={"portfolio": "ALICE-1"}))
    assert r.status_code == 403 and r.json()["code"] == "Forbidden"
    assert state(server) == before


def test_modify_of_a_foreign_or_unknown_order_is_a_400(server, c, orders):
    before = state(server)
    for oid in (orders["foreign"], "999999", orders["filled"]):
        r = send(c, "PUT", f"{C}/actions/limit/{oid}", limit("121.00"))
        assert r.status_code == 400 and r.json()["code"] == "OrderNotFound"
    r = send(c, "PUT", f"{C}/actions/stop/{orders['live']}", stop())
    assert r.status_code == 400 and r.json()["field"] == "type"
    assert state(server) == before


def test_cancel_of_a_foreign_order_is_order_to_cancel_not_found(server, c, orders):
    before = state(server)
    r = c.delete(f"{C}/{orders['foreign']}", params={"portfolio": "ALICE-1", "exchange": "SPBX"})
    assert r.status_code == 400 and r.json()["code"] == "OrderToCancelNotFound (404)"
    assert state(server) == before


GROUP_CASES = [
        (lambda o: [member(o["live"], "Limit"), member(o["foreign"], "Limit")],
         "OnExecuteOrCancel", "orders[1].orderId",
         "Forbidden attempt to modify an order ({foreign}) not owned by the user"),
        (lambda o: [member(o["live"], "Limit"), member(o["filled"], "Limit")],
         "OnExecuteOrCancel", "orders[1].orderId", "order is Filled"),
        (lambda o: [member(o["live"], "Limit"), member("999999", "Limit")],
         "IgnoreCancel", "orders[1].orderId", "not found"),
        (lambda o: [member(o["live"], "Limit"), member(o["stop"], "Stop")],
         "OneCancelsOther", "executionPolicy", "executionPolicy"),
        (lambda o: [member(o["live"], "Limit"), member(o["stop"], "Iceberg")],
         "IgnoreCancel", "orders[1].type", "order type"),
        (lambda o: [member(o["live"], "Limit"), {**member(o["stop"], "Stop"),
                                                 "portfolio": "ALICE-1"}],
         "IgnoreCancel", "orders[1].portfolio", "not in portfolio"),
        (lambda o: [], "IgnoreCancel", "orders", "needs orders"),
        (lambda o: [member(o["live"], "Limit"), member(o["stop"], "Stop")],
         "TriggerBracketOrders", "orders[1].orderId", "must be inactive"),
        (lambda o: [member(o["stop"], "Stop")],
         "TriggerBracketOrders", "orders", "one limit order"),
        # the declared type (section 2.8) must be the order's
        (lambda o: [member(o["live"], "Stop"), member(o["stop"], "Stop")],
         "OnExecuteOrCancel", "orders[0].type", "Order ({live}) is a Limit order, not Stop"),
        (lambda o: [member(o["live"], "Limit"), member(o["stop"], "StopLimit")],
         "IgnoreCancel", "orders[1].type", "Order ({stop}) is a Stop order, not StopLimit"),
        (lambda o: [member(o["live"], "Market"), member(o["stop"], "Stop")],
         "IgnoreCancel", "orders[0].type", "is a Limit order, not Market"),
]  # fmt: skip
"""(members of ``orders``, executionPolicy, wire field, detail): refused alike by POST and PUT."""


@pytest.fixture(scope="module")
def active_group(c, orders) -> str:
    """An Active OnExecuteOrCancel group of two working limits, for PUTs that must fail."""
    a, b = place(c, "limit", limit("118.00")), place(c, "limit", limit("117.00"))
    return make_group(c, [member(a, "Limit"), member(b, "Limit")], "OnExecuteOrCancel")


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(("members", "policy", "field", "detail"), GROUP_CASES)
def test_bad_group_is_a_400_in_the_group_shape_and_changes_nothing(
    server, c, orders, active_group, method, members, policy, field, detail
):
    # Arrange: POST creates a group; PUT replaces an Active one and must check the same
    path = G if method == "POST" else f"{G}/{active_group}"
    before = state(server)
    # Act
    r = send(c, method, path, {"orders": members(orders), "executionPolicy": policy})
    # Assert
    assert r.status_code == 400, r.text
    body = r.json()
    assert (body["title"], body["status"], body["field"]) == ("BadRequest", 400, field)
    assert detail.format(**orders) in body["detail"]
    assert state(server) == before


def test_change_of_a_closed_group_names_the_wire_field(server, c, orders):
    # Arrange: a group deleted (closed Canceled)
    a, b = place(c, "limit", limit("116.00")), place(c, "limit", limit("115.00"))
    gid = make_group(c, [member(a, "Limit"), member(b, "Limit")], "IgnoreCancel")
    assert c.delete(f"{G}/{gid}").status_code == 200
    before = state(server)
    # Act
    put = send(c, "PUT", f"{G}/{gid}", {"orders": [member(a, "Limit")],
                                        "executionPolicy": "IgnoreCancel"})  # fmt: skip
    delete = c.delete(f"{G}/{gid}")
    # Assert: the engine's ``group_id`` is the path's ``orderGroupId`` (section 2.5)
    for r in (put, delete):
        assert r.status_code == 400, r.text
        assert r.json()["field"] == "orderGroupId"
    assert state(server) == before


def test_unknown_group_is_404_and_a_foreign_group_is_invisible(server, c, orders):
    before = state(server)
    r = c.get(f"{G}/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["status"] == 404
    r = c.delete(f"{G}/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404
    assert state(server) == before
