"""A Trading user can never see or touch another user's orders, groups or accounts: route by
route, and on the stream. ``demo`` owns the demo accounts; ``alice`` owns ``ALICE-1``."""

from __future__ import annotations

import pytest

from server_fixtures import (
    alice,
    api_settings,
    demo,
    limit_order,
    operator,
    quote,
    recv_until,
    running,
    server,
)


@pytest.fixture(scope="module")
def demo_stuff(demo):
    """An order, a filled order and a group of demo's, on account 123456."""
    o = demo.post("/api/v1/orders", json=limit_order(price="100.00", cl_ord_id="demo-secret"))
    quote(demo, "WMT", "94.00", "94.10")
    f = demo.post("/api/v1/orders", json=limit_order(symbol="WMT", price="95.00", qty="1")).json()
    g = demo.post(
        "/api/v1/groups",
        json={"kind": "OCO", "members": [{"order": limit_order(price="90.00")},
                                          {"order": limit_order(price="91.00")}]},
    )  # fmt: skip
    assert f["status"] == "Filled"
    return {"order": o.json()["order_id"], "filled": f["order_id"], "group": g.json()["group_id"]}


def _404(r):
    assert r.status_code == 404, (r.request.method, r.request.url, r.text)


def _403(r):
    assert r.status_code == 403, (r.request.method, r.request.url, r.text)
    assert r.json()["reason"] == "auth.not_authorized"


def test_orders_routes_hide_other_users_orders(alice, demo, demo_stuff):
    oid = demo_stuff["order"]
    _404(alice.get(f"/api/v1/orders/{oid}"))
    _404(alice.get(f"/api/v1/orders/{oid}/explain"))
    _404(alice.get("/api/v1/orders/by-cl-ord-id/demo-secret"))
    _404(alice.delete(f"/api/v1/orders/{oid}"))
    _404(alice.patch(f"/api/v1/orders/{oid}", json={"price": "1.00"}))
    _404(alice.post(f"/api/v1/orders/{oid}/replace", json={"price": "1.00"}))
    _403(alice.get("/api/v1/orders/by-cl-ord-id/demo-secret", params={"account": "123456"}))
    _403(alice.get("/api/v1/orders", params={"account": "123456"}))
    _403(alice.post("/api/v1/orders", json=limit_order(account="123456")))
    _403(alice.delete("/api/v1/orders", params={"account": "123456"}))
    mine = alice.get("/api/v1/orders", params={"limit": 1000}).json()["items"]
    assert all(o["account"] == "ALICE-1" for o in mine)
    # alice's cancel-all without an account touches only her own orders
    assert alice.delete("/api/v1/orders").json()["canceled"] == []
    # nothing alice did changed demo's order
    assert demo.get(f"/api/v1/orders/{oid}").json()["status"] == "New"


def test_account_routes_are_403_for_other_accounts(alice):
    for path in ("", "/balances", "/positions"):
        _403(alice.get(f"/api/v1/accounts/123456{path}"))
        _403(alice.get(f"/api/v1/accounts/NO-SUCH-ACCOUNT{path}"))
    assert [a["account_id"] for a in alice.get("/api/v1/accounts").json()] == ["ALICE-1"]
    _403(alice.get("/api/v1/positions", params={"account": "123456"}))
    assert {p["account"] for p in alice.get("/api/v1/positions").json()} == {"ALICE-1"}


def test_executions_hide_other_users_fills(alice, demo, demo_stuff):
    _403(alice.get("/api/v1/executions", params={"account": "123456"}))
    assert alice.get("/api/v1/executions").json()["items"] == []
    _404(alice.get(f"/api/v1/orders/{demo_stuff['filled']}"))
    mine = demo.get("/api/v1/executions", params={"order_id": demo_stuff["filled"]}).json()
    assert len(mine["items"]) == 1


def test_group_routes_hide_other_users_groups(alice, demo, demo_stuff):
    gid = demo_stuff["group"]
    oid = demo_stuff["order"]
    _404(alice.get(f"/api/v1/groups/{gid}"))
    _404(alice.put(f"/api/v1/groups/{gid}", json={"kind": "OUO"}))
    _404(alice.delete(f"/api/v1/groups/{gid}"))
    assert gid not in [g["group_id"] for g in alice.get("/api/v1/groups").json()["items"]]
    # a group over demo's order: the order is unknown to alice
    mine = alice.post("/api/v1/orders", json=limit_order(account="ALICE-1")).json()["order_id"]
    r = alice.post(
        "/api/v1/groups", json={"kind": "OCO", "members": [{"order_id": mine}, {"order_id": oid}]}
    )
    assert r.status_code == 422 and r.json()["field"] == "members[1].order_id"
    # a group with a new order on demo's account
    r = alice.post(
        "/api/v1/groups",
        json={"kind": "OCO", "members": [{"order": limit_order(account="ALICE-1")},
                                          {"order": limit_order(account="123456")}]},
    )  # fmt: skip
    _403(r)
    assert r.json()["field"] == "members[1].order.account"
    assert demo.get(f"/api/v1/groups/{gid}").json()["status"] == "Active"


def test_operator_sees_everything(operator, demo_stuff):
    assert operator.get(f"/api/v1/orders/{demo_stuff['order']}").status_code == 200
    assert operator.get(f"/api/v1/groups/{demo_stuff['group']}").status_code == 200
    accounts = {a["account_id"] for a in operator.get("/api/v1/accounts").json()}
    assert {"123456", "ALICE-1"} <= accounts


def test_stream_shows_each_user_only_its_own_events(server, alice, demo):
    # Arrange
    with (
        server.stream(server.token("alice"), types="order,group,execution,position") as wa,
        server.stream(server.token("demo"), types="order,group,execution,position") as wd,
    ):
        # Act: demo trades, then alice places a marker order
        quote(demo, "IBM", "99.00", "99.10")
        demo.post("/api/v1/orders", json=limit_order(price="99.10", qty="1"))
        demo.post(
            "/api/v1/groups",
            json={"kind": "OCO", "members": [{"order": limit_order(price="80.00")},
                                              {"order": limit_order(price="81.00")}]},
        )  # fmt: skip
        marker = alice.post(
            "/api/v1/orders", json=limit_order(account="ALICE-1", price="10.00", cl_ord_id="mk")
        ).json()["order_id"]
        seen_a = recv_until(wa, lambda m: m["data"].get("order_id") == marker)
        seen_d = recv_until(wd, lambda m: m["type"] == "group")
    # Assert: alice saw only her own account's events (her resting IBM buy may fill too)
    assert {m["data"]["account"] for m in seen_a} == {"ALICE-1"}
    assert seen_a[-1]["data"]["cl_ord_id"] == "mk"
    kinds = {m["type"] for m in seen_d}
    assert {"order", "execution", "position", "group"} <= kinds
    assert all(m["data"].get("account") in (None, "123456") for m in seen_d)


def test_market_control_needs_operator_outside_the_demo():
    # Arrange: same configuration with market control for Operators only
    with (
        running(api_settings(market_control="operator")) as s,
        s.client("demo") as d,
        s.client("operator") as op,
    ):
        # Act
        q = d.post("/api/v1/marketdata/IBM/quotes", json={"bid": "1.00", "ask": "1.01"})
        t = d.post("/api/v1/marketdata/IBM/trades", json={"price": "1.00", "size": "1"})
        c = d.put("/api/v1/clock", json={"now": "2030-01-01T00:00:00Z"})
        ok = op.post("/api/v1/marketdata/IBM/quotes", json={"bid": "1.00", "ask": "1.01"})
        # Assert
        for r in (q, t, c):
            _403(r)
        assert ok.status_code == 200 and ok.json()["bid"] == "1.00"
