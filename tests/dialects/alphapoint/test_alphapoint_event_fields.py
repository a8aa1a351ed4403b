"""What each event carries (section 4.8): the reject events' own fields (the replace request
echoed), NewOrderRejectEvent agreeing with the SendOrder reply on OrderId, a trailing stop's
live StopPrice (contingency.md section 1), OrigOrderId of a replacement in every event and
read, and the system ChangeReason of PostOnly and market-caused IOC cancels."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alphapoint_wire import ApWs, send_order, srv

from server_fixtures import api_settings, running

REJECT = {"OMSId", "AccountId", "Status", "RejectReason"}


@pytest.fixture
def ws(srv):
    with ApWs(srv.port) as w:
        w.login()
        w.call("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 9})
        yield w


def market(srv, symbol: str = "IBM", trade: str | None = None, **quote: str) -> None:
    with srv.client("demo") as c:
        if quote:
            r = c.post(f"/api/v1/marketdata/{symbol}/quotes", json=quote)
            assert r.status_code == 200, r.text
        if trade:
            r = c.post(f"/api/v1/marketdata/{symbol}/trades", json={"price": trade, "size": "1"})
            assert r.status_code == 200, r.text


def status(ws: ApWs, oid: int) -> dict:
    return ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": oid})


def named(name: str, **want):
    return lambda e: e["_n"] == name and all(e.get(k) == v for k, v in want.items())


def test_new_order_reject_event_agrees_with_the_reply(ws):
    # Act: the engine refuses (account 9 holds 1,000 IBM)
    reply = send_order(ws, Side=1, Quantity=100_000, LimitPrice=400, ClientOrderId=4711)
    ev = ws.event(named("NewOrderRejectEvent", ClientOrderId=4711))
    # Assert: no order was created, and both say so with OrderId 0
    assert (reply["status"], reply["OrderId"]) == ("Rejected", 0)
    assert set(ev) - {"_n"} == REJECT | {"ClientOrderId", "OrderId"}
    assert (ev["OrderId"], ev["AccountId"], ev["Status"]) == (0, 9, "Rejected")


def test_cancel_order_reject_event_names_order_type_and_instrument(ws):
    oid = send_order(ws, OrderType=3, StopPrice=500, LimitPrice=0)["OrderId"]
    ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    # Act: cancel it again
    r = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    # Assert
    assert (r["result"], r["errorcode"]) == (False, 101)
    ev = ws.event(named("CancelOrderRejectEvent", OrderId=oid))
    assert set(ev) >= REJECT | {"OrderId", "OrderRevision", "OrderType", "InstrumentId"}
    assert (ev["OrderType"], ev["InstrumentId"], ev["AccountId"]) == ("StopMarket", 4, 9)


def test_cancel_replace_reject_event_echoes_the_request(ws):
    oid = send_order(ws, LimitPrice=91, Quantity=3, ClientOrderId=901)["OrderId"]
    ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    # Act: replace the canceled order
    r = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": oid, "clientOrdId": 902,
                                       "orderType": 2, "side": 0, "timeInForce": 1,
                                       "limitPrice": "92.5", "quantity": 2, "pegPriceType": 3})  # fmt: skip
    # Assert
    assert (r["result"], r["errorcode"]) == (False, 101)
    ev = ws.event(named("CancelReplaceOrderRejectEvent", OrderIdToReplace=oid))
    assert set(ev) >= REJECT | {"OrderIdToReplace", "LimitPrice", "StopPrice", "OrderType",
                                "Side", "TimeInForce", "Quantity", "ClientOrdId"}  # fmt: skip
    echoed = {k: ev[k] for k in ("LimitPrice", "Quantity", "OrderType", "Side", "TimeInForce",
                                 "PegPriceType", "ClientOrdId", "StopPrice", "InstrumentId")}  # fmt: skip
    assert echoed == {"LimitPrice": Decimal("92.5"), "Quantity": 2, "OrderType": "Limit",
                      "Side": "Buy", "TimeInForce": "GTC", "PegPriceType": "Ask",
                      "ClientOrdId": 902, "StopPrice": 0, "InstrumentId": 4}  # fmt: skip


def test_cancel_all_reject_event_carries_the_instrument(srv):
    with ApWs(srv.port) as op:
        op.login("operator", "operator")
        op.call("SubscribeAccountEvents", {"OMSId": 1, "AccountId": 555})
        # Act: account 555 does not exist; the engine refuses
        r = op.call("CancelAllOrders", {"OMSId": 1, "AccountId": 555, "InstrumentId": 4})
        # Assert
        assert r["result"] is False
        ev = op.event(named("CancelAllOrdersRejectEvent"))
    assert set(ev) - {"_n"} == REJECT | {"InstrumentId"}
    assert (ev["AccountId"], ev["InstrumentId"]) == (555, 4)


def test_trailing_stop_events_show_the_live_stop_price(srv, ws):
    # Arrange: IBM last 250
    market(srv, trade="250")
    # Act: a sell trailing stop 2 below the last trade
    oid = send_order(ws, Side=1, OrderType=5, TrailingAmount=2, PegPriceType=1,
                     LimitPrice=0)["OrderId"]  # fmt: skip
    ev = ws.event(named("OrderStateEvent", OrderId=oid))
    # Assert: the event and the read agree on the trigger
    assert ev["StopPrice"] == 248 == status(ws, oid)["StopPrice"]
    ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    ev = ws.event(named("OrderStateEvent", OrderId=oid, OrderState="Canceled"))
    assert ev["StopPrice"] == 248


def test_replacement_reports_the_replaced_order_everywhere(srv, ws):
    # Arrange
    market(srv, bid="249", ask="251", bid_size="100", ask_size="100")
    a = send_order(ws, Side=1, Quantity=1, LimitPrice=265, ClientOrderId=61)["OrderId"]
    rep = ws.call("CancelReplaceOrder", {"OMSId": 1, "OrderIdToReplace": a, "ClientOrdId": 62,
                                         "LimitPrice": 266, "Quantity": 1})  # fmt: skip
    b = rep["replacementOrderId"]
    # Act: the replacement executes
    market(srv, trade="266.5")
    # Assert: first event, later events, trade event and reads all name A
    first = ws.event(named("OrderStateEvent", OrderId=b, OrderState="Working"))
    filled = ws.event(named("OrderStateEvent", OrderId=b, OrderState="FullyExecuted"))
    trade = ws.event(named("OrderTradeEvent", OrderId=b))
    read = status(ws, b)
    hist = ws.call("GetOrdersHistory", {"omsId": 1, "accountId": 9, "originalOrderId": b})
    for o in (first, filled, read, *hist):
        assert (o["OrigOrderId"], o["OrigClOrdId"], o["ClientOrderId"]) == (a, 61, 62)
    assert (trade["OrigOrderId"], trade["OrigClientOrderId"]) == (a, 61)
    assert (rep["origOrderId"], rep["origClOrdId"]) == (a, 61)
    own = status(ws, a)  # an order that replaced nothing names itself
    assert (own["OrigOrderId"], own["OrigClOrdId"]) == (a, 61)


def test_post_only_that_would_take_is_a_system_cancel(srv, ws):
    market(srv, bid="249", ask="251", bid_size="100", ask_size="100")
    # Act
    oid = send_order(ws, PostOnly=True, LimitPrice=251)["OrderId"]
    # Assert
    ev = ws.event(named("OrderStateEvent", OrderId=oid, OrderState="Canceled"))
    assert ev["ChangeReason"] == "SystemCanceled_PriceCollar"


def test_market_caused_ioc_cancel_reads_as_its_event(srv, ws):
    # Arrange: a buy stop-limit IOC at 300; nothing offered at or below 300 once it triggers
    market(srv, bid="299", ask="305", bid_size="100", ask_size="100")
    oid = send_order(ws, OrderType=4, StopPrice=300, LimitPrice=300, TimeInForce=3,
                     PegPriceType=1)["OrderId"]  # fmt: skip
    # Act: a trade at 301 elects it
    market(srv, trade="301")
    # Assert
    ev = ws.event(named("OrderStateEvent", OrderId=oid, OrderState="Canceled"))
    assert ev["ChangeReason"] == "SystemCanceled_NoMoreMarket"
    assert status(ws, oid)["ChangeReason"] == ev["ChangeReason"]
