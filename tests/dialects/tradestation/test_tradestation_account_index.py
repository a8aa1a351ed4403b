"""``GET /v2/accounts/{keys}/orders`` (wire-formats.md 1.9: most recent first) reads the
runtime's per-account order index: its cost follows the listed accounts' orders, not every
order id the engine issued. Counted, never timed (``order_lookups``)."""

from __future__ import annotations

import pytest
from tradestation_helpers import PLACE, body, server, ts_client

from order_lookups import counted

from server_fixtures import limit_order

OTHERS = 300


@pytest.fixture(scope="module")
def ts(server):
    with ts_client(server.url) as c:
        yield c


def test_listing_looks_up_only_the_accounts_orders(server, ts):
    # Arrange: two orders on 123465 and 987654, then many on 123456
    mine = []
    for account in ("123465", "987654", "123465"):
        r = ts.post("/v2/orders", json=body(PLACE, AccountKey=account, Duration="GTC"))
        assert r.status_code == 200, r.text
        mine.append(int(r.json()[0]["OrderID"]))
    with server.client("demo") as native:
        for _ in range(OTHERS):
            r = native.post("/api/v1/orders", json=limit_order(price="1.00"))
            assert r.status_code == 201, r.text
    ts.get("/v2/accounts/123465,987654/orders")  # the index catches up once
    # Act
    with counted(server) as counter:
        r = ts.get("/v2/accounts/123465,987654/orders")
        lookups = counter.lookups
    # Assert: newest first across both accounts, and no walk over the other account's ids
    assert r.status_code == 200, r.text
    assert [o["OrderID"] for o in r.json()] == sorted(mine, reverse=True)
    assert lookups <= 2 * len(mine), lookups
