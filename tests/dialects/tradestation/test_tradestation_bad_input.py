"""Bad input (wire-formats.md 1.5, 1.6, 1.8, 1.10): every missing or malformed field answers
its documented 400 message in TradeStation's format, and nothing is created."""

from __future__ import annotations

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

E = {
    "input": "Please provide valid order input.",
    "type": "Invalid order type.",
    "symbol": "Missing order symbol.",
    "limit": "Invalid limit price.",
    "tif": "Order failed. Reason: Missing TIF",
    "trail_stop": "Order failed. Reason: Trailing stop is valid for stop orders only",
    "points": "Failed to build order: Invalid trailing stop number by points",
    "percent": "Failed to build order confirmation: Invalid trailing stop number by percentage",
}
MISSING = "Invalid Request. Order input is incomplete, missing field"
UPPER = "Failed to build order: Invalid symbol arna: the Order Symbol must be UPPERCASE"
LONG_ID = "Failed to build order: OrderConfirmId longer than 25 characters"
DURATION = "Failed to build order: Invalid duration"
OCO_ONE_ACCOUNT = "Failed to build order: all orders of an OCO group must be in one account"
FX = {"AssetType": "FX", "Symbol": "USDJPY", "LimitPrice": "1.000"}
FU = {"AssetType": "FU", "Symbol": "ESH4"}


def state(server: LiveServer) -> tuple:
    """Orders, groups, live orders and every account's held cash (an engine refusal may still
    journal a CommandRejected event and use up an order id: that changes no state)."""
    with server.runtime.read() as e:
        held = {a: {c: v for c, v in acc.held_cash.items() if v} for a, acc in e.accounts.items()}
        return len(e.orders), len(e.groups.groups), len(e.live), held


def trail(**t) -> dict:
    return body(TRAILING, AdvancedOptions={"TrailingStop": t})


# fmt: off
CASES = [
    (body(PLACE, Symbol=None), E["symbol"]),
    (body(PLACE, Symbol=""), E["symbol"]),
    (body(PLACE, OrderType=None), E["type"]),
    (body(PLACE, OrderType="Bracket"), E["type"]),
    (body(PLACE, Duration=None), E["tif"]),
    (body(PLACE, AccountKey=None), f"{MISSING} AccountKey"),
    (body(PLACE, AssetType=None), f"{MISSING} AssetType"),
    (body(PLACE, Quantity=None), f"{MISSING} Quantity"),
    (body(PLACE, TradeAction=None), f"{MISSING} TradeAction"),
    (body(PLACE, LimitPrice=None), E["limit"]),
    (body(PLACE, LimitPrice="abc"), E["limit"]),
    (body(PLACE, LimitPrice="-1"), E["limit"]),
    (body(PLACE, LimitPrice="1.001"), E["limit"]),
    (body(PLACE, Symbol="arna"), UPPER),
    (body(PLACE, Symbol="NOPE"), "Failed to build order: Invalid symbol NOPE"),
    (body(PLACE, Quantity="ten"), "Failed to build order: Invalid quantity"),
    (body(PLACE, Quantity="0"), "Failed to build order: Invalid quantity"),
    (body(PLACE, TradeAction="Hold"), "Failed to build order: Invalid trade action Hold"),
    (body(PLACE, Duration="GTX"), "Failed to build order: Invalid duration GTX"),
    (body(PLACE, Duration="GTD"), "Failed to build order: Invalid GTDDate (MM/DD/YYYY)"),
    (body(PLACE, AssetType="ZZ"), "Failed to build order: Invalid asset type ZZ"),
    (body(PLACE, AssetType="FX"), "Failed to build order: Invalid asset type FX for symbol ARNA"),
    (body(PLACE, OrderType="StopMarket", StopPrice=None), "Failed to build order: Invalid stop price"),
    (body(PLACE, OrderConfirmId="x" * 26), LONG_ID),
    (body(PLACE, AdvancedOptions={"ShowOnlyQuantity": 50}),
     "Failed to build order: Invalid ShowOnlyQuantity (a positive multiple of 100 for equities)"),
    (body(PLACE, AdvancedOptions={"TrailingStop": {"ByPoints": True, "Value": 3}}),
     E["trail_stop"]),
    (trail(ByPoints=True, Value="2.5"), E["points"]),
    (trail(ByPoints=True, Value=0), E["points"]),
    (trail(ByPoints=False, Value="0.125"), E["percent"]),
    (trail(ByPoints=False, Value="100"), E["percent"]),
    (trail(Percent="-1"), E["percent"]),
    (trail(Amount="abc"), E["points"]),
    (body(PLACE, OSOs=[{"Type": "XYZ", "Orders": [PLACE]}]), "Please provide valid group order type."),
    # section 1.5: minute durations are forex only, futures DAY/GTC/GTD/IOC/FOK only
    (body(PLACE, Duration="1"), f"{DURATION} 1 for asset type EQ"),
    (body(PLACE, Duration="5 MIN"), f"{DURATION} 5 MIN for asset type EQ"),
    (body(PLACE, **FX, Duration="DYP"), f"{DURATION} DYP for asset type FX"),
    (body(PLACE, **FX, Duration="OPG"), f"{DURATION} OPG for asset type FX"),
    (body(PLACE, **FU, Duration="GCP"), f"{DURATION} GCP for asset type FU"),
    (body(PLACE, **FU, Duration="3"), f"{DURATION} 3 for asset type FU"),
    (body(PLACE, **FU, Duration="CLO"), f"{DURATION} CLO for asset type FU"),
    # section 1.6: an OCO (also as an OSO group) is all in one account
    (body(PLACE, OSOs=[{"Type": "OCO", "Orders": [PLACE, body(PLACE, AccountKey="123465")]}]),
     OCO_ONE_ACCOUNT),
]
# fmt: on


@pytest.mark.parametrize(("request_body", "message"), CASES)
def test_bad_order_field_400_and_nothing_created(server, ts, request_body, message):
    # Arrange
    before = state(server)
    # Act
    r = ts.post("/v2/orders", json=request_body)
    # Assert
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == JSON
    assert r.json() == {"Message": message, "StatusCode": 400}
    assert state(server) == before


def test_not_json_and_not_an_object(server, ts):
    before = state(server)
    for content in (b"{not json", b"[1, 2]", b'"text"'):
        r = ts.post("/v2/orders", content=content, headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert r.json() == {"Message": E["input"], "StatusCode": 400}
    assert state(server) == before


def test_an_account_the_caller_may_not_trade_401(server, ts):
    before = state(server)
    r = ts.post("/v2/orders", json=body(PLACE, AccountKey="ALICE-1"))
    assert r.status_code == 401
    assert r.json() == {
        "Message": "Order failed. Reason: Request originator is not authorized to trade this account",
        "StatusCode": 401,
    }
    assert state(server) == before


GROUP_CASES = [
    ([1, 2], "Please provide valid group order input."),
    ({"Orders": OCO["Orders"]}, "Please provide valid group order type."),
    ({"Type": "XYZ", "Orders": OCO["Orders"]}, "Please provide valid group order type."),
    ({"Type": "OCO"}, "Please provide each order input for the group order."),
    ({"Type": "OCO", "Orders": [OCO["Orders"][0], 5]},
     "Please provide each order input for the group order."),
    ({"Type": "OCO", "Orders": [OCO["Orders"][0]]},
     "Group order must include at least one pair of orders."),
    ({"Type": "BRK", "Orders": [body(OCO["Orders"][0], TradeAction="Sell"), OCO["Orders"][1]]},
     "Failed to build order: member 1: BRK orders must have the same side"),
    ({"Type": "OCO", "Orders": [OCO["Orders"][0], body(OCO["Orders"][1], Symbol=None)]},
     "Missing order symbol."),
    ({"Type": "OCO", "Orders": [OCO["Orders"][0], body(OCO["Orders"][1], AccountKey="987654")]},
     OCO_ONE_ACCOUNT),
]  # fmt: skip


@pytest.mark.parametrize(("request_body", "message"), GROUP_CASES)
def test_bad_group_400_and_nothing_created(server, ts, request_body, message):
    before = state(server)
    r = ts.post("/v2/orders/groups", json=request_body)
    assert r.status_code == 400, r.text
    assert r.json() == {"Message": message, "StatusCode": 400}
    assert state(server) == before


REPLACE_CASES = [
    ({"OrderType": "Limit", "Quantity": "10", "LimitPrice": "1.00", "AccountKey": "9"},
     "Invalid account."),
    ({"Quantity": "10", "LimitPrice": "1.00"}, "Missing order type."),
    ({"OrderType": "Limit", "LimitPrice": "1.00"}, "Missing order quantity."),
    ({"OrderType": "Limit", "Quantity": "10"}, "Missing order limit price."),
    ({"OrderType": "Limit", "Quantity": "10", "LimitPrice": "x"}, "Invalid limit price."),
    ({"OrderType": "Bogus", "Quantity": "10", "LimitPrice": "1.00"}, "Invalid order type."),
    ({"OrderType": "Limit", "Quantity": "10", "LimitPrice": "1.005"}, "Invalid limit price."),
    ({"OrderType": "Limit", "Quantity": "10", "LimitPrice": "0"}, "Invalid limit price."),
    ({"OrderType": "Limit", "Quantity": "0", "LimitPrice": "1.00"},
     "Failed to build order: Invalid quantity"),
]  # fmt: skip


def test_bad_replace_400_and_nothing_changed(server, ts):
    # Arrange
    oid = ts.post("/v2/orders", json=body(PLACE, AccountKey="123465")).json()[0]["OrderID"]
    before = state(server)
    for request_body, message in REPLACE_CASES:
        # Act
        r = ts.put(f"/v2/orders/{oid}", json=request_body)
        # Assert
        assert r.status_code == 400, r.text
        assert r.json() == {"Message": message, "StatusCode": 400}
    assert state(server) == before
    r = ts.get("/v2/accounts/123465/orders")
    d = next(o for o in r.json() if o["OrderID"] == int(oid))
    assert (d["Quantity"], d["LimitPriceText"], d["Status"]) == (10, "1.00", "OPN")


def test_account_orders_for_an_unknown_or_foreign_account(ts):
    for keys in ("NOPE", "123456,ALICE-1", ""):
        r = ts.get(f"/v2/accounts/{keys}/orders")
        assert r.status_code in (400, 404)
        if r.status_code == 400:
            assert r.json() == {"Message": "Invalid account.", "StatusCode": 400}


def rule(**changes) -> dict:
    base = {"RuleType": "Price", "Symbol": "MSFT", "Predicate": "Gt", "TriggerKey": "STT",
            "Price": "300.00", "LogicOperator": "And"}  # fmt: skip
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


ACTIVATION_CASES = [
    ({"MarketActivationRules": [rule()] * 5},
     "Failed to build order: Invalid MarketActivationRules (a list of at most 4 rules)"),
    ({"MarketActivationRules": [rule(Predicate="Eq")]},
     "Failed to build order: Invalid MarketActivationRules[0]: Predicate must be Lt, Lte, Gt "
     "or Gte"),
    ({"MarketActivationRules": [rule(), rule(TriggerKey="XYZ")]},
     "Failed to build order: Invalid MarketActivationRules[1]: unknown TriggerKey XYZ"),
    ({"MarketActivationRules": [rule(Symbol="msft")]},
     "Failed to build order: Invalid MarketActivationRules[0]: Symbol must be an UPPERCASE "
     "symbol"),
    ({"MarketActivationRules": [rule(Price="-3")]},
     "Failed to build order: Invalid MarketActivationRules[0]: Price must be a positive number"),
    ({"MarketActivationRules": [rule(LogicOperator="Xor")]},
     "Failed to build order: Invalid MarketActivationRules[0]: LogicOperator must be And or Or"),
    ({"TimeActivationRules": [{"TimeUtc": "25:99"}]},
     "Failed to build order: Invalid TimeActivationRules: TimeUtc must be HH:MM:SS"),
    ({"TimeActivationRules": [{"TimeUtc": "14:00:00"}, {"TimeUtc": "15:00:00"}]},
     "Failed to build order: Invalid TimeActivationRules (one rule)"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "message"), ACTIVATION_CASES)
def test_bad_activation_rules_400_and_nothing_created(server, ts, options, message):
    before = state(server)
    r = ts.post("/v2/orders", json=body(PLACE, AdvancedOptions=options))
    assert r.status_code == 400, r.text
    assert r.json() == {"Message": message, "StatusCode": 400}
    assert state(server) == before


def test_activation_rules_in_a_group_are_refused(server, ts):
    before = state(server)
    member = body(OCO["Orders"][0], AdvancedOptions={"MarketActivationRules": [rule()]})
    r = ts.post("/v2/orders/groups", json={"Type": "OCO", "Orders": [member, OCO["Orders"][1]]})
    assert r.status_code == 400
    assert r.json()["Message"] == (
        "Failed to build order: activation rules are supported on single orders only"
    )
    assert state(server) == before
