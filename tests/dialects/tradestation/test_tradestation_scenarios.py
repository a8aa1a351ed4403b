"""TradeStation scenarios on a real server (issue 6, "Tests"): the seed's BRK after the close,
the seed's OCO filled by a trade, a BRK partial fill decrementing its sibling, an OSO released
by its primary's fill, a trailing stop over real IBM trades, cancel/replace, OrderConfirmId
idempotency, groups refused for risk answered member by member (section 1.6), and trailing
stops sent without StopPrice (section 1.5)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from tradestation_helpers import (
    BRK,
    OCO,
    PLACE,
    TRAILING,
    orders_of,
    server,
    ts,
    ts_client,
    ts_settings,
    without_ids,
)

from server_fixtures import LiveServer, running

DATA = Path(os.environ.get("CONDOR_DATA", Path(__file__).resolve().parents[3] / "../shared/data"))
IBM_TRADES = DATA / "ibm-us-equity-trades-20131007.csv"


@pytest.fixture(scope="module")
def native(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client("demo") as c:
        yield c


def trade(native: httpx.Client, symbol: str, price: str, size: str = "100") -> None:
    r = native.post(f"/api/v1/marketdata/{symbol}/trades", json={"price": price, "size": size})
    assert r.status_code == 200, r.text


def test_brk_seed_000_after_the_close_fails_both_members_with_the_seed_texts():
    # Arrange: 16:05 Eastern on the simulated clock
    at = datetime(2024, 3, 4, 21, 5, tzinfo=UTC)
    with running(ts_settings(clock_start=at)) as s, ts_client(s.url) as ts:
        with s.runtime.read() as e:
            live_before = len(e.live)
        # Act
        r = ts.post("/v2/orders/groups", json=BRK)
        # Assert
        assert r.status_code == 200
        assert without_ids(r.json()) == [
            {"Message": "Order failed. Reason: No Day orders after 4:00PM Eastern",
             "OrderStatus": "Failed"},
            {"Message": "Order failed. Reason: No market or stop orders after 4:00 PM  Eastern",
             "OrderStatus": "Failed"},
        ]  # fmt: skip
        ids = [int(x["OrderID"]) for x in r.json()]
        assert ids[0] != ids[1]
        with s.runtime.read() as e:
            assert len(e.live) == live_before and not e.groups.groups


def test_single_order_after_the_close_fails_with_an_order_id():
    at = datetime(2024, 3, 4, 21, 5, tzinfo=UTC)
    with running(ts_settings(clock_start=at)) as s, ts_client(s.url) as ts:
        # Act
        day = ts.post("/v2/orders", json=dict(PLACE, Duration="DAY"))
        plus = ts.post("/v2/orders", json=PLACE)  # DYP: extended hours, accepted
        # Assert
        assert day.status_code == 200
        assert without_ids(day.json()) == [
            {"Message": "Order failed. Reason: No Day orders after 4:00PM Eastern",
             "OrderStatus": "Failed"}
        ]  # fmt: skip
        assert plus.json()[0]["OrderStatus"] == "Ok"


def test_oco_seed_000_trade_through_one_leg_fills_it_and_cancels_the_other(ts, native):
    # Arrange
    r = ts.post("/v2/orders/groups", json=OCO)
    assert [x["OrderStatus"] for x in r.json()] == ["Ok", "Ok"]
    buy, short = (int(x["OrderID"]) for x in r.json())
    # Act: a print at 0.20 trades through the buy limit at 0.25
    trade(native, "WMT", "0.20")
    # Assert
    details = orders_of(ts, "123456")
    assert details[buy]["Status"] == "FLL"
    assert details[buy]["FilledPrice"] == 0.25 and details[buy]["ExecuteQuantity"] == 10
    assert details[short]["Status"] == "OUT"
    assert details[short]["StatusDescription"] == "UROut"


def test_brk_partial_fill_decrements_the_sibling(ts, native):
    # Arrange: exits of the long AAPL position of account 123465
    brk = {
        "Type": "BRK",
        "Orders": [
            dict(PLACE, AccountKey="123465", Symbol="AAPL", Quantity="100", LimitPrice="300.00",
                 TradeAction="Sell", Duration="GTC"),
            {"AccountKey": "123465", "AssetType": "EQ", "Symbol": "AAPL", "Quantity": "100",
             "StopPrice": "100.00", "OrderType": "StopMarket", "Duration": "GTC",
             "TradeAction": "Sell"},
        ],
    }  # fmt: skip
    r = ts.post("/v2/orders/groups", json=brk)
    assert [x["OrderStatus"] for x in r.json()] == ["Ok", "Ok"], r.text
    take, stop = (int(x["OrderID"]) for x in r.json())
    # Act: 40 shares print at 300.00
    trade(native, "AAPL", "300.00", "40")
    # Assert
    d = orders_of(ts, "123465")
    assert (d[take]["Status"], d[take]["ExecuteQuantity"]) == ("FPR", 40)
    assert (d[stop]["Status"], d[stop]["Quantity"]) == ("OPN", 60)


def test_oso_released_when_the_primary_fills(ts, native):
    # Arrange: buy 10 IBM at 240; then an OCO of a take-profit and a stop
    tp = dict(PLACE, AccountKey="9", Symbol="IBM", LimitPrice="260.00", TradeAction="Sell",
              Duration="GTC")  # fmt: skip
    sl = {"AccountKey": "9", "AssetType": "EQ", "Symbol": "IBM", "Quantity": "10",
          "StopPrice": "220.00", "OrderType": "StopMarket", "Duration": "GTC",
          "TradeAction": "Sell"}  # fmt: skip
    primary = dict(PLACE, AccountKey="9", Symbol="IBM", LimitPrice="240.00", Duration="GTC")
    r = ts.post("/v2/orders", json={**primary, "OSOs": [{"Type": "OCO", "Orders": [tp, sl]}]})
    assert r.status_code == 200, r.text
    p, t, s = (int(x["OrderID"]) for x in r.json())
    assert [orders_of(ts, "9")[i]["Status"] for i in (p, t, s)] == ["OPN", "DON", "DON"]
    # Act
    trade(native, "IBM", "239.00")
    after_fill = orders_of(ts, "9")
    trade(native, "IBM", "261.00")
    # Assert
    assert [after_fill[i]["Status"] for i in (p, t, s)] == ["FLL", "OPN", "OPN"]
    d = orders_of(ts, "9")
    assert (d[t]["Status"], d[s]["Status"]) == ("FLL", "OUT")


def test_cancel_and_replace(ts):
    # Arrange
    oid = ts.post("/v2/orders", json=dict(PLACE, AccountKey="D39004")).json()[0]["OrderID"]
    # Act
    rep = ts.put(
        f"/v2/orders/{oid}",
        json={"AccountKey": "D39004", "OrderID": oid, "OrderType": "Limit", "Quantity": "20",
              "Symbol": "ARNA", "LimitPrice": "1.10"},
    )  # fmt: skip
    after_replace = orders_of(ts, "D39004")[int(oid)]
    cancel = ts.delete(f"/v2/orders/{oid}")
    again = ts.delete(f"/v2/orders/{oid}")
    unknown = ts.delete("/v2/orders/99999999")
    # Assert
    assert rep.status_code == 200
    assert rep.json() == {"Message": "Cancel/Replace order sent.", "OrderID": oid,
                          "OrderStatus": "Ok"}  # fmt: skip
    assert (after_replace["Quantity"], after_replace["LimitPriceText"]) == (20, "1.10")
    assert cancel.status_code == 200
    assert cancel.json() == {"Message": None, "OrderID": oid, "OrderStatus": "Ok"}
    assert orders_of(ts, "D39004")[int(oid)]["Status"] == "OUT"
    assert again.status_code == 400
    assert again.json() == {"Message": "Not an open order.", "StatusCode": 400}
    assert unknown.json() == {"Message": "Invalid order ID.", "StatusCode": 400}


def test_replace_turns_a_limit_into_a_market_order_that_fills_at_once(ts, native):
    # Arrange: a DAY limit buy under an ARNA market of 1.50 / 1.60
    oid = ts.post("/v2/orders", json=dict(PLACE, AccountKey="D39004", Duration="DAY")).json()[0][
        "OrderID"
    ]
    r = native.post(
        "/api/v1/marketdata/ARNA/quotes",
        json={"bid": "1.50", "ask": "1.60", "bid_size": "100", "ask_size": "100"},
    )
    assert r.status_code == 200, r.text
    # Act: section 1.8, "Limit -> ... or convert to Market" (the sample sends LimitPrice "0.00")
    rep = ts.put(f"/v2/orders/{oid}", json={"AccountKey": "D39004", "OrderType": "Market",
                                            "Quantity": "10", "LimitPrice": "0.00"})  # fmt: skip
    # Assert: same order id, now a Market order, filled at the ask
    assert rep.status_code == 200, rep.text
    assert rep.json()["OrderID"] == oid
    d = orders_of(ts, "D39004")[int(oid)]
    assert (d["Status"], d["Legs"][0]["OrderTypeDescription"], d["FilledPriceText"]) == (
        "FLL", "Market", "1.60")  # fmt: skip


def test_replace_refuses_a_trailing_stop_into_market_and_changes_nothing(server, ts):
    # Arrange: the seed's trailing stop (section 1.8: quantity and trail amount only)
    oid = ts.post("/v2/orders", json=TRAILING).json()[0]["OrderID"]
    # Act
    rep = ts.put(f"/v2/orders/{oid}", json={"OrderType": "Market", "Quantity": "10"})
    # Assert
    assert rep.status_code == 400
    assert rep.json()["Message"].startswith("Failed to build order: cannot change a")
    with server.runtime.read() as e:
        assert e.orders[int(oid)].ord_type.value == "TrailingStopMarket"


def test_jsonp_cancel_wraps_errors_in_the_callback(server, ts):
    # Arrange
    token = ts.headers["Authorization"].removeprefix("Bearer ")
    oid = ts.post("/v2/orders", json=dict(PLACE, AccountKey="D39004")).json()[0]["OrderID"]
    url = f"{server.url}/v2/jsonp/orders/{oid}/cancel"
    # Act
    ok = httpx.get(url, params={"callback": "cb", "oauth_token": token, "_": "1"})
    twice = httpx.get(url, params={"callback": "cb", "oauth_token": token})
    no_token = httpx.get(url, params={"callback": "ns.cb"})
    # Assert
    assert (
        ok.status_code == 200
        and ok.text == f'cb({{"Message":null,"OrderID":"{oid}","OrderStatus":"Ok"}})'
    )
    assert twice.status_code == 200
    assert twice.text == 'cb({"Message":"Not an open order.","StatusCode":400})'
    assert no_token.status_code == 200
    assert no_token.text == 'ns.cb({"Message":"Unauthorized","StatusCode":401})'


def test_jsonp_refuses_a_callback_that_is_not_an_identifier(server, ts):
    token = ts.headers["Authorization"].removeprefix("Bearer ")
    for cb in ("alert(1);x", "a b", "<script>", "x.1y", ""):
        r = httpx.get(
            f"{server.url}/v2/jsonp/orders/1/cancel", params={"callback": cb, "oauth_token": token}
        )
        assert r.status_code == 400
        assert r.json() == {"Message": "Invalid callback.", "StatusCode": 400}


def test_order_confirm_id_is_idempotent(server, ts):
    # Arrange
    body = dict(PLACE, AccountKey="12345", OrderConfirmId="abc-123")
    # Act
    first = ts.post("/v2/orders", json=body)
    with server.runtime.read() as e:
        seq = e.order_seq
    second = ts.post("/v2/orders", json=body)
    # Assert
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    with server.runtime.read() as e:
        assert e.order_seq == seq
    assert orders_of(ts, "12345")[int(first.json()[0]["OrderID"])]["OrderConfirmId"] == "abc-123"


@pytest.mark.skipif(not IBM_TRADES.exists(), reason=f"real market data absent: {IBM_TRADES}")
def test_trailing_stop_follows_real_ibm_trades():
    # Arrange: regular-hours IBM prints of 2013-10-07; where a 0.25 % sell trail must trigger,
    # computed here from the tape (high-water mark, offset rounded half up to the cent)
    with IBM_TRADES.open() as f:
        tape = [
            r["price"] for r in csv.DictReader(f)
            if "09:30:00.000" <= r["time_et"] < "16:00:00.000" and r["suspicious"] == "0"
        ]  # fmt: skip
    cents = [int(Decimal(p) * 100) for p in tape]
    water, trigger = cents[0], None
    for i, c in enumerate(cents[1:], 1):
        water = max(water, c)
        if c <= water - max(1, (water * 25 + 5000) // 10000):
            trigger = i
            break
    assert trigger is not None
    stop = {"AccountKey": "123456", "AssetType": "EQ", "Symbol": "IBM", "Quantity": "1",
            "StopPrice": "1.00", "OrderType": "StopMarket", "Duration": "GTC",
            "TradeAction": "Sell",
            "AdvancedOptions": {"TrailingStop": {"ByPoints": False, "Value": "0.25"}}}  # fmt: skip
    with running(ts_settings()) as s, ts_client(s.url) as ts:
        native = s.client("demo")
        r = ts.post("/v2/orders", json=stop)
        assert without_ids(r.json()) == [
            {"Message": "Sent order: Sell 1 IBM @  Stop Market - Trl: 0.25%", "OrderStatus": "Ok"}
        ]
        oid = int(r.json()[0]["OrderID"])
        # Act
        for p in tape[:trigger]:
            trade(native, "IBM", p)
        before = orders_of(ts, "123456")[oid]
        trade(native, "IBM", tape[trigger])
        after = orders_of(ts, "123456")[oid]
        native.close()
    # Assert
    assert before["Status"] == "OPN"
    assert after["Status"] == "FLL"
    assert Decimal(str(after["FilledPrice"])) == Decimal(tape[trigger])


def test_market_activation_rule_holds_the_order_until_it_holds(ts, native):
    # Arrange: buy ARNA once MSFT trades above 300 (Swagger MarketActivationRules)
    rule = {"RuleType": "Price", "Symbol": "MSFT", "Predicate": "Gt", "TriggerKey": "STT",
            "Price": "300.00", "LogicOperator": "And"}  # fmt: skip
    order = dict(PLACE, AccountKey="987654", AdvancedOptions={"MarketActivationRules": [rule]})
    r = ts.post("/v2/orders", json=order)
    assert r.json()[0]["OrderStatus"] == "Ok", r.text
    oid = int(r.json()[0]["OrderID"])
    waiting = orders_of(ts, "987654")[oid]
    # Act
    trade(native, "MSFT", "300.00")
    at_300 = orders_of(ts, "987654")[oid]["Status"]
    trade(native, "MSFT", "300.01")
    # Assert
    assert waiting["Status"] == "DON"
    assert waiting["MarketActivationRules"] == [rule]
    assert at_300 == "DON"
    after = orders_of(ts, "987654")[oid]
    assert after["Status"] == "OPN" and after["MarketActivationRules"] == []


def test_time_activation_rule_releases_at_its_time(ts):
    # Arrange: the clock is at 15:00 UTC or a little later
    order = dict(PLACE, AccountKey="987654", Symbol="AAPL", LimitPrice="100.00",
                 AdvancedOptions={"TimeActivationRules": [{"TimeUtc": "18:30:00"}]})  # fmt: skip
    oid = int(ts.post("/v2/orders", json=order).json()[0]["OrderID"])
    before = orders_of(ts, "987654")[oid]
    # Act
    r = ts.put("/api/v1/clock", json={"now": "2024-03-04T18:30:01Z"})
    assert r.status_code == 200, r.text
    # Assert
    assert before["Status"] == "DON"
    assert before["TimeActivationRules"] == [{"TimeUtc": "18:30:00"}]
    assert orders_of(ts, "987654")[oid]["Status"] == "OPN"


GROUP_NOT_PLACED = "Order failed. Reason: another order of the group failed"


def group_state(server: LiveServer) -> tuple:
    with server.runtime.read() as e:
        return len(e.orders), len(e.groups.groups), len(e.live)


def test_group_with_a_member_refused_by_risk_fails_member_by_member(server, ts):
    # Arrange: the second member covers a short position account 123456 does not have
    cover = dict(OCO["Orders"][0], TradeAction="BuyToCover")
    before = group_state(server)
    # Act
    r = ts.post("/v2/orders/groups", json={"Type": "OCO", "Orders": [OCO["Orders"][0], cover]})
    alone = ts.post("/v2/orders", json=cover)
    # Assert: 200, each member its own Failed result (section 1.6), nothing placed
    assert r.status_code == 200, r.text
    first, second = r.json()
    assert first == {"Message": GROUP_NOT_PLACED, "OrderID": "", "OrderStatus": "Failed"}
    assert second["OrderStatus"] == "Failed" and second["OrderID"] == ""
    assert second["Message"] == alone.json()[0]["Message"]
    assert second["Message"].startswith("Order failed. Reason: ")
    assert not second["Message"].startswith("Order failed. Reason: member")
    assert group_state(server)[1:] == before[1:]


def test_brk_with_an_exit_larger_than_the_position_fails_member_by_member(server, ts):
    # Arrange: account 123456 holds 1,000 ARNA; the stop exit sells 100,000
    take, stop = (dict(o, AccountKey="123456") for o in BRK["Orders"])
    stop["Quantity"] = "100000"
    before = group_state(server)
    # Act
    r = ts.post("/v2/orders/groups", json={"Type": "BRK", "Orders": [take, stop]})
    # Assert
    assert r.status_code == 200, r.text
    assert [(x["OrderStatus"], x["OrderID"]) for x in r.json()] == [("Failed", "")] * 2
    assert r.json()[0]["Message"] == GROUP_NOT_PLACED
    assert r.json()[1]["Message"].startswith("Order failed. Reason: ")
    assert r.json()[1]["Message"] != GROUP_NOT_PLACED
    assert group_state(server)[1:] == before[1:]


@pytest.mark.parametrize(
    ("trailing", "text"),
    [
        ({"ByPoints": True, "Value": 2}, "Trl: 2"),
        ({"ByPoints": False, "Value": "1.5"}, "Trl: 1.5%"),
        ({"Amount": "1.5"}, "Trl: 1.5"),
        ({"Percent": "0.25"}, "Trl: 0.25%"),
    ],
)
def test_trailing_stop_without_stop_price(ts, trailing, text):
    # Arrange: section 1.5, StopPrice is ignored with a trailing stop, so it may be left out
    order = {"AccountKey": "123456", "AssetType": "EQ", "Symbol": "IBM", "Quantity": "10",
             "OrderType": "StopMarket", "TradeAction": "Sell", "Duration": "GTC",
             "AdvancedOptions": {"TrailingStop": trailing}}  # fmt: skip
    # Act
    r = ts.post("/v2/orders", json=order)
    # Assert
    assert r.status_code == 200, r.text
    assert without_ids(r.json()) == [
        {"Message": f"Sent order: Sell 10 IBM @  Stop Market - {text}", "OrderStatus": "Ok"}
    ]
    d = orders_of(ts, "123456")[int(r.json()[0]["OrderID"])]
    assert d["AdvancedOptions"] == "Trailing Stop"
