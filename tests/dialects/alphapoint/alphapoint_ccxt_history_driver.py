"""Drives the real ``ccxt`` class ``ndax`` (PyPI) to read one order's trades through
``GetOrderHistoryByOrderId`` (``fetch_order_trades``: the order's versions whose
ChangeReason is Trade). Run by ``test_alphapoint_order_versions.py`` with the Python of a
virtualenv that has ``ccxt`` installed. Argument: ``"BASE_URL ORDER_ID ACCOUNT_ID"``. Only the
URLs are changed (clients.md). Prints one JSON object with what it saw.
"""

import json
import sys

import ccxt

base, order_id, account_id = sys.argv[1].split()
ex = ccxt.ndax(
    {
        "apiKey": "demo-key",
        "secret": "demo-secret",
        "uid": "6",
        "login": "demo",
        "password": "demo",
        "options": {"accountId": int(account_id)},
        "enableRateLimit": False,  # a local server: no need to pace the calls
    }
)
ex.urls["api"] = {"public": base + "/AP", "private": base + "/AP"}
ex.load_markets()
trades = ex.fetch_order_trades(order_id, "IBM/USD")
out = {
    "trades": [
        {k: t[k] for k in ("order", "side", "price", "amount", "cost", "timestamp")} for t in trades
    ]
}
print(json.dumps(out))
