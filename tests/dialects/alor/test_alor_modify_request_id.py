"""A repeated modify (same ``X-REQID``/``X-ALOR-REQID``) is answered with Alor's duplicate
reply and changes nothing (wire-formats 2.4: "a repeat with the same value does not create a
second order; the server answers with a copy of the first response"; AlorPy sends
``<portfolio>;<orderId>;<quantity>`` on modify), over HTTP and over ``/cws`` (the command's
``guid`` is its request id). The first modify replaced the order it names, so the repeat
must not be refused as "order not found"."""

from __future__ import annotations

import json

import pytest
from alor_helpers import C, access_token, c, dumps, limit, order, place, send, server, state
from websockets.sync.client import connect

DUPLICATE = (
    "Request with such X-ALOR-REQID was already handled. We return the response to that request."
)


@pytest.mark.parametrize("header", ["X-REQID", "X-ALOR-REQID"])
def test_repeated_modify_answers_the_duplicate_reply_and_changes_nothing(server, c, header):
    # Arrange: a limit order modified once under AlorPy's request id
    old = place(c, "limit", limit("141.00", qty=2))
    rid = f"D39004;{old};3"
    first = send(c, "PUT", f"{C}/actions/limit/{old}", limit("141.50", qty=3), reqid=rid,
                 header=header)  # fmt: skip
    assert first.status_code == 200, first.text
    before = state(server)
    # Act: the client retries the same modify
    again = send(c, "PUT", f"{C}/actions/limit/{old}", limit("141.50", qty=3), reqid=rid,
                 header=header)  # fmt: skip
    # Assert
    assert again.status_code == 400, again.text
    assert again.json() == {"message": DUPLICATE,
                            "oldResponse": {"statusCode": 200, "body": first.json()}}  # fmt: skip
    assert state(server) == before
    assert order(c, first.json()["orderNumber"])["status"] == "working"


def test_modify_of_a_replaced_order_under_a_new_request_id_is_order_not_found(server, c):
    # Arrange
    old = place(c, "limit", limit("141.00"))
    assert send(c, "PUT", f"{C}/actions/limit/{old}", limit("141.20")).status_code == 200
    before = state(server)
    # Act: a different request id names the order that is gone
    r = send(c, "PUT", f"{C}/actions/limit/{old}", limit("141.30"))
    # Assert
    assert r.status_code == 400
    assert (r.json()["code"], r.json()["field"]) == ("OrderNotFound", "orderId")
    assert state(server) == before


def test_repeated_update_over_the_command_socket_is_a_duplicate(server, c):
    # Arrange
    old = place(c, "limit", limit("141.00"))
    body = {"opcode": "update:limit", "guid": "upd-1", "orderId": old,
            **json.loads(dumps(limit("141.40")))}  # fmt: skip
    with connect(f"ws://127.0.0.1:{server.port}/cws", open_timeout=5) as ws:
        ws.send(json.dumps({"opcode": "authorize", "guid": "a", "token": access_token(server)}))
        assert json.loads(ws.recv(timeout=5))["httpCode"] == 200
        ws.send(json.dumps(body))
        first = json.loads(ws.recv(timeout=5))
        assert first["httpCode"] == 200, first
        before = state(server)
        # Act
        ws.send(json.dumps(body))
        again = json.loads(ws.recv(timeout=5))
    # Assert
    assert (again["requestGuid"], again["httpCode"], again["message"]) == (
        "upd-1", 400, DUPLICATE,
    )  # fmt: skip
    assert again["oldResponse"]["body"]["orderNumber"] == first["orderNumber"]
    assert state(server) == before
