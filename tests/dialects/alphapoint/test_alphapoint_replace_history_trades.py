"""What the notbank SDK and ccxt ndax send and read around replaces, history and fills
(spec section 4.6; clients.md "AlphaPoint APEX"): the CancelReplaceOrder reply in PascalCase
too (``ReplacementOrderId``, which both clients read), the new ClientOrderId under the key
``ClientOrderId`` (which both send), every GetOrdersHistory filter, and GetTradesHistory."""

from __future__ import annotations

import httpx
import pytest
from alphapoint_wire import ApWs, send_order, srv

from condor.api.dialects.alphapoint.session import signature


@pytest.fixture
def ws(srv):
    with ApWs(srv.port) as w:
        w.login()
        yield w


def trade(srv, price: str, size: str = "100") -> None:
    with srv.client("demo") as c:
        r = c.post("/api/v1/marketdata/IBM/trades", json={"price": price, "size": size})
        assert r.status_code == 200, r.text


def test_cancel_replace_reply_in_both_casings_and_client_order_id_key(srv, ws):
    # Arrange
    a = send_order(ws, Quantity=5, LimitPrice=80, ClientOrderId=501)["OrderId"]
    # Act: the keys the notbank SDK and ccxt ndax send
    rep = ws.call("CancelReplaceOrder", {"OMSId": 1, "OrderIdToReplace": a, "ClientOrderId": 502,
                                         "OrderType": 2, "Side": 0, "AccountId": 9,
                                         "InstrumentId": 4, "TimeInForce": 1,
                                         "LimitPrice": 80.5, "Quantity": 4})  # fmt: skip
    # Assert
    b = rep["replacementOrderId"]
    assert rep == {
        "replacementOrderId": b, "replacementClOrdId": 502, "origOrderId": a, "origClOrdId": 501,
        "ReplacementOrderId": b, "ReplacementClOrdId": 502, "OrigOrderId": a, "OrigClOrdId": 501,
    }  # fmt: skip
    with srv.runtime.read() as e:
        assert (e.orders[b].cl_ord_id, e.orders[b].price, e.orders[b].qty) == ("502", 8050, 4)
    done = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "ClOrderId": 502})
    assert done["result"] is True
    with srv.runtime.read() as e:
        assert e.orders[b].status.value == "Canceled"


def ids(orders: list[dict]) -> list[int]:
    return [o["OrderId"] for o in orders]


def test_orders_history_applies_every_filter(srv, ws):
    # Arrange: A (ClientOrderId 601) replaced by A2 (602), and a working C
    a = send_order(ws, AccountId=123465, LimitPrice=70, ClientOrderId=601)["OrderId"]
    a2 = ws.call("CancelReplaceOrder", {"OMSId": 1, "OrderIdToReplace": a, "ClientOrdId": 602,
                                        "LimitPrice": 71, "Quantity": 1})["replacementOrderId"]  # fmt: skip
    c = send_order(ws, AccountId=123465, LimitPrice=69)["OrderId"]

    def hist(**filters) -> list[int]:
        return ids(ws.call("GetOrdersHistory", {"omsId": 1, "accountId": 123465, **filters}))

    # Act / Assert
    assert hist() == [c, a2, a]
    assert hist(orderState="Working") == [c, a2]
    assert hist(OrderState="canceled") == [a]
    assert hist(orderId=a2) == [a2]
    assert hist(originalOrderId=a) == [a2, a]
    assert hist(originalClientOrderId=601) == [a2, a]
    assert hist(userId=6) == [c, a2, a]
    assert hist(userId=999) == []
    assert ids(ws.call("GetOpenOrders", {"OMSId": 1, "AccountId": 123465, "OrderId": c})) == [c]
    ws.call("CancelAllOrders", {"OMSId": 1, "AccountId": 123465})


def test_trades_history_lists_the_callers_fills_newest_first(srv, ws):
    # Arrange: two sells on account 987654 filled by trade prints
    first = send_order(ws, AccountId=987654, Side=1, Quantity=2, LimitPrice=300,
                       ClientOrderId=701)["OrderId"]  # fmt: skip
    trade(srv, "300.5")
    second = send_order(ws, AccountId=987654, Side=1, Quantity=3, LimitPrice="300.25")["OrderId"]
    trade(srv, "300.5")
    # Act
    fills = ws.call("GetTradesHistory", {"OMSId": 1, "AccountId": 987654})
    # Assert
    assert [(f["OrderId"], f["Side"], f["Quantity"], f["Price"], f["Value"]) for f in fills] == [
        (second, "Sell", 3, 300.25, 900.75), (first, "Sell", 2, 300, 600)]  # fmt: skip
    f = fills[1]
    assert (f["AccountId"], f["InstrumentId"], f["ClientOrderId"], f["OrderType"]) == (
        987654, 4, 701, "Limit")  # fmt: skip
    assert (f["RemainingQuantity"], f["Fee"], f["UserName"], f["OrderOriginator"]) == (
        0, 0, "demo", 6)  # fmt: skip
    assert f["TradeTimeMS"] > 0 and f["TradeTime"] > 621_355_968_000_000_000
    assert (f["BaseVolume"], f["QuoteVolume"], f["Type"]) == (2, 600, "sell")
    assert isinstance(f["Timestamp"], str) and isinstance(f["TradeId"], int)
    assert ids(ws.call("GetTradesHistory", {"OMSId": 1, "AccountId": 987654,
                                            "OrderId": first})) == [first]  # fmt: skip
    assert ids(ws.call("GetTradesHistory", {"OMSId": 1, "AccountId": 987654,
                                            "Depth": 1})) == [second]  # fmt: skip
    assert ids(ws.call("GetTradesHistory", {"OMSId": 1, "AccountId": 987654,
                                            "InstrumentId": 1})) == []  # fmt: skip


def test_trades_history_over_http_and_for_a_foreign_account(srv, ws):
    # Arrange: ccxt ndax's fetch_my_trades: GET /AP/GetTradesHistory with API-key headers
    nonce = "99"
    headers = {"APIKey": "demo-key", "Nonce": nonce, "UserId": "6",
               "Signature": signature("demo-secret", nonce, "6", "demo-key")}  # fmt: skip
    # Act
    r = httpx.get(f"{srv.url}/AP/GetTradesHistory", params={"omsId": 1, "AccountId": 9},
                  headers=headers, timeout=10)  # fmt: skip
    foreign = ws.call("GetTradesHistory", {"OMSId": 1, "AccountId": 4242})
    # Assert
    assert r.status_code == 200 and isinstance(r.json(), list)
    assert (foreign["result"], foreign["errorcode"]) == (False, 20)
