"""Groups over HTTP with their events on the WebSocket stream: a bracket placed over HTTP fills
on injected quotes, its cascade arrives on the stream in engine order, and ``explain`` walks the
stop-loss's cancel back to the take-profit fill and the quote that caused it."""

from __future__ import annotations

from server_fixtures import demo, limit_order, quote, recv_until, server


def _bracket(account="123456", symbol="IBM"):
    return {
        "kind": "Bracket",
        "validators": ["bracket_prices"],
        "members": [
            {"role": "entry", "order": limit_order(account, symbol, "Buy", "100", "250.00")},
            {"role": "take_profit", "order": limit_order(account, symbol, "Sell", "100", "260.00")},
            {
                "role": "stop_loss",
                "order": {
                    "account": account,
                    "symbol": symbol,
                    "side": "Sell",
                    "ord_type": "StopMarket",
                    "quantity": "100",
                    "stop_price": "240.00",
                },
            },
        ],
    }


def test_bracket_fills_on_injected_quotes_and_streams_its_cascade(server, demo):
    # Arrange
    quote(demo, "IBM", "251.00", "251.10")
    token = server.token("demo")
    with server.stream(token, types="order,group,execution") as ws:
        # Act 1: place the bracket
        r = demo.post("/api/v1/groups", json=_bracket())
        assert r.status_code == 201, r.text
        g = r.json()
        gid = g["group_id"]
        entry, tp, sl = (m["order_id"] for m in g["members"])
        assert [o["status"] for o in g["orders"]] == ["New", "Held", "Held"]
        # Act 2: the market comes down to the entry, then up to the take-profit
        quote(demo, "IBM", "249.90", "250.00")
        quote(demo, "IBM", "260.00", "260.10")
        msgs = recv_until(ws, lambda m: m["type"] == "group" and m["data"]["change"] == "closed")
    # Assert: stream sequence numbers are consecutive for this user and the cascade is ordered
    seqs = [m["seq"] for m in msgs]
    assert seqs == sorted(seqs)
    story = [
        (
            m["type"],
            m["data"].get("order_id"),
            m["data"].get("exec_type") or m["data"].get("change"),
        )
        for m in msgs
    ]
    assert story[0] == ("group", None, "created")
    assert ("order", entry, "Trade") in story and ("execution", entry, None) in story
    assert story.index(("order", tp, "Triggered")) > story.index(("order", entry, "Trade"))
    assert ("order", tp, "Trade") in story
    assert story.index(("order", sl, "Canceled")) > story.index(("order", tp, "Trade"))
    assert msgs[-1]["data"]["status"] == "Filled"
    got = demo.get(f"/api/v1/groups/{gid}").json()
    assert got["status"] == "Filled"
    assert [o["status"] for o in got["orders"]] == ["Filled", "Filled", "Canceled"]

    # explain: SL canceled by the Bracket rule because the TP traded on a quote
    ex = demo.get(f"/api/v1/orders/{sl}/explain").json()
    steps = ex["steps"]
    assert steps[0]["order_id"] == sl and steps[0]["ord_status"] == "Canceled"
    assert steps[0]["cause"]["kind"] == "rule" and steps[0]["cause"]["group_id"] == gid
    assert steps[1]["order_id"] == tp and steps[1]["exec_type"] == "Trade"
    assert steps[-1]["cause"]["kind"] == "market"
    assert steps[-1]["cause"]["market"]["bid"] == "260.00"


def test_group_over_existing_orders_get_list_edit_delete(demo):
    # Arrange: two resting orders
    a = demo.post("/api/v1/orders", json=limit_order(price="200.00")).json()["order_id"]
    b = demo.post("/api/v1/orders", json=limit_order(price="201.00")).json()["order_id"]
    # Act: create an OCO over them
    r = demo.post(
        "/api/v1/groups", json={"kind": "OCO", "members": [{"order_id": a}, {"order_id": b}]}
    )
    assert r.status_code == 201, r.text
    gid = r.json()["group_id"]
    listed = demo.get("/api/v1/groups", params={"status": "Active"}).json()["items"]
    edited = demo.put(f"/api/v1/groups/{gid}", json={"kind": "OUO"})
    deleted = demo.delete(f"/api/v1/groups/{gid}")
    again = demo.delete(f"/api/v1/groups/{gid}")
    # Assert
    assert gid in [g["group_id"] for g in listed]
    assert edited.status_code == 200 and edited.json()["kind"] == "OUO"
    assert deleted.status_code == 200 and deleted.json()["status"] == "Canceled"
    assert again.status_code == 409 and again.json()["reason"] == "group.not_active"
    # deleting a group changes no order
    assert demo.get(f"/api/v1/orders/{a}").json()["status"] == "New"
    assert demo.get("/api/v1/groups/not-a-group").status_code == 404


def test_custom_rules_group(demo):
    body = {
        "kind": "Custom",
        "rules": [{"on": "fill", "action": "cancel", "sources": [0], "targets": [1]}],
        "members": [
            {"order": limit_order(price="150.00")},
            {"order": limit_order(price="149.00")},
        ],
    }
    r = demo.post("/api/v1/groups", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "Custom" and r.json()["rules"][0]["action"] == "cancel"
    bad = demo.post("/api/v1/groups", json={**body, "rules": None})
    assert bad.status_code == 422 and bad.json()["reason"] == "group.invalid"
