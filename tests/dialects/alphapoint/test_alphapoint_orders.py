"""AlphaPoint functions over the gateway and /AP/: every SendOrder field mapped to the engine,
cancel by ClOrderId, CancelAllOrders, ModifyOrder keeping priority, CancelReplaceOrder, the
symmetric OCO, reads (instruments, products, accounts, positions, orders), case-insensitive
paths and keys, numbers as strings, sessions and LogOut."""

from __future__ import annotations

import base64
from decimal import Decimal

import httpx
import pytest
from alphapoint_wire import ApWs, send_order, srv

from condor.api.dialects.alphapoint.session import signature

from server_fixtures import api_settings, running

NOTBANK_INSTRUMENT_FIELDS = {
    "OMSId", "InstrumentId", "Symbol", "Product1", "Product1Symbol", "Product2",
    "Product2Symbol", "InstrumentType", "VenueInstrumentId", "VenueId", "SortIndex",
    "SessionStatus", "PreviousSessionStatus", "SessionStatusDateTime", "SelfTradePrevention",
    "QuantityIncrement", "PriceIncrement", "MinimumQuantity", "MinimumPrice", "VenueSymbol",
    "IsDisable", "MasterDataId", "PriceCollarThreshold", "PriceCollarPercent",
    "PriceCollarEnabled", "PriceFloorLimit", "PriceFloorLimitEnabled", "PriceCeilingLimit",
    "PriceCeilingLimitEnabled", "CreateWithMarketRunning", "AllowOnlyMarketMakerCounterParty",
    "PriceCollarIndexDifference", "PriceCollarConvertToOtcEnabled",
    "PriceCollarConvertToOtcClientUserId", "PriceCollarConvertToOtcAccountId",
    "PriceCollarConvertToOtcThreshold", "OtcConvertSizeEnabled", "OtcConvertSizeThreshold",
    "OtcTradesPublic", "PriceTier",
}  # fmt: skip
ORDER_FIELDS = {
    # 3.x (section 4.7)
    "Side", "OrderId", "Price", "Quantity", "DisplayQuantity", "Instrument", "Account",
    "OrderType", "ClientOrderId", "OrderState", "ReceiveTime", "ReceiveTimeTicks",
    "OrigQuantity", "QuantityExecuted", "AvgPrice", "CounterPartyId", "ChangeReason",
    "OrigOrderId", "OrigClOrdId", "EnteredBy", "IsQuote", "InsideAsk", "InsideAskSize",
    "InsideBid", "InsideBidSize", "LastTradePrice", "RejectReason", "IsLockedIn",
    "CancelReason", "OMSId",
    # 4.x
    "AccountName", "LastUpdatedTime", "LastUpdatedTimeTicks", "GrossValueExecuted",
    "ExecutableValue", "UserName", "OrderFlag", "UseMargin", "StopPrice", "PegPriceType",
    "PegOffset", "PegLimitOffset", "IpAddress", "IPv6a", "IPv6b", "ClientOrderIdUuid",
}  # fmt: skip


TRAILING = object()


@pytest.fixture
def ws(srv):
    with ApWs(srv.port) as w:
        w.login()
        yield w


def engine_order(srv, oid):
    with srv.runtime.read() as e:
        return e.orders[oid]


def test_instruments_products_and_objects_carry_every_field(ws):
    insts = ws.call("GetInstruments", {"OMSId": 1})
    assert [i["InstrumentId"] for i in insts] == list(range(1, 11))
    ibm = ws.call("GetInstrument", {"OMSId": 1, "InstrumentId": 4})
    assert set(ibm) >= NOTBANK_INSTRUMENT_FIELDS
    assert (ibm["Symbol"], ibm["Product2Symbol"], ibm["PriceIncrement"]) == (
        "IBM",
        "USD",
        Decimal("0.01"),
    )
    btc = next(i for i in insts if i["Symbol"] == "BTCUSDT")
    assert btc["QuantityIncrement"] == Decimal("0.00001") and btc["Product2Symbol"] == "USDT"
    products = {p["Product"]: p for p in ws.call("GetProducts", {"OMSId": 1})}
    assert products["USD"]["ProductId"] == ibm["Product2"]
    assert products["IBM"]["ProductId"] == ibm["Product1"]
    oid = send_order(ws, LimitPrice=99)["OrderId"]
    o = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": oid})
    assert set(o) >= ORDER_FIELDS
    assert (o["OrderId"], o["Account"], o["Instrument"], o["UserName"]) == (oid, 9, 4, "demo")


def test_every_send_order_field_reaches_the_engine(srv, ws):
    cases = [
        (dict(OrderType=1, Quantity=1, LimitPrice=0), ("Market", "GTC", None, None)),
        (dict(OrderType=2, LimitPrice="98.5", TimeInForce=3), ("Limit", "IOC", 9850, None)),
        (dict(OrderType=2, LimitPrice=97, TimeInForce=5), ("Limit", "GTC", 9700, None)),
        (dict(OrderType=3, StopPrice=300, PegPriceType=2, LimitPrice=0),
         ("StopMarket", "GTC", None, 30000)),
        (dict(OrderType=4, StopPrice=301, LimitPrice=302), ("StopLimit", "GTC", 30200, 30100)),
        (dict(OrderType=5, TrailingAmount="1.5", PegPriceType=1), ("TrailingStopMarket", "GTC",
                                                                   None, TRAILING)),
        (dict(OrderType=6, TrailingAmount=2, LimitOffset="0.25", PegPriceType=3),
         ("TrailingStopLimit", "GTC", None, TRAILING)),
        (dict(UseDisplayQuantity=True, DisplayQuantity=2, Quantity=10, LimitPrice=96),
         ("Limit", "GTC", 9600, None)),
        (dict(Side=2, Quantity=3, LimitPrice=500), ("Limit", "GTC", 50000, None)),
    ]  # fmt: skip
    with srv.client("demo") as c:  # a market for the market order to take
        c.post(
            "/api/v1/marketdata/IBM/quotes",
            json={"bid": "249", "ask": "251", "bid_size": "100", "ask_size": "100"},
        )
    for fields, (ot, tif, price, stop) in cases:
        r = send_order(ws, **fields)
        assert r["status"] == "Accepted", (fields, r)
        o = engine_order(srv, r["OrderId"])
        if stop is TRAILING:  # the engine computes a trailing stop's trigger from the market
            stop = o.stop_price
        assert (o.ord_type.value, o.tif.value, o.price, o.stop_price) == (ot, tif, price, stop), (
            fields
        )
    o = engine_order(srv, r["OrderId"] - 1)
    assert o.display_qty == 2 and o.qty == 10
    assert engine_order(srv, r["OrderId"]).side.value == "SellShort"
    trail = engine_order(srv, r["OrderId"] - 2).trail
    assert (trail.offset, trail.limit_offset) == (200, 25)
    assert engine_order(srv, r["OrderId"] - 3).trail.offset == 150
    assert engine_order(srv, r["OrderId"] - 5).basis.value == "Bid"
    st = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": 9, "OrderId": r["OrderId"] - 2})
    assert (st["PegPriceType"], st["PegOffset"], st["PegLimitOffset"]) == (
        "Ask",
        2,
        Decimal("0.25"),
    )
    assert st["OrderType"] == "TrailingStopLimit"


def test_market_buy_with_limit_price_is_a_marketable_ioc_limit(srv, ws):
    r = send_order(ws, OrderType=1, Quantity=1, LimitPrice=240)
    o = engine_order(srv, r["OrderId"])
    assert (o.ord_type.value, o.tif.value, o.price) == ("Limit", "IOC", 24000)


def test_keys_any_case_and_numbers_as_strings(srv, ws):
    r = ws.call("sendorder", {"instrumentid": "4", "omsid": "1", "accountid": "9", "side": "0",
                              "QUANTITY": "2", "ordertype": "2", "limitprice": "95.10",
                              "ClientOrderId": None})  # fmt: skip
    assert r["status"] == "Accepted"
    o = engine_order(srv, r["OrderId"])
    assert (o.qty, o.price) == (2, 9510)


def test_cancel_by_client_order_id_and_cancel_all(srv, ws):
    a = send_order(ws, LimitPrice=80, ClientOrderId=5550)["OrderId"]
    r = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "ClOrderId": 5550})
    assert r == {"result": True, "errormsg": None, "errorcode": 0, "detail": None}
    assert engine_order(srv, a).status.value == "Canceled"
    b = send_order(ws, LimitPrice=81, ClientOrderId=5551)["OrderId"]
    r = ws.call("CancelOrder", {"OMSId": 1, "AccountId": 9, "ClientOrderId": 5551})
    assert r["result"] is True and engine_order(srv, b).status.value == "Canceled"
    ibm = send_order(ws, LimitPrice=82)["OrderId"]
    msft = send_order(ws, InstrumentId=3, LimitPrice=83)["OrderId"]
    r = ws.call("CancelAllOrders", {"OMSId": 1, "AccountId": 9, "IntrumentId": 4})
    assert r["result"] is True
    assert engine_order(srv, ibm).status.value == "Canceled"
    assert engine_order(srv, msft).status.value == "New"
    ws.call("CancelAllOrders", {"OMSId": 1, "AccountId": 9})
    assert engine_order(srv, msft).status.value == "Canceled"
    assert ws.call("GetOpenOrders", {"OMSId": 1, "AccountId": 9}) == []


def test_modify_order_keeps_priority_and_replace_loses_it(srv, ws):
    oid = send_order(ws, Quantity=10, LimitPrice=75)["OrderId"]
    prio = engine_order(srv, oid).priority
    r = ws.call("ModifyOrder", {"OMSId": 1, "OrderId": oid, "InstrumentId": 4, "Quantity": 4})
    assert r["result"] is True
    o = engine_order(srv, oid)
    assert (o.qty, o.priority, o.status.value) == (4, prio, "New")
    rep = ws.call("CancelReplaceOrder", {"OMSId": 1, "OrderIdToReplace": oid,
                                         "ClientOrdId": 8080, "LimitPrice": "75.5",
                                         "Quantity": 4})  # fmt: skip
    assert rep["origOrderId"] == oid and rep["replacementClOrdId"] == 8080
    n = engine_order(srv, rep["replacementOrderId"])
    assert (n.price, n.qty, n.cl_ord_id) == (7550, 4, "8080")
    assert engine_order(srv, oid).status.value == "Replaced"
    bad = ws.call("CancelReplaceOrder", {"OMSId": 1, "OrderIdToReplace": n.order_id, "Side": 1})
    assert (bad["result"], bad["errorcode"]) == (False, 106)
    ws.call("CancelOrder", {"OMSId": 1, "OrderId": n.order_id})


def test_symmetric_oco_two_orders_pointing_at_each_other(srv, ws):
    """A watches nothing, B watches A; CancelReplace A -> A' watching B. A' executes: B is
    canceled (B watched A, which was replaced, so a second link B->A' is what the symmetric
    pair needs: CancelReplace B too). Here: the fill of A' cancels B."""
    a = send_order(ws, Side=1, Quantity=5, LimitPrice=270)["OrderId"]
    b = send_order(ws, Side=1, Quantity=5, OrderType=3, StopPrice=230, OrderIdOCO=a)["OrderId"]
    a2 = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": a, "orderIdOCO": b,
                                        "limitPrice": 270, "quantity": 5})["replacementOrderId"]  # fmt: skip
    b2 = ws.call("CancelReplaceOrder", {"omsId": 1, "orderIdToReplace": b, "orderIdOCO": a2,
                                        "stopPrice": 230, "quantity": 5})["replacementOrderId"]  # fmt: skip
    with srv.client("demo") as c:
        c.post("/api/v1/marketdata/IBM/trades", json={"price": "270.10", "size": "50"})
    assert engine_order(srv, a2).status.value == "Filled"
    assert engine_order(srv, b2).status.value == "Canceled"


def test_reads_accounts_positions_history(srv, ws):
    assert ws.call("GetUserAccounts", {"OMSId": 1, "UserId": 6}) == [9, 12345, 123456, 123465,
                                                                      987654]  # fmt: skip
    pos = {p["ProductSymbol"]: p for p in ws.call("GetAccountPositions",
                                                  {"OMSId": 1, "AccountId": 12345})}  # fmt: skip
    assert pos["USD"]["Amount"] == 1_000_000 and pos["IBM"]["Amount"] == 1000
    assert pos["USD"]["AccountId"] == 12345
    oid = send_order(ws, AccountId=12345, LimitPrice=10, Quantity=3)["OrderId"]
    pos = {p["ProductSymbol"]: p for p in ws.call("GetAccountPositions",
                                                  {"OMSId": 1, "AccountId": 12345})}  # fmt: skip
    assert pos["USD"]["Hold"] == 30
    ws.call("CancelOrder", {"OMSId": 1, "AccountId": 12345, "OrderId": oid})
    hist = ws.call("GetOrderHistory", {"OMSId": 1, "AccountId": 12345})
    assert hist[0]["OrderId"] == oid and hist[0]["OrderState"] == "Canceled"
    hist = ws.call("GetOrdersHistory", {"omsId": 1, "accountId": 12345, "depth": 1})
    assert len(hist) == 1
    assert ws.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": oid})[0]["OrderId"] == oid
    lst = ws.call("SendOrderList", [
        {"InstrumentId": 4, "OMSId": 1, "AccountId": 12345, "Side": 0, "Quantity": 1,
         "OrderType": 2, "LimitPrice": 11},
        {"InstrumentId": 999, "OMSId": 1, "AccountId": 12345, "Side": 0, "Quantity": 1,
         "OrderType": 2, "LimitPrice": 11},
    ])  # fmt: skip
    assert [x["status"] for x in lst] == ["Accepted", "Rejected"]
    ws.call("CancelAllOrders", {"OMSId": 1, "AccountId": 12345})


def test_http_flavour_paths_auth_and_sessions(srv):
    base = f"{srv.url}/ap"
    r = httpx.get(f"{base}/getinstruments", params={"OMSId": "1"})
    assert r.status_code == 200 and len(r.json()) == 10
    # API-key headers on every call
    sig = signature("demo-secret", "42", "6", "demo-key")
    h = {"APIKey": "demo-key", "Signature": sig, "UserId": "6", "Nonce": "42"}
    r = httpx.post(f"{srv.url}/AP/SendOrder", headers=h,
                   json={"InstrumentId": 4, "OMSId": 1, "AccountId": 9, "Side": 0,
                         "Quantity": 1, "OrderType": 2, "LimitPrice": 12})  # fmt: skip
    assert r.json()["status"] == "Accepted"
    oid = r.json()["OrderId"]
    r = httpx.get(f"{srv.url}/Ap/GetOpenOrders", headers=h, params={"AccountId": 9})
    assert oid in [o["OrderId"] for o in r.json()]
    # HTTP Basic -> session token (ccxt's GET /AP/Authenticate), then APToken
    basic = base64.b64encode(b"demo:demo").decode()
    r = httpx.get(f"{srv.url}/AP/Authenticate", headers={"Authorization": f"Basic {basic}"})
    token = r.json()["SessionToken"]
    r = httpx.post(f"{srv.url}/AP/CancelOrder", headers={"APToken": token},
                   json={"OMSId": 1, "AccountId": 9, "OrderId": oid})  # fmt: skip
    assert r.json()["result"] is True
    # WebAuthenticateUser by SessionToken, then LogOut revokes it
    with ApWs(srv.port) as ws:
        w = ws.call("WebAuthenticateUser", {"SessionToken": token})
        assert w["Authenticated"] is True and w["UserId"] == 6
        assert ws.call("LogOut")["result"] is True
        assert ws.call("GetOpenOrders", {"OMSId": 1, "AccountId": 9})["errorcode"] == 20
    r = httpx.post(f"{base}/LogOut", headers={"aptoken": token})
    r = httpx.post(f"{base}/GetOpenOrders", headers={"aptoken": w["SessionToken"]},
                   json={"AccountId": 9})  # fmt: skip
    assert r.json()["errorcode"] == 20
    r = httpx.post(f"{base}/SubscribeAccountEvents", headers=h, json={"AccountId": 9})
    assert r.json()["errorcode"] == 106


def test_post_only_rests_when_passive_and_is_canceled_when_it_would_take(srv, ws):
    with srv.client("demo") as c:  # IBM quoted 249 / 251
        c.post(
            "/api/v1/marketdata/IBM/quotes",
            json={"bid": "249", "ask": "251", "bid_size": "100", "ask_size": "100"},
        )
    rested = send_order(ws, PostOnly=True, LimitPrice=250, TimeInForce=1)
    taking = send_order(ws, PostOnly=True, LimitPrice=251, TimeInForce=1)
    assert rested["status"] == taking["status"] == "Accepted"  # SendOrder is asynchronous
    o, x = engine_order(srv, rested["OrderId"]), engine_order(srv, taking["OrderId"])
    assert (o.status.value, o.post_only) == ("New", True)
    assert (x.status.value, x.cum_qty) == ("Canceled", 0)


def test_every_currency_an_account_holds_is_a_product(ws):
    # Arrange: account 9 holds EUR cash, though no instrument is quoted in EUR
    products = ws.call("GetProducts", {"OMSId": 1})
    by_symbol = {p["Product"]: p["ProductId"] for p in products}
    # Act
    pos = ws.call("GetAccountPositions", {"OMSId": 1, "AccountId": 9})
    # Assert: every entry names a product, by that product's id
    assert "EUR" in {p["ProductSymbol"] for p in pos}
    assert all(p["ProductId"] == by_symbol[p["ProductSymbol"]] for p in pos)
    assert len(set(by_symbol.values())) == len(products)
    assert by_symbol["EUR"] == 1  # currencies first, sorted; stable for a configuration
    assert ws.call("GetProducts", {"OMSId": 1}) == products
    ibm = ws.call("GetInstrument", {"OMSId": 1, "InstrumentId": 4})
    assert (ibm["Product1"], ibm["Product2"]) == (by_symbol["IBM"], by_symbol["USD"])
