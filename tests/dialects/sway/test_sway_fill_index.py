"""Sway's order objects carry their ``executions`` (wire-formats.md 3.8) from the runtime's
executions log through its per-order index: once the index has caught up with the fills since
the last read (once per fill), a read costs the shown orders' fills, not a walk over the whole
log (it walked every fill of every account on each open-orders, history and portfolio read).
Counted, never timed (``order_lookups``)."""

from __future__ import annotations

from sway_fixtures import ACC_URL, ORDERS, by_code, cs, server

from order_lookups import counted_fills

from server_fixtures import limit_order, quote

OTHERS = 200


def test_order_reads_do_not_walk_the_whole_fills_log(server, cs):
    # Arrange: a Sway order that fills, then many fills of another account
    c, op = cs
    body = {"orderCode": "fx-fill-1", "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": "1.09010", "tif": "GTC"}  # fmt: skip
    assert c.post(ORDERS, json=body).status_code == 200
    with server.client("demo") as native:
        for _ in range(OTHERS):
            r = native.post("/api/v1/orders", json=limit_order(side="Sell", qty="1"))
            assert r.status_code == 201, r.text
    quote(op, "IBM", "100.50", "100.60")
    assert len(server.runtime.fills) > OTHERS
    assert by_code(c, "fx-fill-1")["status"] == "COMPLETED"  # the index catches up once
    # Act
    with counted_fills(server) as counter:
        filled = by_code(c, "fx-fill-1")
        opened = c.get(ORDERS)
        portfolio = c.get(f"/accounts/{ACC_URL}/portfolio")
        read = counter.read
    # Assert: the order's own fill, and no walk over the other account's fills
    assert [x["lastQuantity"] for x in filled["executions"]] == [1000], filled
    assert opened.status_code == 200 and portfolio.status_code == 200
    assert read < OTHERS, read
