"""Seed 002 scenarios on EUR/USD against injected quotes, over HTTP on a real server:
IF-THEN entry with stop-loss and take-profit (full fill; partial fill then cancel) and an OCO
stop-buy + stop-sell pair."""

from __future__ import annotations

import pytest
from sway_fixtures import by_code, cs, etag, eurusd, if_then, server

from server_fixtures import quote


def _open_codes(c, url: str) -> dict:
    return {o["orderCode"]: o for o in c.get(url).json()["orders"]}


def _eur_position(c, account_url: str):
    pos = c.get(f"/accounts/{account_url}/positions").json()["positions"]
    return next((p for p in pos if p["symbol"] == "EUR/USD"), None)


def test_if_then_entry_fills_one_exit_fills_the_other_is_canceled(server, cs):
    # Arrange: the section 3.9 group on default:ACC12345 (no EUR/USD position yet)
    c, op = cs
    orders = "/accounts/default%3AACC12345/orders"
    assert c.post(orders, json=if_then("-s1")).status_code == 200
    # Act 1: the ask reaches the entry's limit
    eurusd(op, "1.08450", "1.08490")
    # Assert 1: the entry is filled, the THEN orders work with its filled quantity
    assert by_code(c, "entry-1-s1")["status"] == "COMPLETED"
    live = _open_codes(c, orders)
    for code in ("sl-1-s1", "tp-1-s1"):
        assert live[code]["status"] == "WORKING"
        assert live[code]["legs"][0]["quantity"] == 10000
    pos = _eur_position(c, "default%3AACC12345")
    assert (pos["side"], pos["quantity"]) == ("BUY", 10000)
    # Act 2: the bid reaches the take-profit
    eurusd(op, "1.09550", "1.09560")
    # Assert 2: take-profit filled, stop-loss canceled, position flat
    tp, sl = by_code(c, "tp-1-s1"), by_code(c, "sl-1-s1")
    assert tp["status"] == "COMPLETED" and tp["executions"][-1]["lastPrice"] == 1.095
    assert sl["status"] == "CANCELED"
    # section 3.8: executions list every status change of each order, oldest first
    # (a THEN order is accepted Held, works once the IF order fills, then fills or ends)
    assert [(x["status"], x["lastQuantity"]) for x in tp["executions"]] == [
        ("ACCEPTED", 0), ("WORKING", 0), ("COMPLETED", 10000)]  # fmt: skip
    assert [(x["status"], x["finalStatus"]) for x in sl["executions"]] == [
        ("ACCEPTED", False), ("WORKING", False), ("CANCELED", True)]  # fmt: skip
    assert _eur_position(c, "default%3AACC12345") is None
    assert _open_codes(c, orders) == {}


def test_partially_filled_parent_canceled_then_exits_get_the_filled_quantity(server, cs):
    # Arrange: account 123456, back to a quote away from every price
    c, op = cs
    orders = "/accounts/123456/orders"
    eurusd(op, "1.09000", "1.09010")
    assert c.post(orders, json=if_then("-s2")).status_code == 200
    # Act 1: 4,000 offered at the entry's limit, then the rest of the entry is canceled
    quote(op, "EUR/USD", "1.08400", "1.08490", bid_size="4000", ask_size="4000")
    eurusd(op, "1.09000", "1.09010")
    entry = by_code(c, "entry-1-s2", orders)
    assert entry["legs"][0]["filledQuantity"] == 4000 and entry["status"] == "WORKING"
    r = c.delete(f"{orders}/entry-1-s2", headers={"If-Match": etag(c, orders)})
    assert r.status_code == 200, r.text
    # Assert 1: the THEN orders work with the 4,000 that filled
    live = _open_codes(c, orders)
    assert {k: v["legs"][0]["quantity"] for k, v in live.items()} == {
        "sl-1-s2": 4000, "tp-1-s2": 4000,
    }  # fmt: skip
    # Act 2: the bid falls through the stop-loss
    eurusd(op, "1.07950", "1.07960")
    # Assert 2: stop-loss filled, take-profit canceled, flat
    assert by_code(c, "sl-1-s2", orders)["status"] == "COMPLETED"
    assert by_code(c, "tp-1-s2", orders)["status"] == "CANCELED"
    assert by_code(c, "entry-1-s2", orders)["status"] == "CANCELED"
    assert _eur_position(c, "123456") is None


def test_oco_stop_buy_stop_sell_final_state_cancels_the_other(server, cs):
    c, op = cs
    orders = "/accounts/987654/orders"
    eurusd(op, "1.09000", "1.09010")
    leg = {"type": "STOP", "instrument": "EUR/USD", "quantity": 1000,
           "positionEffect": "OPEN", "tif": "GTC"}  # fmt: skip
    body = {"contingencyType": "OCO", "orders": [
        {**leg, "orderCode": "oco-buy", "side": "BUY", "stopPrice": 1.0950},
        {**leg, "orderCode": "oco-sell", "side": "SELL", "stopPrice": 1.0850},
    ]}  # fmt: skip
    assert c.post(orders, json=body).status_code == 200
    links = _open_codes(c, orders)["oco-buy"]["links"]
    assert [x["linkType"] for x in links] == ["OCO"]
    # Act: the bid falls through the sell stop
    eurusd(op, "1.08400", "1.08410")
    # Assert
    assert by_code(c, "oco-sell", orders)["status"] == "COMPLETED"
    assert by_code(c, "oco-buy", orders)["status"] == "CANCELED"
    pos = _eur_position(c, "987654")
    assert (pos["side"], pos["quantity"]) == ("SELL", 1000)


def test_protection_orders_priced_from_the_parent_fill(server, cs):
    # Arrange: THEN orders without prices, linked to the IF order's fill (section 3.5)
    c, op = cs
    orders = "/accounts/12345/orders"
    eurusd(op, "1.09000", "1.09010")
    body = if_then("-po")
    sl, tp = body["orders"][1], body["orders"][2]
    del sl["stopPrice"], tp["limitPrice"]
    sl.update(priceOffset=-0.0050, priceLink="TRIGGERED_STOP")
    tp.update(priceOffset=0.0100, priceLink="TRIGGERED_LIMIT")
    assert c.post(orders, json=body).status_code == 200
    held = by_code(c, "sl-1-po", orders)
    assert held["priceOffset"] == -0.005 and held["priceLink"] == "TRIGGERED_STOP"
    assert "price" not in held["legs"][0]
    # Act: the entry (limit 1.0850) fills at its limit
    eurusd(op, "1.08400", "1.08450")
    # Assert: stop 1.0800 and limit 1.0950, working with the filled quantity
    live = _open_codes(c, orders)
    assert live["sl-1-po"]["legs"][0]["price"] == 1.08
    assert live["tp-1-po"]["legs"][0]["price"] == 1.095
    assert live["tp-1-po"]["legs"][0]["quantity"] == 10000
    assert live["tp-1-po"]["priceLink"] == "TRIGGERED_LIMIT"
