"""A trade print through Condor's native API, for the AlphaPoint client driver scripts (they
run in the clients' own virtualenvs, which all have ``requests``): logs in as ``demo`` and
posts ``POST /api/v1/marketdata/<symbol>/trades``. Returns the ``requests`` response."""

import requests


def native_trade(base: str, price: str, size: str = "100", symbol: str = "IBM"):
    token = requests.post(
        f"{base}/api/v1/auth/token", json={"username": "demo", "password": "demo"}, timeout=10
    ).json()["access_token"]
    return requests.post(
        f"{base}/api/v1/marketdata/{symbol}/trades",
        json={"price": price, "size": size},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
