"""Bad input over the AlphaPoint gateway: the documented error (section 4.9, 4.3, 4.6) and no
change of state (no order created, nothing canceled, no engine event)."""

from __future__ import annotations

import json

import httpx
import pytest
from alphapoint_wire import ApWs, send_order, srv

from condor.api.dialects.alphapoint.session import signature

from server_fixtures import api_settings, running


@pytest.fixture
def ws(srv):
    with ApWs(srv.port) as w:
        w.login()
        yield w


def state(srv) -> tuple:
    """What a bad call must not change: the orders that are not Rejected (id, status, filled),
    live orders, groups, and account 9's cash, holds and positions. (An order the engine
    itself refuses is recorded as Rejected under a new id, as FIX does: that changes nothing.)"""
    with srv.runtime.read() as e:
        a = e.accounts["9"]
        orders = tuple(
            (o.order_id, o.status.value, o.cum_qty, o.qty)
            for o in e.orders.values()
            if o.status.value != "Rejected"
        )
        positions = tuple(sorted((s, p.qty, p.held_long, p.held_short)
                                 for s, p in a.positions.items()))  # fmt: skip
        return (orders, tuple(sorted(e.live)), tuple(sorted(e.groups.groups)),
                tuple(sorted(a.cash.items())), tuple(sorted(a.held_cash.items())), positions)  # fmt: skip


def rejected(reply: dict, code: int) -> None:
    assert reply["status"] == "Rejected", reply
    assert reply["errorcode"] == code, reply
    assert reply["errormsg"]


@pytest.mark.parametrize(
    ("fields", "code", "msg"),
    [
        ({"InstrumentId": 10_000}, 104, "Instrument not Found"),
        ({"OMSId": 2}, 100, "Invalid Request"),
        ({"AccountId": 555}, 20, "Not Authorized"),
        ({"Side": 3}, 100, "Invalid Request"),
        ({"OrderType": 0}, 100, "Invalid Request"),
        ({"OrderType": 7}, 106, "Operation Not Supported"),
        ({"TimeInForce": 0}, 100, "Invalid Request"),
        ({"LimitPrice": "100.001"}, 100, "Invalid_Price"),
        ({"Quantity": "abc"}, 100, "Invalid Request"),
        ({"Quantity": 0}, 100, "Invalid_Quantity"),
        ({"OrderType": 5, "TrailingAmount": 0}, 100, "Invalid Request"),
        ({"UseDisplayQuantity": True}, 100, "Invalid Request"),
        ({"OrderIdOCO": 999_999}, 104, "Resource Not Found"),
        ({"Value": 1000}, 106, "Operation Not Supported"),
        ({"PegPriceType": 9}, 100, "Invalid Request"),
        ({"OrderType": 3, "StopPrice": 500, "PegPriceType": -1}, 100, "Invalid Request"),
        ({"ClientOrderId": -5}, 100, "Invalid Request"),
        ({"ClientOrderId": 2**63}, 100, "Invalid Request"),
        ({"ClientOrderId": 2**70}, 100, "Invalid Request"),
    ],
)
def test_send_order_refused_changes_nothing(srv, ws, fields, code, msg):
    # Arrange
    before = state(srv)
    # Act
    reply = send_order(ws, **fields)
    # Assert
    rejected(reply, code)
    assert reply["errormsg"] == msg
    assert reply["OrderId"] == 0
    assert state(srv) == before


def test_detail_names_the_instrument(ws):
    reply = send_order(ws, InstrumentId=10_000)
    assert reply["detail"] == "Invalid InstrumentId: 10000"


def test_engine_rejection_is_rejected_with_apex_spelling(srv, ws):
    # Arrange: 1,000 IBM is all the account has; selling 5,000 needs a position it lacks
    before = state(srv)
    # Act
    reply = send_order(ws, Side=1, Quantity=5000, LimitPrice=400)
    # Assert
    rejected(reply, 101)
    assert reply["errormsg"] == "Not_Enough_Funds"
    assert state(srv) == before


def test_duplicate_client_order_id_is_invalid_client_order_id(srv, ws):
    first = send_order(ws, ClientOrderId=31337, LimitPrice=50)
    assert first["status"] == "Accepted"
    before = state(srv)
    reply = send_order(ws, ClientOrderId=31337, LimitPrice=51)
    rejected(reply, 101)
    assert reply["errormsg"] == "Invalid_ClientOrderId"
    assert state(srv) == before


def test_foreign_account_reads_and_cancels_are_not_authorized(srv):
    # Arrange: demo's order on account 9; alice trades only ALICE-1
    with ApWs(srv.port) as demo:
        demo.login()
        oid = send_order(demo, LimitPrice=60)["OrderId"]
    before = state(srv)
    with ApWs(srv.port) as alice:
        alice.login("alice", "alice-pw")
        # Act / Assert
        for n, o in [
            ("GetOpenOrders", {"OMSId": 1, "AccountId": 9}),
            ("GetAccountPositions", {"OMSId": 1, "AccountId": 9}),
            ("CancelAllOrders", {"OMSId": 1, "AccountId": 9}),
            ("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 9}),
        ]:
            r = alice.call(n, o)
            assert r == {"result": False, "errormsg": "Not Authorized", "errorcode": 20,
                         "detail": r["detail"]}, n  # fmt: skip
        r = alice.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
        assert (r["result"], r["errorcode"], r["errormsg"]) == (False, 104, "Resource Not Found")
        r = alice.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
        assert r["errorcode"] == 104
    assert state(srv) == before


def test_calls_before_authentication_are_not_authorized(srv):
    before = state(srv)
    with ApWs(srv.port) as ws:
        r = send_order(ws)
        rejected(r, 20)
        r = ws.call("GetOpenOrders", {"OMSId": 1, "AccountId": 9})
        assert (r["result"], r["errorcode"]) == (False, 20)
    assert state(srv) == before


def test_bad_signature_and_bad_password_do_not_authenticate(srv):
    good = signature("demo-secret", "123", "6", "demo-key")
    bad = [
        {"APIKey": "demo-key", "Signature": "0" * 64, "UserId": "6", "Nonce": "123"},
        {"APIKey": "demo-key", "Signature": good, "UserId": "7", "Nonce": "123"},
        {"APIKey": "demo-key", "Signature": good, "UserId": "6", "Nonce": "124"},
        {"APIKey": "nope", "Signature": good, "UserId": "6", "Nonce": "123"},
        {"UserName": "demo", "Password": "wrong"},
    ]
    with ApWs(srv.port) as ws:
        for creds in bad:
            r = ws.call("AuthenticateUser", creds)
            assert r["authenticated"] is False and r["errormsg"] == "Invalid username or password"
        # still not authenticated
        assert send_order(ws)["errorcode"] == 20
        # the good signature does authenticate (numbers for UserId/Nonce accepted, 3.x)
        ok = ws.call("AuthenticateUser", {"APIKey": "demo-key", "Signature": good, "UserId": 6,
                                          "Nonce": 123})  # fmt: skip
        assert ok["authenticated"] is True and ok["user"]["userId"] == 6


def test_malformed_frames(srv):
    before = state(srv)
    with ApWs(srv.port) as ws:
        ws.login()
        # non-JSON text: no reply at all (section 4.3); the next request is answered normally
        ws.send_raw("this is not json")
        ws.send_raw("[1, 2]")
        assert ws.call("Ping", {}) == {"msg": "PONG"}
        # unknown function: m=5 with a plain string o
        f = ws.frame("NoSuchFunction", {})
        assert f == {"m": 5, "i": f["i"], "n": "NoSuchFunction", "o": "Endpoint Not Found"}
        # o that is not JSON: m=1 generic error 100
        f = ws.frame("SendOrder", "{not json")
        assert f["m"] == 1
        assert json.loads(f["o"])["errorcode"] == 100
        # o of the wrong shape
        r = ws.call("SendOrder", [1, 2, 3])
        rejected(r, 100)
    assert state(srv) == before


def test_modify_order_cannot_increase(srv, ws):
    oid = send_order(ws, Quantity=5, LimitPrice=70)["OrderId"]
    before = state(srv)
    r = ws.call("ModifyOrder", {"OMSId": 1, "OrderId": oid, "InstrumentId": 4, "Quantity": 6})
    assert (r["result"], r["errorcode"]) == (False, 100)
    assert state(srv) == before


def test_http_bad_input(srv):
    before = state(srv)
    base = f"{srv.url}/AP"
    r = httpx.post(f"{base}/SendOrder", json={"OMSId": 1}, headers={"aptoken": "garbage"})
    assert r.status_code == 200 and r.json()["errorcode"] == 20
    r = httpx.post(f"{base}/NoSuchFunction", json={})
    assert r.status_code == 404 and r.json()["errorcode"] == 104
    r = httpx.post(f"{base}/GetOpenOrders", content=b"{bad", headers={"APIKey": "demo-key"})
    assert r.status_code == 200 and r.json()["errorcode"] == 100
    nonce, sig = "9", signature("demo-secret", "9", "6", "demo-key")
    h = {"APIKey": "demo-key", "Signature": sig[:-1] + "0", "UserId": "6", "Nonce": nonce}
    r = httpx.post(f"{base}/CancelAllOrders", json={"OMSId": 1, "AccountId": 9}, headers=h)
    assert r.json()["errorcode"] == 20
    r = httpx.post(f"{base}/AuthenticateUser", headers=h)
    assert r.json()["authenticated"] is False
    assert state(srv) == before


@pytest.mark.parametrize("cl", [-1, 2**63])
def test_client_order_id_outside_a_long_is_refused_naming_the_field(srv, ws, cl):
    oid = send_order(ws, LimitPrice=52)["OrderId"]
    before = state(srv)
    # Act / Assert: every request carrying a client order id
    r = send_order(ws, ClientOrderId=cl, LimitPrice=53)
    rejected(r, 100)
    assert r["detail"].startswith("ClientOrderId")
    r = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "ClOrderId": cl})
    assert (r["errorcode"], r["detail"].split(":")[0]) == (100, "ClOrderId")
    r = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": oid, "clientOrdId": cl,
                                       "limitPrice": 54, "quantity": 1})  # fmt: skip
    assert (r["errorcode"], r["detail"].split(":")[0]) == (100, "ClientOrdId")
    r = ws.call("GetOrdersHistory", {"omsId": 1, "accountId": 9, "clientOrderId": cl})
    assert (r["errorcode"], r["detail"].split(":")[0]) == (100, "ClientOrderId")
    assert state(srv) == before


def test_largest_client_order_id_reads_back_and_filters(ws):
    big = 2**63 - 1
    oid = send_order(ws, ClientOrderId=big, LimitPrice=55)["OrderId"]
    st = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    assert st["ClientOrderId"] == big
    hist = ws.call("GetOrdersHistory", {"omsId": 1, "accountId": 9, "clientOrderId": big})
    assert [o["OrderId"] for o in hist] == [oid]
    assert ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "ClOrderId": big})["result"]


def test_cancel_replace_peg_price_type_out_of_range(srv, ws):
    oid = send_order(ws, LimitPrice=56)["OrderId"]
    before = state(srv)
    r = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": oid, "pegPriceType": 9,
                                       "limitPrice": 57, "quantity": 1})  # fmt: skip
    assert (r["errorcode"], r["detail"]) == (100, "Invalid PegPriceType: 9")
    assert state(srv) == before


@pytest.mark.parametrize("qty", [0, -1, "0.5"])
def test_modify_order_invalid_quantity_is_invalid_request_without_event(srv, ws, qty):
    # Arrange
    ws.call("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 9})
    oid = send_order(ws, Quantity=5, LimitPrice=71)["OrderId"]
    before = state(srv)
    # Act
    r = ws.call("ModifyOrder", {"OMSId": 1, "OrderId": oid, "InstrumentId": 4, "Quantity": qty})
    # Assert: 100, nothing changed, and no reject event before the next change's event
    assert (r["result"], r["errorcode"], r["errormsg"]) == (False, 100, "Invalid Request")
    assert state(srv) == before
    ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    ws.event(lambda e: e["_n"] == "OrderStateEvent" and e["OrderId"] == oid
             and e["OrderState"] == "Canceled")  # fmt: skip
    assert "CancelReplaceOrderRejectEvent" not in [e["n"] for e in ws.events]
