"""Orders over HTTP against a real server: submit, get (id and ClOrdID), list with filters and
cursor pagination, modify, replace, cancel, cancel all, fills on injected market data,
executions, balances and positions."""

from __future__ import annotations

from decimal import Decimal

from server_fixtures import demo, limit_order, operator, quote, server


def test_submit_get_modify_replace_cancel(demo):
    # Arrange / Act: submit
    r = demo.post("/api/v1/orders", json=limit_order(price="100.00", cl_ord_id="ord-lifecycle"))
    assert r.status_code == 201, r.text
    o = r.json()
    oid = o["order_id"]
    # Assert: wire shape
    assert o["status"] == "New" and o["quantity"] == "10" and o["price"] == "100.00"
    assert o["owner"] == "demo" and o["leaves_quantity"] == "10" and o["avg_price"] is None

    # get by id and by ClOrdID
    assert demo.get(f"/api/v1/orders/{oid}").json()["cl_ord_id"] == "ord-lifecycle"
    by_cl = demo.get("/api/v1/orders/by-cl-ord-id/ord-lifecycle", params={"account": "123456"})
    assert by_cl.status_code == 200 and by_cl.json()["order_id"] == oid

    # modify in place: same id
    m = demo.patch(f"/api/v1/orders/{oid}", json={"price": "101.50", "quantity": "5"})
    assert m.status_code == 200, m.text
    assert m.json()["order_id"] == oid and m.json()["price"] == "101.50"
    assert m.json()["quantity"] == "5"

    # replace: new id, old one Replaced
    rep = demo.post(f"/api/v1/orders/{oid}/replace", json={"price": "99.00", "cl_ord_id": "ord-2"})
    assert rep.status_code == 201, rep.text
    new = rep.json()
    assert new["order_id"] != oid and new["price"] == "99.00" and new["status"] == "New"
    assert demo.get(f"/api/v1/orders/{oid}").json()["status"] == "Replaced"

    # cancel, then cancel again: 409 (already ended)
    c = demo.delete(f"/api/v1/orders/{new['order_id']}")
    assert c.status_code == 200 and c.json()["status"] == "Canceled"
    again = demo.delete(f"/api/v1/orders/{new['order_id']}")
    assert again.status_code == 409 and again.json()["reason"] == "order.terminal"
    # the ClOrdID of an ended order is still found
    assert demo.get("/api/v1/orders/by-cl-ord-id/ord-2").json()["status"] == "Canceled"


def test_unknown_order_is_404(demo):
    for r in (
        demo.get("/api/v1/orders/999999"),
        demo.delete("/api/v1/orders/999999"),
        demo.patch("/api/v1/orders/999999", json={"price": "1.00"}),
        demo.post("/api/v1/orders/999999/replace", json={}),
        demo.get("/api/v1/orders/999999/explain"),
        demo.get("/api/v1/orders/by-cl-ord-id/never-used"),
    ):
        assert r.status_code == 404, r.text
        assert r.json()["reason"] == "order.unknown_order"


def test_list_filters_and_cursor_pagination(demo):
    # Arrange: five MSFT orders on account 987654
    ids = []
    for i in range(5):
        r = demo.post(
            "/api/v1/orders",
            json=limit_order(account="987654", symbol="MSFT", price=f"{300 + i}.00"),
        )
        ids.append(r.json()["order_id"])
    demo.delete(f"/api/v1/orders/{ids[0]}")
    # Act: walk pages of two
    seen, cursor = [], None
    while True:
        params = {"account": "987654", "symbol": "MSFT", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = demo.get("/api/v1/orders", params=params).json()
        seen += [o["order_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    canceled = demo.get(
        "/api/v1/orders", params={"account": "987654", "status": "Canceled", "symbol": "MSFT"}
    ).json()["items"]
    live = demo.get("/api/v1/orders", params={"account": "987654", "open": "true"}).json()
    # Assert
    assert seen == ids
    assert [o["order_id"] for o in canceled] == [ids[0]]
    assert [o["order_id"] for o in live["items"]] == ids[1:]
    bad = demo.get("/api/v1/orders", params={"cursor": "abc"})
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_cancel_all_of_one_account_and_symbol(demo):
    # Arrange
    a = demo.post(
        "/api/v1/orders", json=limit_order(account="12345", symbol="AAPL", price="200.00")
    )
    b = demo.post("/api/v1/orders", json=limit_order(account="12345", symbol="WMT", price="50.00"))
    # Act
    r = demo.delete("/api/v1/orders", params={"account": "12345", "symbol": "AAPL"})
    # Assert
    assert r.status_code == 200 and r.json()["canceled"] == [a.json()["order_id"]]
    assert demo.get(f"/api/v1/orders/{b.json()['order_id']}").json()["status"] == "New"
    demo.delete("/api/v1/orders", params={"account": "12345"})
    assert demo.get(f"/api/v1/orders/{b.json()['order_id']}").json()["status"] == "Canceled"


def test_fill_on_injected_quote_moves_cash_position_and_executions(demo):
    # Arrange: account D39004 buys 100 ARNA @ 99.00; the market is above it
    before = {b["currency"]: b for b in demo.get("/api/v1/accounts/D39004/balances").json()}
    quote(demo, "ARNA", "99.50", "99.60")
    r = demo.post(
        "/api/v1/orders",
        json=limit_order(account="D39004", symbol="ARNA", qty="100", price="99.00"),
    )
    oid = r.json()["order_id"]
    held = {b["currency"]: b for b in demo.get("/api/v1/accounts/D39004/balances").json()}
    assert Decimal(held["USD"]["held"]) == Decimal("9900")
    # Act: the ask comes down to the limit
    md = quote(demo, "ARNA", "98.90", "99.00")
    # Assert
    assert md["ask"] == "99.00" and md["session"] == "regular"
    o = demo.get(f"/api/v1/orders/{oid}").json()
    assert o["status"] == "Filled" and o["avg_price"] == "99" and o["filled_quantity"] == "100"
    after = {b["currency"]: b for b in demo.get("/api/v1/accounts/D39004/balances").json()}
    assert Decimal(before["USD"]["cash"]) - Decimal(after["USD"]["cash"]) == Decimal("9900")
    assert Decimal(after["USD"]["held"]) == 0
    pos = {p["symbol"]: p for p in demo.get("/api/v1/accounts/D39004/positions").json()}
    assert pos["ARNA"]["quantity"] == "1100"
    ex = demo.get("/api/v1/executions", params={"order_id": oid}).json()["items"]
    assert [(e["quantity"], e["price"], e["liquidity"]) for e in ex] == [("100", "99.00", "maker")]


def test_instruments_accounts_and_market_data(demo):
    inst = {i["symbol"]: i for i in demo.get("/api/v1/instruments").json()}
    assert set(inst) >= {"ARNA", "WMT", "MSFT", "IBM", "AAPL", "USDJPY", "EUR/USD", "BTCUSDT"}
    assert inst["SBER"]["lot_size"] == "10" and inst["SBER"]["board"] == "TQBR"
    assert inst["BTCUSDT"]["lot_size"] == "0.00001" and inst["ESH4"]["tick_size"] == "0.25"
    assert demo.get("/api/v1/instruments/EUR/USD").json()["tick_size"] == "0.00001"
    accounts = {a["account_id"] for a in demo.get("/api/v1/accounts").json()}
    assert accounts == {"123456", "123465", "987654", "12345", "D39004", "default:ACC12345", "9"}
    pos = {p["symbol"]: p["quantity"] for p in demo.get("/api/v1/accounts/9/positions").json()}
    assert pos["SBER"] == "1000" and pos["AAPL"] == "1000"
    assert demo.get("/api/v1/marketdata/NOPE").status_code == 404
    md = demo.get("/api/v1/marketdata/EUR/USD").json()
    assert md["symbol"] == "EUR/USD" and md["session"] == "regular"


def test_fx_and_crypto_orders_work_on_demo_cash(demo):
    quote(demo, "USDJPY", "150.000", "150.010")
    fx = demo.post(
        "/api/v1/orders",
        json={"account": "123465", "symbol": "USDJPY", "side": "Buy", "ord_type": "Market",
              "quantity": "100000", "time_in_force": "IOC"},
    )  # fmt: skip
    assert fx.status_code == 201, fx.text
    assert fx.json()["status"] == "Filled" and fx.json()["avg_price"] == "150.01"
    btc = demo.post(
        "/api/v1/orders",
        json=limit_order(account="123465", symbol="BTCUSDT", qty="0.12345", price="60000.00"),
    )
    assert btc.status_code == 201 and btc.json()["quantity"] == "0.12345"


def test_clock_moves_forward_only(demo):
    now = demo.get("/api/v1/clock").json()["now"]
    r = demo.put("/api/v1/clock", json={"now": "2024-03-04T16:00:00Z"})
    assert r.status_code == 200 and r.json()["now"].startswith("2024-03-04T16:00:00")
    back = demo.put("/api/v1/clock", json={"now": now})
    assert back.status_code == 422 and back.json()["field"] == "now"


def test_round_amounts_are_written_without_exponent(demo):
    # Arrange: account 12345 buys 100 ARNA @ 100.00 (cost 10,000: a round number)
    quote(demo, "ARNA", "100.10", "100.20")
    r = demo.post(
        "/api/v1/orders",
        json=limit_order(account="12345", symbol="ARNA", qty="100", price="100.00"),
    )
    oid = r.json()["order_id"]
    # Act: the ask comes down to the limit and fills it
    quote(demo, "ARNA", "99.90", "100.00")
    # Assert: every amount is a plain decimal string (Decimal.normalize alone writes 1E+2)
    o = demo.get(f"/api/v1/orders/{oid}").json()
    assert o["status"] == "Filled" and o["avg_price"] == "100"
    pos = {p["symbol"]: p for p in demo.get("/api/v1/accounts/12345/positions").json()}
    assert pos["ARNA"]["quantity"] == "1100"
    bal = demo.get("/api/v1/accounts/12345/balances").json()
    account = demo.get("/api/v1/accounts/12345").json()
    texts = [o["avg_price"], pos["ARNA"]["avg_price"], pos["ARNA"]["cost"]]
    texts += [b[k] for b in bal + account["balances"] for k in ("cash", "held", "available")]
    assert all("E" not in t and "e" not in t for t in texts), texts
    assert {b["currency"]: b["cash"] for b in bal}["JPY"] == "200000000"
