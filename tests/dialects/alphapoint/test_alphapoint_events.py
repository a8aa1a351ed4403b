"""The event stream of the OCO scenario: every state change arrives as OrderStateEvent /
OrderTradeEvent / AccountPositionEvent, in the durable order of the runtime's stream hub,
with ChangeReason values of section 4.5."""

from __future__ import annotations

import pytest
from alphapoint_wire import CHANGE_REASONS, ApWs, send_order, srv

from server_fixtures import api_settings, recv_until, running


def test_oco_scenario_events_in_order(srv):
    token = srv.token("demo")
    with ApWs(srv.port) as ws, srv.stream(token, since=srv.runtime.hub.seq) as native:
        ws.login()
        assert ws.call("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 9}, m=2)["Subscribe"]
        # Arrange: a take-profit (sell limit 260) and a stop (sell stop 240) watching it
        tp = send_order(ws, Side=1, Quantity=10, LimitPrice=260, ClientOrderId=11)["OrderId"]
        stop = send_order(ws, Side=1, Quantity=10, OrderType=3, StopPrice=240, PegPriceType=1,
                          OrderIdOCO=tp, ClientOrderId=12)["OrderId"]  # fmt: skip
        # Act: a trade through the take-profit's price
        with srv.client("demo") as c:
            r = c.post("/api/v1/marketdata/IBM/trades", json={"price": "260.50", "size": "100"})
            assert r.status_code == 200, r.text
        ws.event(lambda e: e["_n"] == "OrderStateEvent" and e["OrderId"] == stop
                 and e["OrderState"] == "Canceled")  # fmt: skip
        ws.event(lambda e: e["_n"] == "AccountPositionEvent" and e["ProductSymbol"] == "USD")
        native_orders = [
            m["data"] for m in recv_until(
                native, lambda m: m["type"] == "order" and m["data"]["order_id"] == stop
                and m["data"]["status"] == "Canceled")
            if m["type"] == "order" and m["data"]["exec_type"] != "PendingNew"
        ]  # fmt: skip
    events = ws.decoded_events()
    # Assert: frames are m=3 with increasing counters
    assert [e["_i"] for e in events] == sorted(e["_i"] for e in events)
    states = [(e["OrderId"], e["OrderState"], e["ChangeReason"])
              for e in events if e["_n"] == "OrderStateEvent"]  # fmt: skip
    assert states == [
        (tp, "Working", "NewInputAccepted"),
        (stop, "Working", "NewInputAccepted"),
        (tp, "FullyExecuted", "Trade"),
        (stop, "Canceled", "UserModified"),
    ]
    assert {r for _, _, r in states} <= CHANGE_REASONS
    # the same changes, in the same order, as the native stream (one hub, durable order)
    assert [(d["order_id"], d["status"]) for d in native_orders] == [
        (tp, "New"), (stop, "New"), (tp, "Filled"), (stop, "Canceled"),
    ]  # fmt: skip
    names = [e["_n"] for e in events]
    i_fill = names.index("OrderTradeEvent")
    assert names[i_fill - 1] == "OrderStateEvent" and events[i_fill - 1]["OrderId"] == tp
    trade = events[i_fill]
    assert (trade["OrderId"], trade["AccountId"], trade["InstrumentId"]) == (tp, 9, 4)
    assert (trade["Side"], trade["Quantity"], trade["Price"]) == ("Sell", 10, 260)
    assert trade["ClientOrderId"] == 11 and trade["Value"] == 2600
    positions = {e["ProductSymbol"]: e for e in events if e["_n"] == "AccountPositionEvent"}
    assert positions["IBM"]["Amount"] == 990 and positions["IBM"]["AccountId"] == 9
    assert positions["USD"]["Amount"] == 1_002_600
    assert names.index("AccountPositionEvent") > i_fill


def test_order_state_subscription_filters_and_unsubscribes(srv):
    with ApWs(srv.port, "/wsgateway/") as ws:
        ws.login()
        sub = {"OMSId": 1, "AccountId": 9, "InstrumentId": 4}
        assert ws.call("SubscribeOrderStateEvents", sub)["Subscribed"] is True
        again = ws.call("SubscribeOrderStateEvents", sub)
        assert (again["result"], again["errorcode"], again["errormsg"]) == (
            False, 909, "Already Subscribed.")  # fmt: skip
        other = send_order(ws, InstrumentId=3, LimitPrice=100)["OrderId"]  # MSFT: filtered
        ibm = send_order(ws, LimitPrice=90)["OrderId"]
        ev = ws.event(lambda e: e["_n"] == "OrderStateEvent")
        assert ev["OrderId"] == ibm and ev["Instrument"] == 4
        assert ws.call("UnSubscribeOrderStateEvents", sub)["Unsubscribed"] is True
        ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": ibm})
        ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": other})
        assert ws.call("Ping") == {"msg": "PONG"}
        assert [e["n"] for e in ws.events] == ["OrderStateEvent"]
        assert all(e["_n"] != "OrderTradeEvent" for e in ws.decoded_events())


def test_reject_events(srv):
    with ApWs(srv.port) as ws:
        ws.login()
        ws.call("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 9})
        r = send_order(ws, Side=1, Quantity=100_000, LimitPrice=400, ClientOrderId=77)
        assert r["status"] == "Rejected"
        ev = ws.event(lambda e: e["_n"] == "NewOrderRejectEvent")
        assert (ev["AccountId"], ev["ClientOrderId"], ev["Status"]) == (9, 77, "Rejected")
        assert ev["RejectReason"]
        done = send_order(ws, LimitPrice=91)["OrderId"]
        ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": done})
        r = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": done})
        assert (r["result"], r["errorcode"]) == (False, 101)
        ev = ws.event(lambda e: e["_n"] == "CancelOrderRejectEvent")
        assert (ev["OrderId"], ev["Status"]) == (done, "Rejected")
