"""Shared pieces of the TradeStation dialect tests: the seeds' request bodies (000, 001) and
section 1.12's, and a client that logs in through ``/v2/security/authorize``."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import httpx
import pytest

from server_fixtures import LiveServer, child_settings, running

JSON = "application/json; charset=utf-8"

PLACE = {  # seed 001 "Example Request" (and section 1.12 "Place")
    "AccountKey": "123456",
    "AssetType": "EQ",
    "Duration": "DYP",
    "LimitPrice": "1.00",
    "OrderType": "Limit",
    "Quantity": "10",
    "Symbol": "ARNA",
    "TradeAction": "Buy",
}
TRAILING = {  # seed 001 "Trailing Stop Request"
    "AccountKey": "987654",
    "AssetType": "EQ",
    "Duration": "GTC",
    "LimitPrice": "3.00",
    "StopPrice": "2.00",
    "OrderType": "StopMarket",
    "Quantity": "10",
    "Symbol": "ARNA",
    "TradeAction": "Buy",
    "AdvancedOptions": {"TrailingStop": {"ByPoints": True, "Value": 3}},
}
JSONP_DATA = (  # seed 001 "JSONP Request": the data parameter, URL-encoded as sent
    "%7B%22AccountKey%22%3A%2212345%22%2C%22AssetType%22%3A%22FX%22%2C%22LimitPrice%22%3A%221"
    "%22%2C%22OrderType%22%3A%22Limit%22%2C%22Quantity%22%3A%2220000%22%2C%22Symbol%22%3A%22"
    "USDJPY%22%2C%22TradeAction%22%3A%22Buy%22%2C%20%22Duration%22%3A%22GTC%22%7D%0A"
)
BRK = {  # seed 000 "BRK Request"
    "Type": "BRK",
    "Orders": [
        {"AssetType": "EQ", "Symbol": "ARNA", "Quantity": "10", "LimitPrice": "5.00",
         "OrderType": "Limit", "Duration": "DAY", "AccountKey": "123456", "TradeAction": "Sell"},
        {"AssetType": "EQ", "Symbol": "ARNA", "Quantity": "10", "StopPrice": "1.25",
         "OrderType": "StopMarket", "Duration": "DAY", "AccountKey": "123465",
         "TradeAction": "Sell"},
    ],
}  # fmt: skip
OCO = {  # seed 000 "OCO Request"
    "Type": "OCO",
    "Orders": [
        {"AssetType": "EQ", "Symbol": "WMT", "Quantity": "10", "LimitPrice": ".25",
         "OrderType": "Limit", "Duration": "DYP", "AccountKey": "123456", "TradeAction": "Buy"},
        {"AssetType": "EQ", "Symbol": "WMT", "Quantity": "10", "LimitPrice": "2.00",
         "OrderType": "Limit", "Duration": "DYP", "AccountKey": "123456",
         "TradeAction": "SellShort"},
    ],
}  # fmt: skip
BRK_1_12 = copy.deepcopy(BRK)  # section 1.12 "Bracket group": both members on 123456
BRK_1_12["Orders"][1]["AccountKey"] = "123456"


def ts_settings(**overrides):
    """The integration-test settings with session calendars on (the simulated clock starts
    2024-03-04 10:00 New York) and cheap password hashes (fast start-up and log-in)."""
    return child_settings({"calendars": True, **overrides})


def body(template: dict, **changes) -> dict:
    """A deep copy of ``template`` with top-level fields changed (None removes one)."""
    out = copy.deepcopy(template)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def login(url: str, user: str = "demo", password: str = "demo") -> str:
    r = httpx.post(
        f"{url}/v2/security/authorize",
        data={"grant_type": "password", "username": user, "password": password},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def ts_client(url: str, user: str = "demo", password: str = "demo") -> httpx.Client:
    """An httpx client with a TradeStation bearer token."""
    token = login(url, user, password)
    return httpx.Client(base_url=url, timeout=10, headers={"Authorization": f"Bearer {token}"})


def without_ids(results: list[dict]) -> list[dict]:
    """Order Results with their OrderIDs checked (digits) and dropped."""
    out = []
    for r in results:
        r = dict(r)
        assert r.pop("OrderID").isdigit()
        out.append(r)
    return out


def orders_of(client: httpx.Client, account: str) -> dict[int, dict]:
    r = client.get(f"/v2/accounts/{account}/orders")
    assert r.status_code == 200, r.text
    return {o["OrderID"]: o for o in r.json()}


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A real server with the TradeStation dialect (``ts_settings``), one per test module."""
    with running(ts_settings()) as s:
        yield s


@pytest.fixture(scope="module")
def ts(server: LiveServer) -> Iterator[httpx.Client]:
    """A TradeStation client of ``server`` (``ts_client``)."""
    with ts_client(server.url) as c:
        yield c
