"""Alor orders over HTTP against a real server: golden tests of the section 2.11 and seed 003
examples, modify (cancel + new number), cancel, cancel all, X-REQID idempotency, reads in the
three formats with case-insensitive paths (wire-formats 2.4-2.9)."""

from __future__ import annotations

import re

import httpx
import pytest
from alor_helpers import (
    SBER,
    USER,
    C,
    c,
    limit,
    order,
    place,
    send,
    server,
    state,
    stop,
    trade,
)

TS7 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


def test_golden_limit_order_of_section_2_11(server, c):
    # Arrange: the example verbatim (price as a JSON number)
    raw = (
        b'{"side":"buy","quantity":1,"price":142.52,'
        b'"instrument":{"symbol":"SBER","exchange":"MOEX","instrumentGroup":"TQBR"},'
        b'"user":{"portfolio":"D39004"},"timeInForce":"oneday"}'
    )
    # Act
    r = c.post(
        f"{C}/actions/limit",
        content=raw,
        headers={"X-REQID": "D39004;1700000000000000000", "Content-Type": "application/json"},
    )
    # Assert: 200 (never 201), {"message": "success", "orderNumber": "<string>"}
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["message", "orderNumber"]
    assert body["message"] == "success" and body["orderNumber"].isdigit()
    o = order(c, body["orderNumber"])
    assert o["id"] == body["orderNumber"]
    assert (o["symbol"], o["board"], o["brokerSymbol"], o["exchange"]) == (
        "SBER", "TQBR", "MOEX:SBER", "MOEX",
    )  # fmt: skip
    assert (o["type"], o["side"], o["status"], o["timeInForce"]) == (
        "limit", "buy", "working", "oneday",
    )  # fmt: skip
    assert (o["qty"], o["qtyBatch"], o["qtyUnits"], o["filled"]) == (1, 1, 10, 0)
    assert o["price"] == 142.52 and o["volume"] == 1425.2
    assert '"price":142.52' in c.get(f"/md/v2/Clients/MOEX/D39004/orders/{o['id']}").text
    assert o["existing"] is True and TS7.match(o["transTime"]) and TS7.match(o["updateTime"])


def test_golden_inactive_stop_of_the_seed(c):
    # Arrange: seed 003's inactive stop, verbatim
    body = {"condition": "MoreOrEqual", "triggerPrice": 330.40, "stopEndUnixTime": 1719781199,
            "activate": False, "side": "sell", "quantity": 100,
            "instrument": SBER, "user": USER}  # fmt: skip
    # Act
    r = send(c, "POST", f"{C}/actions/stop", body)
    # Assert
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "success"
    s = order(c, r.json()["orderNumber"], stop_order=True)
    assert s["id"] == int(r.json()["orderNumber"])
    assert (s["type"], s["side"], s["condition"], s["status"]) == (
        "stop", "sell", "MoreOrEqual", "working",
    )  # fmt: skip
    assert s["stopPrice"] == 330.4 and s["price"] == 0 and s["qty"] == 100
    assert s["endTime"] == "2024-06-30T20:59:59.0000000Z"
    assert s["activate"] is False and s["exchangeOrderId"] is None


def test_golden_inactive_stop_of_section_2_11(c):
    oid = place(c, "stop", stop(activate=False))
    s = order(c, oid, stop_order=True)
    assert (s["condition"], s["stopPrice"], s["activate"]) == ("LessOrEqual", 135.0, False)
    assert s["timeInForce"] == "goodtillcancelled" and s["endTime"] is None


def test_an_active_stop_reads_activate_true_before_and_after_its_cancel(c):
    oid = place(c, "stop", stop("133.00"))
    assert order(c, oid, stop_order=True)["activate"] is True
    c.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX", "stop": "true"})
    s = order(c, oid, stop_order=True)
    assert (s["status"], s["activate"]) == ("canceled", True)


def test_a_stop_canceled_while_inactive_reads_activate_false(c):
    # Arrange
    oid = place(c, "stop", stop("132.00", activate=False))
    assert order(c, oid, stop_order=True)["activate"] is False
    # Act
    c.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX", "stop": "true"})
    # Assert: it never worked, so it still reads inactive
    s = order(c, oid, stop_order=True)
    assert (s["status"], s["activate"]) == ("canceled", False)


@pytest.mark.parametrize("cond", ["lessorequal", "LESSOREQUAL", "LessOrEqual", "less"])
def test_condition_in_any_casing_reads_back_pascal_case(c, cond):
    oid = place(c, "stop", stop(condition=cond))
    expected = "Less" if cond == "less" else "LessOrEqual"
    assert order(c, oid, stop_order=True)["condition"] == expected


def test_market_and_stop_limit_orders(server, c):
    # Act
    stop_limit = {**stop(trigger="130.00"), "price": 129.5, "timeInForce": "oneday"}
    sl = place(c, "stopLimit", stop_limit)
    # Assert
    s = order(c, sl, stop_order=True)
    assert (s["type"], s["price"], s["stopPrice"]) == ("stoplimit", 129.5, 130.0)
    # a market buy fills against a print
    body = {"side": "buy", "quantity": 1, "instrument": SBER, "user": USER}
    m = place(c, "market", body)
    trade(server, "300.00", "10")
    o = order(c, m)
    assert (o["type"], o["status"], o["filled"], o["filledQtyUnits"]) == ("market", "filled", 1, 10)


@pytest.mark.parametrize("header", ["X-REQID", "X-ALOR-REQID"])
def test_repeated_request_id_answers_the_documented_duplicate_and_creates_nothing(
    server, c, header
):
    # Arrange
    key = f"D39004;dup-{header}"
    first = send(c, "POST", f"{C}/actions/limit", limit("140.00"), reqid=key, header=header)
    before = state(server)
    # Act
    again = send(c, "POST", f"{C}/actions/limit", limit("140.00"), reqid=key, header=header)
    # Assert
    assert first.status_code == 200
    assert again.status_code == 400
    assert again.json() == {
        "message": "Request with such X-ALOR-REQID was already handled. "
        "We return the response to that request.",
        "oldResponse": {"statusCode": 200, "body": first.json()},
    }
    assert state(server) == before


def test_modify_limit_cancels_and_answers_a_new_order_number(c):
    # Arrange
    old = place(c, "limit", limit("141.00", qty=2))
    # Act
    r = send(c, "PUT", f"{C}/actions/limit/{old}", limit("141.50", qty=3))
    # Assert
    assert r.status_code == 200, r.text
    new = r.json()["orderNumber"]
    assert new != old and "зарегистрирована" in r.json()["message"]
    assert order(c, old)["status"] == "canceled"
    n = order(c, new)
    assert (n["status"], n["price"], n["qty"]) == ("working", 141.5, 3)


def test_modify_stop_limit_lowercase_path_keeps_it_inactive(c):
    # Arrange: an inactive stop-limit; the alor-api client PUTs to .../stoplimit/{id}
    body = {**stop(trigger="131.00", activate=False), "price": 130.0}
    old = place(c, "stopLimit", body)
    # Act
    r = send(c, "PUT", f"{C}/actions/stoplimit/{old}", {**body, "triggerPrice": 132.0})
    # Assert
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "success"
    new = order(c, r.json()["orderNumber"], stop_order=True)
    assert (new["stopPrice"], new["activate"]) == (132.0, False)
    assert order(c, old, stop_order=True)["status"] == "canceled"


def test_cancel_answers_plain_success_and_unknown_is_order_to_cancel_not_found(server, c):
    # Arrange
    oid = place(c, "limit", limit("139.00"))
    # Act
    r = c.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX",
                                      "stop": "false", "format": "Simple"})  # fmt: skip
    before = state(server)
    again = c.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX"})
    # Assert
    assert r.status_code == 200 and r.text == "success"
    assert r.headers["content-type"].startswith("text/plain")
    assert order(c, oid)["status"] == "canceled"
    assert again.status_code == 400
    assert again.json() == {"code": "OrderToCancelNotFound (404)",
                            "message": "Order to cancel not found"}  # fmt: skip
    assert state(server) == before


def test_cancel_all_stops_only_then_nothing_left(c):
    # Arrange
    s1 = place(c, "stop", stop(trigger="120.00"))
    lim = place(c, "limit", limit("120.00"))
    # Act
    r = c.delete(f"{C}/all", params={"portfolio": "D39004", "exchange": "MOEX", "stop": "true"})
    # Assert
    assert r.status_code == 200 and r.json() == "success"
    assert order(c, s1, stop_order=True)["status"] == "canceled"
    assert order(c, lim)["status"] == "working"
    r2 = c.delete(f"{C}/all", params={"portfolio": "D39004", "exchange": "MOEX", "stop": "true"})
    assert r2.status_code == 400
    assert r2.json() == {"code": "OrderToCancelNotFound", "message": "Orders to cancel not found"}


@pytest.mark.parametrize(
    "path",
    [
        "/md/v2/Clients/MOEX/D39004/orders",
        "/md/v2/clients/MOEX/D39004/orders",
        "/MD/V2/CLIENTS/moex/D39004/Orders",
    ],
)
def test_read_paths_are_case_insensitive(c, path):
    # Arrange (an order of its own: tests of this module may run in other workers)
    oid = place(c, "limit", limit("138.00"))
    # Act
    r = c.get(path)
    # Assert
    assert r.status_code == 200
    assert oid in {o["id"] for o in r.json()}
    assert all(o["portfolio"] == "D39004" for o in r.json())


def test_formats_simple_slim_heavy(c):
    # Arrange (a stop of its own: tests of this module may run in other workers)
    oid = place(c, "limit", limit("138.00", icebergFixed=1, qty=2))
    place(c, "stop", stop(activate=False))
    # Act
    simple = order(c, oid)
    slim = order(c, oid, fmt="Slim")
    heavy = order(c, oid, fmt="heavy")
    # Assert
    assert simple["iceberg"]["creationFixedQuantity"] == 1
    assert "qty" not in heavy and "filled" not in heavy and heavy["qtyBatch"] == 2
    assert (slim["id"], slim["sym"], slim["px"], slim["q"], slim["st"]) == (
        oid, "SBER", 138.0, 20, "working",
    )  # fmt: skip
    stops = c.get("/md/v2/Clients/MOEX/D39004/stoporders", params={"format": "Heavy"}).json()
    assert stops and all("avgPrice" in s and "avg_price" not in s for s in stops)


def test_unknown_order_read_is_404(c):
    r = c.get("/md/v2/Clients/MOEX/D39004/orders/999999")
    assert r.status_code == 404 and r.json()["code"] == "NotFound"


def test_estimate(c):
    r = c.post(f"{C}/estimate", json={"portfolio": "D39004", "ticker": "SBER",
                                      "exchange": "MOEX", "price": 300, "lotQuantity": 2})  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert body["ticker"] == "SBER" and body["quantityToBuy"] > 0
    assert body["orderEvaluation"] == 6000


def test_bookorcancel_rests_when_passive_and_is_canceled_when_it_would_trade(server, c):
    # Arrange: SBER quoted 299.90 / 300.00
    r = httpx.post(
        f"{server.url}/api/v1/marketdata/SBER/quotes",
        json={"bid": "299.90", "ask": "300.00", "bid_size": "1000", "ask_size": "1000"},
        headers={"Authorization": f"Bearer {server.token('operator')}"},
    )
    assert r.status_code == 200, r.text
    passive = limit("299.00", timeInForce="bookorcancel")
    crossing = limit("300.00", timeInForce="BookOrCancel")
    # Act
    rested = place(c, "limit", passive)
    canceled = place(c, "limit", crossing)
    # Assert: the passive one works and reads back as bookorcancel; the other traded nothing
    r = order(c, rested)
    assert (r["status"], r["timeInForce"]) == ("working", "bookorcancel")
    x = order(c, canceled)
    assert (x["status"], x["filled"]) == ("canceled", 0)
