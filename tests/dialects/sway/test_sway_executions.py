"""An order's ``executions`` (wire-formats.md section 3.8): its status changes, modifies,
cancels and trades in chronological order, in the open-orders list and the history alike,
from a memory-only server's report log or a journaled server's events table (also after a
SIGKILL restart)."""

from __future__ import annotations

import httpx
from sway_fixtures import ACC_URL, ORDERS, by_code, cs, etag, eurusd, server

from server_fixtures import quote, server_process

__all__ = ["cs", "server"]

ORDER = {"orderCode": "life-1", "type": "LIMIT", "instrument": "EUR/USD", "quantity": 10000,
         "positionEffect": "OPEN", "side": "BUY", "limitPrice": 1.0850, "tif": "GTC"}  # fmt: skip


def life(c: httpx.Client, op: httpx.Client, code: str) -> None:
    """A buy of 10,000 EUR/USD at 1.0850: accepted, limit moved to 1.0860, 4,000 filled by
    a quote of that size, canceled."""
    assert c.post(ORDERS, json=dict(ORDER, orderCode=code)).status_code == 200
    moved = {k: v for k, v in ORDER.items() if k != "type"} | {"orderCode": code,
                                                               "limitPrice": 1.0860}  # fmt: skip
    r = c.put(ORDERS, json=moved, headers={"If-Match": etag(c)})
    assert r.status_code == 200, r.text
    quote(op, "EUR/USD", "1.08500", "1.08550", bid_size="4000", ask_size="4000")
    eurusd(op, "1.09000", "1.09010")
    r = c.delete(f"{ORDERS}/{code}", headers={"If-Match": etag(c)})
    assert r.status_code == 200, r.text


def summary(executions: list[dict]) -> list[tuple]:
    return [(x["status"], x["finalStatus"], x["filledQuantity"], x["lastQuantity"],
             x["remainingQuantity"], x.get("lastPrice")) for x in executions]  # fmt: skip


LIFE = [
    ("WORKING", False, 0, 0, 10000, None),
    ("WORKING", False, 0, 0, 10000, None),
    ("WORKING", False, 4000, 4000, 6000, 1.086),
    ("CANCELED", True, 4000, 0, 0, None),
]


def test_executions_are_every_status_change_oldest_first(server, cs):
    # Arrange
    c, op = cs
    eurusd(op, "1.09000", "1.09010")
    # Act
    life(c, op, "life-1")
    o = by_code(c, "life-1")
    # Assert
    assert summary(o["executions"]) == LIFE
    times = [x["transactionTime"] for x in o["executions"]]
    assert times == sorted(times)
    codes = [int(x["executionCode"]) for x in o["executions"]]
    assert codes == sorted(set(codes))
    assert {(x["orderCode"], x["updateOrderId"], x["account"]) for x in o["executions"]} == {
        ("life-1", o["orderId"], "default:ACC12345")}  # fmt: skip
    assert o["executions"][2]["averagePrice"] == 1.086
    assert "averagePrice" not in o["executions"][0]


def test_open_orders_show_the_executions_so_far(server, cs):
    # Arrange
    c, op = cs
    eurusd(op, "1.09000", "1.09010")
    assert c.post(ORDERS, json=dict(ORDER, orderCode="life-open")).status_code == 200
    # Act
    (o,) = [o for o in c.get(ORDERS).json()["orders"] if o["orderCode"] == "life-open"]
    # Assert
    assert summary(o["executions"]) == LIFE[:1]
    c.delete(f"{ORDERS}/life-open", headers={"If-Match": etag(c)})


def test_executions_are_read_back_after_a_sigkill_restart(tmp_path):
    # Arrange: the order's life on a SQLite journal, then SIGKILL
    url = f"sqlite:///{tmp_path}/data/condor.db"

    def sway(s) -> httpx.Client:
        tok = httpx.post(f"{s.url}/dxsca-web/login", json={"username": "demo", "password": "demo"})
        return httpx.Client(base_url=f"{s.url}/dxsca-web", timeout=10,
                            headers={"Authorization": f"DXAPI {tok.json()['sessionToken']}"})  # fmt: skip

    with server_process(url, dialects=["sway"]) as s, sway(s) as c, s.client("operator") as op:
        eurusd(op, "1.09000", "1.09010")
        life(c, op, "life-k")
        before = by_code(c, "life-k")
        s.kill()
        # Act: restart on the same journal
        with server_process(url, dialects=["sway"]) as s2, sway(s2) as c2:
            after = by_code(c2, "life-k", f"/accounts/{ACC_URL}/orders")
    # Assert: the same executions, read from the events table
    assert summary(before["executions"]) == LIFE
    assert after == before
