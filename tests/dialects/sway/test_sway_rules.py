"""Every rule of seed 002 (Order Group Request) and of section 3.5/3.6 as a request that is
accepted, or refused with 400 code 33 (101 for a bad client id) and a description naming the
rule, with nothing changed (wire-formats.md 3.5-3.7)."""

from __future__ import annotations

import copy
import itertools

import pytest
from sway_fixtures import ORDERS, clients, eurusd, login, state, sway_server

from condor.api.dialects.sway.config import ENV

_codes = itertools.count(1)


@pytest.fixture(scope="module")
def server():
    with sway_server() as s:
        yield s


@pytest.fixture(scope="module")
def c(server):
    with clients(server) as (sway, op):
        eurusd(op, "1.09000", "1.09010")
        # a long position, so that CLOSE sells pass the risk check and reach the group rules
        buy = _o(type_="MARKET", qty=100000)
        assert sway.post(ORDERS, json=buy).status_code == 200
        yield sway


def _o(side="BUY", type_="LIMIT", qty=1000, effect="OPEN", **kw) -> dict:
    o = {"orderCode": f"r-{next(_codes)}", "type": type_, "instrument": "EUR/USD",
         "positionEffect": effect, "side": side, "tif": "GTC"}  # fmt: skip
    if qty is not None:
        o["quantity"] = qty
    if type_ == "LIMIT":
        o["limitPrice"] = 1.08
    if type_ == "STOP":
        o["stopPrice"] = 1.10 if side == "BUY" else 1.07
    o.update(kw)
    return {k: v for k, v in o.items() if v is not None}


def _then(side="SELL", type_="LIMIT", **kw) -> dict:
    kw.setdefault("qty", 0)
    kw.setdefault("effect", "CLOSE")
    if type_ == "LIMIT":
        kw.setdefault("limitPrice", 1.10)
    return _o(side, type_, **kw)


def _group(kind: str, *orders: dict) -> dict:
    return {"contingencyType": kind, "orders": [copy.deepcopy(o) for o in orders]}


ACCEPTED = {
    "oco limit+stop same side": lambda: _group("OCO", _o(), _o(type_="STOP")),
    "oco stop-buy + stop-sell": lambda: _group(
        "OCO", _o(type_="STOP"), _o(side="SELL", type_="STOP")
    ),
    "oco case-insensitive": lambda: _group("oco", _o(), _o(type_="STOP")),
    "if-then case-insensitive": lambda: _group("If-Then", _o(), _then()),
    "if-then absent quantity": lambda: _group("IF-THEN", _o(), _then(qty=None)),
}

REFUSED = {
    # seed: OCO
    "oco close effect": (
        lambda: _group("OCO", _o(), _o(type_="STOP", effect="CLOSE", side="SELL")),
        "OCO orders must have OPEN position effect",
    ),
    "oco unequal quantity": (
        lambda: _group("OCO", _o(), _o(type_="STOP", qty=2000)),
        "OCO orders must have equal quantities",
    ),
    "oco zero quantity": (
        lambda: _group("OCO", _o(), _o(type_="STOP", qty=0)),
        "quantity must be positive",
    ),
    "oco one order": (lambda: _group("OCO", _o()), "OCO needs at least two orders"),
    # seed: same account and instrument
    "different instrument": (
        lambda: _group("OCO", _o(), _o(type_="STOP", instrument="USDJPY", stopPrice=160)),
        "same instrument",
    ),
    "different account": (
        lambda: _group("OCO", _o(), _o(type_="STOP", account="123456")),
        "same account",
    ),
    # seed: IF-THEN
    "if order close": (
        lambda: _group("IF-THEN", _o(effect="CLOSE", side="SELL", limitPrice=1.10), _then("BUY")),
        "the IF order must have OPEN position effect",
    ),
    "if order zero quantity": (
        lambda: _group("IF-THEN", _o(qty=0), _then()),
        "quantity must be positive",
    ),
    "then order open": (
        lambda: _group("IF-THEN", _o(), _then(effect="OPEN", qty=1000)),
        "THEN orders must have CLOSE position effect",
    ),
    "then order with quantity": (
        lambda: _group("IF-THEN", _o(), _then(qty=1000)),
        "THEN orders must have zero or absent quantity",
    ),
    "then order same side": (
        lambda: _group("IF-THEN", _o(), _then(side="BUY", limitPrice=1.07)),
        "THEN orders must have the opposite side",
    ),
    "then order not GTC": (
        lambda: _group("IF-THEN", _o(), _then(tif="DAY")),
        "THEN orders must be GTC",
    ),
    "if order against the position": (  # the module's account is long EUR/USD
        lambda: _group(
            "IF-THEN", _o(side="SELL", limitPrice=1.10), _then(side="BUY", limitPrice=1.07)
        ),
        "orders[0]: the IF order would reduce the account's long position in EUR/USD",
    ),
    "if-then without THEN": (
        lambda: _group("IF-THEN", _o()),
        "IF-THEN needs a parent and at least one THEN order",
    ),
    # section 3.6: bad contingency, mixed fields, limit without price
    "unknown contingency": (
        lambda: _group("OTO", _o(), _then()),
        "contingencyType: 'OTO' is not one of OCO, IF-THEN",
    ),
    "oco with contingent fields": (
        lambda: _group("OCO", _o(priceLink="TRIGGERED_STOP", priceOffset=0.001), _o(type_="STOP")),
        "priceOffset/priceLink",
    ),
    "priceOffset on the IF order": (
        lambda: _group("IF-THEN", _o(priceOffset=0.001, priceLink="TRIGGERED_LIMIT"), _then()),
        "only for THEN orders of an IF-THEN group",
    ),
    "priceOffset without priceLink": (
        lambda: _group("IF-THEN", _o(), _then(priceOffset=0.001)),
        "give both or neither",
    ),
    "priceLink that does not fit the type": (
        lambda: _group("IF-THEN", _o(), _then(priceOffset=0.001, priceLink="TRIGGERED_STOP")),
        "priceLink: TRIGGERED_STOP does not fit a LIMIT order",
    ),
    "single with priceOffset": (
        lambda: _o(priceOffset=0.001, priceLink="TRIGGERED_LIMIT"),
        "only for THEN orders",
    ),
    "limit without price": (
        lambda: _group("OCO", _o(limitPrice=None), _o(type_="STOP")),
        "limitPrice: a LIMIT order needs a limit price",
    ),
    "no orders": (lambda: _group("OCO"), "a group needs orders"),
    # section 3.5: single orders
    "single missing orderCode": (
        lambda: {k: v for k, v in _o().items() if k != "orderCode"},
        "orderCode",
    ),
    "single unknown type": (lambda: _o(type_="ICEBERG"), "type: 'ICEBERG' is not one of"),
    "single unknown side": (lambda: _o(side="SHORT"), "side: 'SHORT' is not one of BUY, SELL"),
    "single unknown instrument": (lambda: _o(instrument="XAU/XXX"), "unknown instrument"),
    "single off-tick price": (lambda: _o(limitPrice="1.080001"), "limitPrice"),
    "single zero quantity": (lambda: _o(qty=0), "quantity must be positive"),
    "single quantity not a number": (lambda: _o(qty="ten"), "quantity"),
    "single market not GTC": (
        lambda: _o(type_="MARKET", tif="DAY"),
        "MARKET orders are GTC only",
    ),
    "single stop without stop price": (
        lambda: _o(type_="STOP", stopPrice=None),
        "stopPrice: a STOP order needs a stop price",
    ),
    "single GTD without expireDate": (lambda: _o(tif="GTD"), "expireDate"),
    "single positionCode with OPEN": (lambda: _o(positionCode="1"), "positionCode"),
    "single body account differs": (lambda: _o(account="123456"), "account"),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted(server, c, name):
    body = ACCEPTED[name]()
    r = c.post(ORDERS, json=body)
    assert r.status_code == 200, r.text
    n = len(body["orders"]) if "orders" in body else 1
    assert len(r.json().get("orderResponses", [r.json()])) == n


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_code_33_naming_the_rule(server, c, name):
    # Arrange
    make, words = REFUSED[name]
    before = state(server)
    # Act
    r = c.post(ORDERS, json=make())
    # Assert
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"errorCode", "description"}
    assert body["errorCode"] == "33"
    assert body["description"].startswith("Incorrect request (")
    assert words in body["description"]
    assert state(server) == before


@pytest.mark.parametrize(
    "raw", [b"not json", b"[1, 2]", b'{"orderCode": "x", "instrument": "EUR/USD"}']
)
def test_malformed_bodies_are_400_code_33(server, c, raw):
    before = state(server)
    r = c.post(ORDERS, content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["errorCode"] == "33"
    assert state(server) == before


@pytest.mark.parametrize("code", ["", "x" * 65, "bad\ncode"])
def test_bad_client_id_is_400_code_101(server, c, code):
    before = state(server)
    r = c.post(ORDERS, json=_o(orderCode=code))
    assert r.status_code == 400
    assert r.json() == {
        "errorCode": "101",
        "description": "Client-originated identifier is not valid",
    }
    assert state(server) == before


def test_groups_only_on_position_based_accounts(monkeypatch):
    # Arrange: 123465 configured as a netting (not position-based) account
    monkeypatch.setenv(ENV, "123465")
    with sway_server() as s:
        c = login(s)
        before = state(s, "123465")
        # Act
        r = c.post("/accounts/123465/orders", json=_group("OCO", _o(), _o(type_="STOP")))
        ok = c.post("/accounts/123465/orders", json=_o())
        users = c.get("/users/demo@default").json()["userDetails"][0]["accounts"]
        c.close()
    # Assert
    assert r.status_code == 400 and r.json()["errorCode"] == "33"
    assert "only for position-based accounts" in r.json()["description"]
    assert ok.status_code == 200  # single orders are still fine
    kinds = {a["account"]: a["accountType"] for a in users}
    assert kinds["123465"] == "NETTING" and kinds["default:ACC12345"] == "POSITION_BASED"
    assert before[1] == 0
