"""Drives the real ``ccxt`` class ``ndax`` (PyPI) through an edit and a fill on Condor's
``/AP/`` HTTP flavour.

Run by ``test_alphapoint_clients_edit_trades.py`` with the Python of a virtualenv that has
``ccxt``. Argument: the base URL. Only the URLs are changed (clients.md). Steps: place a
limit buy with a clientOrderId, ``edit_order`` it (CancelReplaceOrder), fetch the
replacement, cancel it; place a limit sell, fill it with a trade print through Condor's
native API, ``fetch_my_trades`` (GetTradesHistory). Prints one JSON object with what it saw.
"""

import json
import sys

import ccxt
from native_trade import native_trade

base = sys.argv[1]
ex = ccxt.ndax(
    {
        "apiKey": "demo-key",
        "secret": "demo-secret",
        "uid": "6",
        "login": "demo",
        "password": "demo",
        "options": {"accountId": 9},
        "enableRateLimit": False,
    }
)
ex.urls["api"] = {"public": base + "/AP", "private": base + "/AP"}
out = {}
ex.load_markets()
first = ex.create_order("IBM/USD", "limit", "buy", 5, 101.25, {"clientOrderId": 5151})
edited = ex.edit_order(first["id"], "IBM/USD", "limit", "buy", 4, 101.5, {"clientOrderId": 5152})
out["first"] = first["id"]
out["edited"] = {"id": edited["id"], "clientOrderId": edited["clientOrderId"]}
fetched = ex.fetch_order(edited["id"], "IBM/USD")
out["fetched"] = {
    "status": fetched["status"],
    "price": fetched["price"],
    "amount": fetched["amount"],
    "clientOrderId": fetched["clientOrderId"],
}
ex.cancel_order(edited["id"], "IBM/USD")
sell = ex.create_order("IBM/USD", "limit", "sell", 2, 150)
native_trade(base, "151").raise_for_status()
trades = ex.fetch_my_trades("IBM/USD")
out["sell"] = sell["id"]
out["trades"] = [
    {
        "order": t["order"],
        "side": t["side"],
        "amount": t["amount"],
        "price": t["price"],
        "cost": t["cost"],
        "symbol": t["symbol"],
    }
    for t in trades
]
print(json.dumps(out))
