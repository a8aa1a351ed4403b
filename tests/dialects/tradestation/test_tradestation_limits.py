"""Numbers of absurd magnitude (audit item 2): every numeric field of an order, of a group, of a
replace and of a JSONP request answers TradeStation's 400 ``{"Message", "StatusCode"}`` (JSONP:
inside the callback) with the field's own message, promptly and never a 500, and nothing is
created or changed. Each value is sent as a JSON string and as a JSON number."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from tradestation_helpers import (
    JSON,
    OCO,
    PLACE,
    TRAILING,
    body,
    server,
    ts,
    ts_client,
    ts_settings,
)

from server_fixtures import LiveServer, running

HUGE = ["1e999999", "1e30", "-1e30"]
QTY = "Failed to build order: Invalid quantity"
LIMIT = "Invalid limit price."
STOP = "Failed to build order: Invalid stop price"
POINTS = "Failed to build order: Invalid trailing stop number by points"
PERCENT = "Failed to build order confirmation: Invalid trailing stop number by percentage"
SHOW = "Failed to build order: Invalid ShowOnlyQuantity (a positive multiple of 100 for equities)"
RULE_PRICE = (
    "Failed to build order: Invalid MarketActivationRules[0]: Price must be a positive number"
)
MARK = "__NUMBER__"


def state(server: LiveServer) -> tuple:
    with server.runtime.read() as e:
        return len(e.orders), len(e.groups.groups), len(e.live)


def stop_order(**changes) -> dict:
    base = {"OrderType": "StopMarket", "LimitPrice": None, "StopPrice": "0.50",
            "TradeAction": "Sell"}  # fmt: skip
    return body(PLACE, **{**base, **changes})


def trailing(**t) -> dict:
    return body(TRAILING, StopPrice=None, AdvancedOptions={"TrailingStop": t})


def rule_price(v) -> dict:
    rule = {"RuleType": "Price", "Symbol": "MSFT", "Predicate": "Gt", "Price": v}
    return body(PLACE, AdvancedOptions={"MarketActivationRules": [rule]})


# (name, builder of the order with the number in it, message)
PLACE_FIELDS = [
    ("Quantity", lambda v: body(PLACE, Quantity=v), QTY),
    ("LimitPrice", lambda v: body(PLACE, LimitPrice=v), LIMIT),
    ("StopPrice", lambda v: stop_order(StopPrice=v), STOP),
    ("StopLimit StopPrice", lambda v: stop_order(OrderType="StopLimit", LimitPrice="0.40",
                                                 StopPrice=v), STOP),
    ("Amount", lambda v: trailing(Amount=v), POINTS),
    ("ByPoints Value", lambda v: trailing(ByPoints=True, Value=v), POINTS),
    ("Percent", lambda v: trailing(Percent=v), PERCENT),
    ("ByPoints false Value", lambda v: trailing(ByPoints=False, Value=v), PERCENT),
    ("ShowOnlyQuantity", lambda v: body(PLACE, AdvancedOptions={"ShowOnlyQuantity": v}), SHOW),
    ("activation Price", rule_price, RULE_PRICE),
]  # fmt: skip


def as_json(order: dict, value: str, number: bool) -> str:
    """``order`` as JSON text with ``value`` as a JSON string, or as a bare JSON number (which
    ``json.dumps`` cannot write from a float: it is spliced into the text)."""
    text = json.dumps(order)
    return text.replace(f'"{MARK}"', value if number else f'"{value}"')


def assert_400(r: httpx.Response, message: str) -> None:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == JSON
    assert r.json() == {"Message": message, "StatusCode": 400}


@pytest.mark.parametrize("number", [False, True], ids=["string", "number"])
@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    ("name", "build", "message"), PLACE_FIELDS, ids=[f[0] for f in PLACE_FIELDS]
)
def test_place_confirm_and_group_refuse_absurd_numbers(server, ts, name, build, message,
                                                       value, number):  # fmt: skip
    # Arrange
    before = state(server)
    order = as_json(build(MARK), value, number)
    group = as_json({"Type": "OCO", "Orders": [build(MARK), OCO["Orders"][0]]}, value, number)
    headers = {"content-type": "application/json"}
    # Act
    placed = ts.post("/v2/orders", content=order, headers=headers)
    confirmed = ts.post("/v2/orders/confirm", content=order, headers=headers)
    grouped = ts.post("/v2/orders/groups", content=group, headers=headers)
    # Assert
    for r in (placed, confirmed, grouped):
        assert_400(r, message)
    assert state(server) == before


@pytest.mark.parametrize("value", HUGE)
def test_jsonp_send_refuses_absurd_numbers_inside_the_callback(server, ts, value):
    # Arrange
    token = ts.headers["Authorization"].split()[1]
    before = state(server)
    # Act
    r = httpx.get(f"{server.url}/v2/jsonp/orders/send", timeout=10, params={
        "callback": "cb", "oauth_token": token, "data": json.dumps(body(PLACE, Quantity=value))})  # fmt: skip
    # Assert
    assert r.status_code == 200
    assert r.text == f'cb({{"Message":"{QTY}","StatusCode":400}})'
    assert state(server) == before


def open_order(ts: httpx.Client, order: dict) -> str:
    r = ts.post("/v2/orders", json=order)
    assert r.status_code == 200 and r.json()[0]["OrderStatus"] == "Ok", r.text
    return r.json()[0]["OrderID"]


@pytest.mark.parametrize("value", HUGE)
def test_replace_refuses_absurd_numbers(server, ts, value):
    # Arrange
    limit = open_order(ts, body(PLACE, Duration="GTC"))
    stop = open_order(ts, stop_order(Duration="GTC"))
    trail = open_order(ts, trailing(Amount="0.50"))
    cases = [
        (limit, {"OrderType": "Limit", "Quantity": value, "LimitPrice": "1.00"}, QTY),
        (limit, {"OrderType": "Limit", "Quantity": "10", "LimitPrice": value}, LIMIT),
        (stop, {"OrderType": "StopMarket", "Quantity": "10", "StopPrice": value}, STOP),
        (trail, {"OrderType": "StopMarket", "Quantity": "10",
                 "AdvancedOptions": {"TrailingStop": {"Amount": value}}}, POINTS),
    ]  # fmt: skip
    before = state(server)
    for oid, request_body, message in cases:
        # Act
        r = ts.put(f"/v2/orders/{oid}", json=request_body)
        # Assert
        assert_400(r, message)
    assert state(server) == before
    ts.delete(f"/v2/orders/{limit}")
    ts.delete(f"/v2/orders/{stop}")
    ts.delete(f"/v2/orders/{trail}")


def test_replace_off_tick_stop_price_uses_the_place_message(ts):
    # Arrange
    oid = open_order(ts, stop_order(Duration="GTC"))
    # Act
    r = ts.put(f"/v2/orders/{oid}", json={"OrderType": "StopMarket", "Quantity": "10",
                                          "StopPrice": "0.505"})  # fmt: skip
    # Assert
    assert_400(r, STOP)
