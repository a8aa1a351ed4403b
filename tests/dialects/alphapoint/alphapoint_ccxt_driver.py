"""Drives the real ``ccxt`` class ``ndax`` (PyPI) against Condor's ``/AP/`` HTTP flavour.

Run by ``test_alphapoint_clients.py`` with the Python of a virtualenv that has ``ccxt``
installed. Argument: the base URL (``http://127.0.0.1:PORT``). Only the URLs are changed
(clients.md): ``urls['api'] = {'public': BASE + '/AP', 'private': BASE + '/AP'}``. Steps:
load markets, place a limit buy on IBM (signed with the API-key headers), list open orders,
fetch the order, cancel it, fetch it again. Prints one JSON object with what it saw.
"""

import json
import sys

import ccxt

base = sys.argv[1]
ex = ccxt.ndax(
    {
        "apiKey": "demo-key",
        "secret": "demo-secret",
        "uid": "6",
        "login": "demo",
        "password": "demo",
        "options": {"accountId": 9},
        "enableRateLimit": False,  # a local server: no need to pace the calls
    }
)
ex.urls["api"] = {"public": base + "/AP", "private": base + "/AP"}
out = {}
markets = ex.load_markets()
out["has_ibm"] = "IBM/USD" in markets
order = ex.create_order("IBM/USD", "limit", "buy", 5, 101.25, {"clientOrderId": 424242})
out["created"] = order["id"]
opened = ex.fetch_open_orders("IBM/USD")
out["open"] = [o["id"] for o in opened]
fetched = ex.fetch_order(order["id"], "IBM/USD")
out["fetched"] = {
    "id": fetched["id"],
    "status": fetched["status"],
    "price": fetched["price"],
    "amount": fetched["amount"],
    "side": fetched["side"],
    "type": fetched["type"],
}
ex.cancel_order(order["id"], "IBM/USD")
after = ex.fetch_order(order["id"], "IBM/USD")
out["after_cancel"] = after["status"]
print(json.dumps(out))
