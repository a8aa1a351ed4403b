"""Durability of the TradeStation dialect's commands: after a SIGKILL and a restart on the same
SQLite journal, an order waiting on activation rules is still waiting and is released by the
next qualifying trade, and a repeated OrderConfirmId still answers the first Order Result."""

from __future__ import annotations

import httpx
from tradestation_helpers import PLACE, login

from server_fixtures import server_process


def test_activation_and_order_confirm_id_survive_a_crash(tmp_path):
    # Arrange
    url = f"sqlite:///{tmp_path}/data/condor.db"
    rule = {"RuleType": "Price", "Symbol": "MSFT", "Predicate": "Gte", "Price": "300.00"}
    waiting = dict(PLACE, AdvancedOptions={"MarketActivationRules": [rule]})
    keyed = dict(PLACE, OrderConfirmId="restart-1")
    with server_process(url) as s:
        h = {"Authorization": f"Bearer {login(s.url)}"}
        oid = int(httpx.post(f"{s.url}/v2/orders", json=waiting, headers=h).json()[0]["OrderID"])
        first = httpx.post(f"{s.url}/v2/orders", json=keyed, headers=h).json()
        s.kill()
        # Act
        s.start()
        h = {"Authorization": f"Bearer {login(s.url)}"}
        again = httpx.post(f"{s.url}/v2/orders", json=keyed, headers=h).json()
        before = _status(s.url, h, oid)
        with s.client("demo") as native:
            r = native.post("/api/v1/marketdata/MSFT/trades", json={"price": "300.00", "size": "1"})
            assert r.status_code == 200, r.text
        after = _status(s.url, h, oid)
    # Assert
    assert again == first
    assert (before, after) == ("DON", "OPN")


def _status(url: str, headers: dict, oid: int) -> str:
    r = httpx.get(f"{url}/v2/accounts/123456/orders", headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    return next(o["Status"] for o in r.json() if o["OrderID"] == oid)
