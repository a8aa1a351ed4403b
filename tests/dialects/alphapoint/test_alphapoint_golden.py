"""Golden tests: the seed's SendOrder request (004) and every example of spec section 4.11, over
a real WebSocket (and HTTP) against a real server."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from alphapoint_wire import ApWs, loads, send_order

from condor.api.settings import AccountConfig, InstrumentConfig, Role, UserConfig

from server_fixtures import api_settings, running

D = Decimal


@pytest.fixture(scope="module")
def seed_server():
    """Demo configuration plus account ``1`` (the seed's AccountId), traded by the operator."""
    accounts = [AccountConfig(account_id="1", owner="operator", cash={"USD": D(1_000_000)})]
    with running(api_settings(dialects=["alphapoint"], accounts=accounts)) as s:
        yield s


@pytest.fixture(scope="module")
def example_server():
    """Section 4.11's world: user ``alice``/``secret`` is user 6 with account 9, and
    instrument 9 trades at 31000 in whole units."""
    insts = [
        InstrumentConfig(symbol=f"SYM{n}", asset_class="equity", venue="X", tick_size=D("0.01"))
        for n in range(1, 9)
    ] + [
        InstrumentConfig(symbol="BTCUSD", asset_class="crypto", venue="X", tick_size=D("0.01"),
                         lot_size=D("0.0001"), calendar="crypto-24x7"),
    ]  # fmt: skip
    settings = api_settings(
        demo=False,
        dialects=["alphapoint"],
        instruments=insts,
        users=[
            UserConfig(
                username="alice", password="secret", role=Role.TRADING, accounts=["9"], user_id=6
            )
        ],
        accounts=[AccountConfig(account_id="9", owner="alice", cash={"USD": D(1_000_000)})],
    )
    with running(settings) as s:
        yield s


SEED_REQUEST = {
    "InstrumentId": 1,
    "OMSId": 1,
    "AccountId": 1,
    "TimeInForce": 1,
    "ClientOrderId": 1,
    "OrderIdOCO": 0,
    "UseDisplayQuantity": False,
    "Side": 0,
    "quantity": 1,
    "OrderType": 2,
    "PegPriceType": 3,
    "LimitPrice": 8800,
}


def test_seed_send_order_request_is_accepted_and_works(seed_server):
    # Arrange
    with ApWs(seed_server.port) as ws:
        ws.login("operator", "operator")
        assert ws.call("SubscribeAccountEvents", {"AccountId": 1, "OMSId": 1}, m=2)["Subscribed"]
        # Act
        reply = ws.call("SendOrder", SEED_REQUEST)
        # Assert: the seed's response shape, then the outcome as an event
        assert set(reply) >= {"status", "errormsg", "OrderId"}
        assert reply["status"] == "Accepted" and reply["errormsg"] == ""
        assert isinstance(reply["OrderId"], int) and reply["OrderId"] > 0
        ev = ws.event(lambda e: e["_n"] == "OrderStateEvent")
        assert ev["OrderId"] == reply["OrderId"]
        assert ev["Instrument"] == 1 and ev["Account"] == 1 and ev["ClientOrderId"] == 1
        assert (ev["Side"], ev["OrderType"], ev["OrderState"]) == ("Buy", "Limit", "Working")
        assert ev["Price"] == 8800 and ev["OrigQuantity"] == 1
    with seed_server.runtime.read() as e:
        o = e.orders[reply["OrderId"]]
        assert (o.account, o.inst.symbol, o.cl_ord_id) == ("1", "ARNA", "1")
        assert o.price == 880_000 and o.qty == 1 and o.tif.value == "GTC"


EXAMPLE_EVENT = {
    "Side": "Buy", "Price": 31000, "Quantity": 1, "Instrument": 9, "Account": 9,
    "OrderType": "Limit", "ClientOrderId": 0, "OrderState": "Working", "OrigQuantity": 1,
    "QuantityExecuted": 0, "AvgPrice": 0, "ChangeReason": "NewInputAccepted",
}  # fmt: skip


def test_websocket_order_round_trip_example(example_server):
    with ApWs(example_server.port) as ws:
        # Act: the exact frames of section 4.11
        ws.send_raw(
            '{"m":0,"i":2,"n":"AuthenticateUser","o":"{\\"UserName\\":\\"alice\\",\\"Password\\":\\"secret\\"}"}'
        )
        auth = ws.recv_frame()
        ws.send_raw(
            '{"m":0,"i":4,"n":"SubscribeAccountEvents","o":"{\\"AccountId\\":9,\\"OMSId\\":1}"}'
        )
        sub = ws.recv_frame()
        ws.send_raw(
            '{"m":0,"i":4,"n":"SendOrder","o":"{\\"InstrumentId\\":9,\\"OMSId\\":1,\\"AccountId\\":9,\\"TimeInForce\\":1,\\"ClientOrderId\\":0,\\"OrderIdOCO\\":0,\\"UseDisplayQuantity\\":false,\\"Side\\":0,\\"Quantity\\":1,\\"OrderType\\":2,\\"PegPriceType\\":3,\\"LimitPrice\\":31000}"}'
        )
        frames = [ws.recv_frame(), ws.recv_frame()]
    # Assert
    assert (auth["m"], auth["i"], auth["n"]) == (1, 2, "AuthenticateUser")
    a = loads(auth["o"])
    assert a["authenticated"] is True and a["errormsg"] == "" and a["SessionToken"]
    assert {k: a["user"][k] for k in ("userId", "userName", "accountId", "omsId")} == {
        "userId": 6, "userName": "alice", "accountId": 9, "omsId": 1,
    }  # fmt: skip
    assert loads(sub["o"])["Subscribed"] is True
    reply = next(f for f in frames if f["m"] == 1)
    event = next(f for f in frames if f["m"] == 3)
    assert (reply["i"], reply["n"]) == (4, "SendOrder")
    r = loads(reply["o"])
    assert r == {"status": "Accepted", "errormsg": "", "OrderId": r["OrderId"]}
    assert event["n"] == "OrderStateEvent" and isinstance(event["i"], int)
    ev = loads(event["o"])
    assert {k: ev[k] for k in EXAMPLE_EVENT} == EXAMPLE_EVENT
    assert ev["OrderId"] == r["OrderId"] and ev["ReceiveTime"] > 0


def test_http_cancel_example(example_server):
    # Arrange: a session token from the WebSocket, an order to cancel
    with ApWs(example_server.port) as ws:
        token = ws.login("alice", "secret")["SessionToken"]
        oid = send_order(ws, InstrumentId=9, LimitPrice=31000)["OrderId"]
    # Act: the request of section 4.11, verbatim but for the ids
    r = httpx.post(
        f"{example_server.url}/AP/CancelOrder",
        content=f'{{"OMSId":1,"OrderId":{oid},"AccountId":9}}',
        headers={"aptoken": token, "Content-Type": "application/json"},
    )
    # Assert
    assert r.status_code == 200
    assert r.json() == {"result": True, "errormsg": None, "errorcode": 0, "detail": None}
    with example_server.runtime.read() as e:
        assert e.orders[oid].status.value == "Canceled"


def test_oco_pair_example(seed_server):
    """Section 4.11: send A, then B with OrderIdOCO = A; CancelReplace A with orderIdOCO = B.
    The replacement A' watches B: B's fill cancels A'."""
    with ApWs(seed_server.port) as ws:
        ws.login()
        a = send_order(ws, Side=1, LimitPrice=300, Quantity=5)["OrderId"]
        b = send_order(ws, Side=1, OrderType=3, StopPrice=200, Quantity=5, OrderIdOCO=a,
                       PegPriceType=1)["OrderId"]  # fmt: skip
        rep = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": a, "orderIdOCO": b,
                                              "limitPrice": 301, "quantity": 5})  # fmt: skip
        assert rep["origOrderId"] == a and rep["replacementOrderId"] > b
        a2 = rep["replacementOrderId"]
        # Act: B (a sell stop at 200) triggers on a trade at 199 and fills
        with seed_server.client("demo") as c:
            r = c.post("/api/v1/marketdata/IBM/trades", json={"price": "199.00", "size": "100"})
            assert r.status_code == 200, r.text
        # Assert
        sb = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": b})
        sa2 = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": a2})
        sa = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": a})
    assert sb["OrderState"] == "FullyExecuted"
    assert sa2["OrderState"] == "Canceled"
    assert sa["OrderState"] == "Canceled"  # replaced
