"""Golden wire tests of the TradeStation dialect against a real server: every request example
of seeds 000 and 001 and of wire-formats.md 1.12, answered with the seed's shape and text
(OrderIDs aside), plus auth (1.3), content types and case-insensitive paths (1.2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from tradestation_helpers import (
    BRK,
    BRK_1_12,
    JSON,
    JSONP_DATA,
    OCO,
    PLACE,
    TRAILING,
    login,
    orders_of,
    server,
    ts,
    ts_client,
    ts_settings,
    without_ids,
)

from condor.api.dialects.tradestation.wire import dumps

from server_fixtures import LiveServer, running


def test_place_order_seed_001(ts):
    # Act
    r = ts.post("/v2/orders", json=PLACE)
    # Assert
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Buy 10 ARNA @ 1.00 Limit", "OrderStatus": "Ok"}
    ]
    oid = int(r.json()[0]["OrderID"])
    detail = orders_of(ts, "123456")[oid]
    assert detail["Status"] == "OPN" and detail["Duration"] == "DAY+"
    assert detail["Type"] == "Buy" and detail["LimitPriceText"] == "1.00"


def test_trailing_stop_seed_001_with_trailing_slash(ts):
    # Act
    r = ts.post("/v2/orders/", json=TRAILING)
    # Assert
    assert r.status_code == 200
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Buy 10 ARNA @  Stop Market - Trl: 3", "OrderStatus": "Ok"}
    ]
    d = orders_of(ts, "987654")[int(r.json()[0]["OrderID"])]
    assert d["AdvancedOptions"] == "Trailing Stop"
    assert d["TrailingStop"] == {"Amount": 3.00}


def test_jsonp_send_seed_001(server, ts):
    # Arrange
    token = login(server.url)
    url = (
        f"{server.url}/v2/jsonp/orders/send?data={JSONP_DATA}"
        f"&callback=jQueryCallBack&oauth_token={token}"
    )
    # Act
    r = httpx.get(url, timeout=10)
    # Assert
    assert r.status_code == 200
    assert r.headers["jsonp-callback"] == "jQueryCallBack"
    assert r.text.startswith("jQueryCallBack(") and r.text.endswith(")")
    results = json.loads(r.text[len("jQueryCallBack(") : -1])
    assert without_ids(results) == [
        {"Message": "Sent order: Buy 20,000 USDJPY @ 1.000 Limit", "OrderStatus": "Ok"}
    ]


def test_oco_seed_000_during_the_session(ts):
    # Act: the seed's OCO request sends the token without "Bearer"
    token = ts.headers["Authorization"].removeprefix("Bearer ")
    r = ts.post("/v2/orders/groups", json=OCO, headers={"Authorization": token})
    # Assert
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Buy 10 WMT @ 0.25 Limit", "OrderStatus": "Ok"},
        {"Message": "Sent order: Sell Short 10 WMT @ 2.00 Limit", "OrderStatus": "Ok"},
    ]
    details = orders_of(ts, "123456")
    a, b = (details[int(x["OrderID"])] for x in r.json())
    assert a["GroupName"] and a["GroupName"] == b["GroupName"]
    assert b["Type"] == "Sell Short"


def test_bracket_group_section_1_12(ts):
    # Act
    r = ts.post("/v2/orders/groups", json=BRK_1_12)
    # Assert
    assert r.status_code == 200
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Sell 10 ARNA @ 5.00 Limit", "OrderStatus": "Ok"},
        {"Message": "Sent order: Sell 10 ARNA @ 1.25 Stop Market", "OrderStatus": "Ok"},
    ]


def test_oso_section_1_12_waits_for_its_primary(ts):
    # Arrange
    primary = dict(PLACE, Symbol="MSFT", LimitPrice="400.00", Duration="DAY")
    sell = dict(PLACE, Symbol="MSFT", LimitPrice="450.00", Duration="GTC", TradeAction="Sell")
    # Act
    r = ts.post("/v2/orders", json={**primary, "OSOs": [{"Type": "NORMAL", "Orders": [sell]}]})
    # Assert
    assert r.status_code == 200
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Buy 10 MSFT @ 400.00 Limit", "OrderStatus": "Ok"},
        {"Message": "Sent order: Sell 10 MSFT @ 450.00 Limit", "OrderStatus": "Ok"},
    ]
    details = orders_of(ts, "123456")
    p, s = (details[int(x["OrderID"])] for x in r.json())
    assert (p["Status"], s["Status"]) == ("OPN", "DON")


def test_authorize_grants_and_token_places(server):
    # Arrange / Act
    forms = [
        {"grant_type": "refresh_token", "refresh_token": "demo-refresh",
         "client_id": "demo-key", "client_secret": "demo-secret",
         "redirect_uri": "http://localhost", "response_type": "token"},
        {"grant_type": "password", "username": "demo", "password": "demo"},
    ]  # fmt: skip
    for form in forms:
        r = httpx.post(f"{server.url}/v2/Security/Authorize", data=form, timeout=10)
        # Assert
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == JSON
        t = r.json()
        assert {"access_token", "refresh_token", "expires_in", "token_type", "userid"} <= set(t)
        assert t["token_type"] == "AccessToken" and t["userid"] == "demo"
        assert t["token"] == t["access_token"]


def test_client_credentials_token_cannot_trade(server):
    # Arrange
    form = {"grant_type": "client_credentials", "client_id": "demo-key",
            "client_secret": "demo-secret"}  # fmt: skip
    r = httpx.post(f"{server.url}/v2/security/authorize", data=form, timeout=10)
    assert r.status_code == 200 and r.json()["userid"] == "CLIENTONLYLOGIN"
    # Act
    r = httpx.post(
        f"{server.url}/v2/orders",
        json=PLACE,
        params={"access_token": r.json()["access_token"]},
        timeout=10,
    )
    # Assert
    assert r.status_code == 401
    assert r.json()["StatusCode"] == 401


def test_authorization_code_from_the_login_page(server):
    # Arrange
    page = httpx.get(
        f"{server.url}/v2/authorize",
        params={"redirect_uri": "http://app.example/cb", "client_id": "demo-key",
                "response_type": "code"},
        timeout=10,
    )  # fmt: skip
    assert page.status_code == 200 and "<form" in page.text
    login_r = httpx.post(
        f"{server.url}/v2/authorize",
        data={"username": "demo", "password": "demo", "redirect_uri": "http://app.example/cb"},
        timeout=10,
    )
    assert login_r.status_code == 302
    location = login_r.headers["location"]
    assert location.startswith("http://app.example/cb?code=")
    code = location.split("code=", 1)[1]
    # Act
    r = httpx.post(
        f"{server.url}/v2/security/authorize",
        data={"grant_type": "authorization_code", "code": code, "client_id": "demo-key",
              "client_secret": "demo-secret", "redirect_uri": "http://app.example/cb"},
        timeout=10,
    )  # fmt: skip
    again = httpx.post(
        f"{server.url}/v2/security/authorize",
        data={"grant_type": "authorization_code", "code": code, "client_id": "demo-key",
              "client_secret": "demo-secret"},
        timeout=10,
    )  # fmt: skip
    # Assert
    assert r.status_code == 200 and r.json()["userid"] == "demo"
    assert again.status_code == 401
    assert again.json() == {"Message": "Authorization code expired", "StatusCode": 401}


def test_bad_credentials_401(server):
    # Act
    r = httpx.post(
        f"{server.url}/v2/security/authorize",
        data={"grant_type": "password", "username": "demo", "password": "nope"},
        timeout=10,
    )
    # Assert
    assert r.status_code == 401
    assert r.json() == {"Message": "Authorization failed", "StatusCode": 401}


@pytest.mark.parametrize("how", ["header", "access_token", "oauth_token"])
def test_token_accepted_three_ways(server, how):
    # Arrange
    token = login(server.url)
    headers = {"Authorization": f"Bearer {token}"} if how == "header" else {}
    params = {how: token} if how != "header" else {}
    # Act
    r = httpx.get(
        f"{server.url}/v2/users/demo/accounts", headers=headers, params=params, timeout=10
    )
    # Assert
    assert r.status_code == 200
    keys = [a["Key"] for a in r.json()]
    assert 123456 in keys and "default:ACC12345" in keys
    assert r.json()[0]["TypeDescription"] == "Cash"


def test_missing_or_bad_token_401(server):
    # Act
    no = httpx.post(f"{server.url}/v2/orders", json=PLACE, timeout=10)
    bad = httpx.get(
        f"{server.url}/v2/accounts/123456/orders",
        headers={"Authorization": "Bearer not-a-token"},
        timeout=10,
    )
    # Assert
    for r in (no, bad):
        assert r.status_code == 401
        assert r.headers["content-type"] == JSON
        assert r.json() == {"Message": "Unauthorized", "StatusCode": 401}


def test_paths_are_case_insensitive(ts):
    # Act
    r = ts.get("/V2/Accounts/123456/Orders", params={"pageSize": 1})
    triggers = ts.get("/v2/OrderExecution/ActivationTriggers")
    exchanges = ts.get("/v2/orderexecution/exchanges")
    # Assert
    assert r.status_code == 200 and len(r.json()) == 1
    keys = [t["Key"] for t in triggers.json()["ActivationTriggers"]]
    assert keys[:2] == ["STT", "STTN"] and len(keys) == 12
    assert {"AssetType": "EQ", "Id": "NYSE", "Name": "NYSE"} in exchanges.json()["Exchange"]


def test_confirm_places_nothing(server, ts):
    # Arrange
    with server.runtime.read() as e:
        before = e.order_seq
    # Act
    r = ts.post("/v2/orders/confirm", json=dict(PLACE, OrderConfirmId="conf-1"))
    g = ts.post("/v2/orders/groups/confirm", json=BRK_1_12)
    # Assert
    assert r.status_code == 200
    c = r.json()[0]
    assert c["SummaryMessage"] == "Buy 10 ARNA @ 1.00 Limit"
    assert c["OrderConfirmId"] == "conf-1" and c["EstimatedCost"] == 10.00
    assert c["Account"] == "123456" and c["Duration"] == "DYP"
    assert g.status_code == 200 and len(g.json()) == 2
    with server.runtime.read() as e:
        assert e.order_seq == before


def test_brk_seed_000_during_the_session(ts):
    # Act: the seed's own BRK (members on 123456 and 123465), sent at 10:00 New York
    r = ts.post("/v2/orders/groups", json=BRK)
    # Assert
    assert r.status_code == 200
    assert without_ids(r.json()) == [
        {"Message": "Sent order: Sell 10 ARNA @ 5.00 Limit", "OrderStatus": "Ok"},
        {"Message": "Sent order: Sell 10 ARNA @ 1.25 Stop Market", "OrderStatus": "Ok"},
    ]


FX = {"AssetType": "FX", "Symbol": "USDJPY", "LimitPrice": "1.000"}  # minutes: forex only


@pytest.mark.parametrize(
    ("changes", "duration"),
    [
        ({"TradeAction": "BUY", "Duration": "DAY"}, "DAY"),
        ({"TradeAction": "buy", "Duration": "day"}, "DAY"),
        ({"Duration": "GCP"}, "GTC+"),
        ({"Duration": "GTD", "GTDDate": "03/05/2024"}, "GTD"),
        ({"Duration": "GDP", "GTDDate": "03/05/2024"}, "GTD+"),
        ({"Duration": "IOC"}, "IOC"),
        ({"Duration": "FOK"}, "FOK"),
        ({"Duration": "CLO"}, "CLO"),
        ({"Duration": "1", **FX}, "GTD"),
        ({"Duration": "3 MIN", **FX}, "GTD"),
        ({"Duration": 5, **FX}, "GTD"),
        ({"AccountKey": 123456, "Quantity": 10, "LimitPrice": Decimal("1.00")}, "DAY+"),
        ({"TradeAction": "BuyToOpen"}, "DAY+"),
    ],
)
def test_values_tolerated_as_sent_by_clients(ts, changes, duration):
    # Act
    r = ts.post("/v2/orders", content=dumps(dict(PLACE, **changes)),
                headers={"content-type": "application/json"})  # fmt: skip
    # Assert
    assert r.status_code == 200, r.text
    assert r.json()[0]["OrderStatus"] == "Ok"
    assert r.json()[0]["Message"].startswith("Sent order: Buy")
    assert orders_of(ts, "123456")[int(r.json()[0]["OrderID"])]["Duration"] == duration


def test_lowercase_keys_and_opg_after_the_open(ts):
    # Act
    lower = ts.post("/v2/orders", json={k.lower(): v for k, v in PLACE.items()})
    opg = ts.post("/v2/orders", json=dict(PLACE, Duration="OPG"))
    # Assert
    assert lower.json()[0]["OrderStatus"] == "Ok"
    assert opg.status_code == 200
    assert opg.json()[0]["OrderStatus"] == "Failed"
    assert opg.json()[0]["Message"].startswith("Order failed. Reason: ")


def test_jsonp_confirm_and_cancelreplace(server, ts):
    # Arrange
    token = ts.headers["Authorization"].removeprefix("Bearer ")
    oid = ts.post("/v2/orders", json=PLACE).json()[0]["OrderID"]
    data = json.dumps({"AccountKey": "123456", "OrderID": oid, "OrderType": "Limit",
                       "Quantity": "15", "Symbol": "ARNA", "LimitPrice": "1.05",
                       "AssetType": "EQ", "TradeAction": "Buy"})  # fmt: skip
    base = f"{server.url}/v2/jsonp/orders"
    # Act
    conf = httpx.get(f"{base}/confirm", params={"data": json.dumps(PLACE), "callback": "c1",
                                                "oauth_token": token})  # fmt: skip
    rep = httpx.get(f"{base}/{oid}/cancelreplace",
                    params={"data": data, "callback": "c2", "oauth_token": token})  # fmt: skip
    # Assert
    assert conf.status_code == 200 and conf.text.startswith("c1([{")
    assert json.loads(conf.text[3:-1])[0]["SummaryMessage"] == "Buy 10 ARNA @ 1.00 Limit"
    assert (
        rep.text
        == f'c2({{"Message":"Cancel/Replace order sent.","OrderID":"{oid}","OrderStatus":"Ok"}})'
    )
    d = orders_of(ts, "123456")[int(oid)]
    assert (d["Quantity"], d["LimitPriceText"]) == (15, "1.05")


@pytest.mark.parametrize(
    ("trailing", "text", "detail"),
    [
        ({"Amount": Decimal("0.5")}, "Trl: 0.5", {"Amount": 0.50}),
        ({"Percent": Decimal("2.0")}, "Trl: 2%", {"Percent": 2}),
        ({"ByPoints": "false", "Value": "1.25"}, "Trl: 1.25%", {"Percent": 1.25}),
    ],
)
def test_swagger_trailing_stop_generation(ts, trailing, text, detail):
    # Arrange
    order = dict(TRAILING, AccountKey="123465", Symbol="WMT", TradeAction="Sell",
                 AdvancedOptions={"TrailingStop": trailing})  # fmt: skip
    # Act
    r = ts.post("/v2/orders", content=dumps(order), headers={"content-type": "application/json"})
    # Assert
    assert r.status_code == 200, r.text
    assert without_ids(r.json()) == [
        {"Message": f"Sent order: Sell 10 WMT @  Stop Market - {text}", "OrderStatus": "Ok"}
    ]
    assert orders_of(ts, "123465")[int(r.json()[0]["OrderID"])]["TrailingStop"] == detail


def test_group_order_confirm_id_is_idempotent(server, ts):
    # Arrange
    orders = [dict(o, OrderConfirmId=f"grp-{i}") for i, o in enumerate(BRK_1_12["Orders"])]
    group = {"Type": "BRK", "Orders": orders}
    # Act
    first = ts.post("/v2/orders/groups", json=group)
    with server.runtime.read() as e:
        count = len(e.orders)
    second = ts.post("/v2/orders/groups", json=group)
    # Assert
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert [x["OrderStatus"] for x in first.json()] == ["Ok", "Ok"]
    with server.runtime.read() as e:
        assert len(e.orders) == count
