"""Alor WebSockets against a real server (wire-formats 2.10): ``/ws`` order and stop-order
subscriptions (snapshot, then live changes from the durable stream) and the ``/cws`` command
socket (authorize, create, update, delete)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from alor_helpers import (
    C,
    access_token,
    c,
    dumps,
    limit,
    order,
    place,
    send,
    server,
    stop,
)
from websockets.sync.client import connect


def recv_until(ws, pred, timeout: float = 5.0) -> list[dict]:
    """Frames until one satisfies ``pred`` (included); fails when none comes in time."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no matching frame; got {out}"
        m = json.loads(ws.recv(timeout=left))
        out.append(m)
        if pred(m):
            return out


def _ws(server, path: str):
    return connect(f"ws://127.0.0.1:{server.port}{path}", open_timeout=5)


def test_orders_subscription_snapshot_then_live_changes(server, c):
    # Arrange: one existing order
    old = place(c, "limit", limit("111.00"))
    guid = str(uuid.uuid4())
    sub = {"opcode": "OrdersGetAndSubscribeV2", "portfolio": "D39004", "exchange": "MOEX",
           "format": "Simple", "guid": guid, "token": access_token(server),
           "skipHistory": False}  # fmt: skip
    with _ws(server, "/ws") as ws:
        # Act 1
        ws.send(json.dumps(sub))
        # Assert 1: the ack, then the snapshot with existing=true
        ack = json.loads(ws.recv(timeout=5))
        assert ack == {"requestGuid": guid, "httpCode": 200, "message": "Handled successfully"}
        snap = recv_until(ws, lambda m: m["data"]["id"] == old)
        assert all(m["guid"] == guid and m["data"]["existing"] is True for m in snap)
        # Act 2: a new order, then its cancel
        new = place(c, "limit", limit("112.00"))
        c.delete(f"{C}/{new}", params={"portfolio": "D39004", "exchange": "MOEX"})
        # Assert 2: existing=false events for it, ending canceled
        frames = recv_until(
            ws, lambda m: m["data"]["id"] == new and m["data"]["status"] == "canceled"
        )
        assert frames[-1]["data"]["existing"] is False and frames[-1]["guid"] == guid
        # unsubscribe acks
        ws.send(json.dumps({"opcode": "unsubscribe", "guid": guid, "token": "x"}))
        recv_until(ws, lambda m: m.get("requestGuid") == guid and m.get("httpCode") == 200)


def test_stop_orders_subscription_and_bad_token(server, c):
    guid = str(uuid.uuid4())
    with _ws(server, "/ws") as ws:
        # bad token: a 401 status frame, no subscription
        ws.send(json.dumps({"opcode": "StopOrdersGetAndSubscribeV2", "guid": "g0",
                            "portfolio": "D39004", "exchange": "MOEX", "token": "bad"}))  # fmt: skip
        assert json.loads(ws.recv(timeout=5))["httpCode"] == 401
        ws.send(json.dumps({"opcode": "StopOrdersGetAndSubscribeV2", "guid": guid,
                            "portfolio": "D39004", "exchange": "MOEX", "skipHistory": True,
                            "format": "Slim", "token": access_token(server)}))  # fmt: skip
        assert json.loads(ws.recv(timeout=5))["httpCode"] == 200
        sid = place(c, "stop", stop("99.00", activate=False))
        frames = recv_until(ws, lambda m: m.get("data", {}).get("id") == int(sid))
        assert frames[-1]["data"]["cnd"] == "LessOrEqual" and frames[-1]["data"]["h"] is False


def test_command_socket_authorize_create_update_delete(server, c):
    with _ws(server, "/cws") as ws:
        # unauthorized first
        ws.send(json.dumps({"opcode": "create:limit", "guid": "g1", **_json(limit())}))
        assert json.loads(ws.recv(timeout=5)) == {
            "requestGuid": "g1", "httpCode": 401, "message": "authorize first",
        }  # fmt: skip
        # authorize
        ws.send(json.dumps({"opcode": "authorize", "guid": "a1", "token": access_token(server)}))
        assert json.loads(ws.recv(timeout=5)) == {
            "requestGuid": "a1", "httpCode": 200,
            "message": "The connection has been initialized.",
        }  # fmt: skip
        # create
        ws.send(json.dumps({"opcode": "create:limit", "guid": "g2", **_json(limit("113.00"))}))
        r = json.loads(ws.recv(timeout=5))
        assert (r["requestGuid"], r["httpCode"], r["message"]) == ("g2", 200, "success")
        oid = r["orderNumber"]
        assert order(c, oid)["price"] == 113.0
        # the same guid again: duplicate, nothing created
        ws.send(json.dumps({"opcode": "create:limit", "guid": "g2", **_json(limit("113.00"))}))
        assert json.loads(ws.recv(timeout=5))["httpCode"] == 400
        # bad quantity
        ws.send(json.dumps({"opcode": "create:limit", "guid": "g3", **_json(limit(qty=0))}))
        assert json.loads(ws.recv(timeout=5)) == {
            "requestGuid": "g3", "httpCode": 400, "message": "Invalid or unsupported quantity",
        }  # fmt: skip
        # update
        body = {"opcode": "update:limit", "guid": "g4", "orderId": oid, **_json(limit("113.50"))}
        ws.send(json.dumps(body))
        r = json.loads(ws.recv(timeout=5))
        assert r["httpCode"] == 200 and r["orderNumber"] != oid
        new = r["orderNumber"]
        assert order(c, oid)["status"] == "canceled" and order(c, new)["price"] == 113.5
        # delete
        ws.send(json.dumps({"opcode": "delete:limit", "guid": "g5", "orderId": new,
                            "exchange": "MOEX", "user": {"portfolio": "D39004"}}))  # fmt: skip
        r = json.loads(ws.recv(timeout=5))
        assert (r["httpCode"], r["orderNumber"]) == (200, new)
        assert order(c, new)["status"] == "canceled"


def test_an_http_order_is_canceled_over_the_command_socket(server, c):
    oid = place(c, "limit", limit("114.00"))
    with _ws(server, "/cws") as ws:
        ws.send(json.dumps({"opcode": "authorize", "guid": "a", "token": access_token(server)}))
        json.loads(ws.recv(timeout=5))
        ws.send(json.dumps({"opcode": "delete:limit", "guid": "d", "orderId": oid,
                            "exchange": "MOEX", "user": {"portfolio": "D39004"}}))  # fmt: skip
        assert json.loads(ws.recv(timeout=5))["httpCode"] == 200
    r = send(c, "PUT", f"{C}/actions/limit/{oid}", limit("114.50"))
    assert r.status_code == 400


def _json(body: dict) -> dict:
    """The body with Decimals as JSON numbers (through the helpers' encoder)."""
    return json.loads(dumps(body))
