"""``GET /v2/accounts/{keys}/orders`` (wire-formats.md 1.9: most recent first) reads the
runtime's per-account order index: its cost follows the listed accounts' orders, not every
order id the engine issued; each order's ``GroupName`` comes from the runtime's group index,
not a walk over every group the engine keeps (it walked them all on each listing). Counted,
never timed (``order_lookups``)."""

from __future__ import annotations

import pytest
from tradestation_helpers import PLACE, body, server, ts_client

from order_lookups import counted, counted_groups

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


GROUPS = 100


def _oco(native, account: str) -> dict:
    ids = []
    for price in ("1.00", "2.00"):
        r = native.post("/api/v1/orders", json=limit_order(account, price=price))
        assert r.status_code == 201, r.text
        ids.append(r.json()["order_id"])
    r = native.post(
        "/api/v1/groups", json={"kind": "OCO", "members": [{"order_id": i} for i in ids]}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_group_names_do_not_walk_every_group(server, ts):
    # Arrange: an OCO on 987654 that closes, then many OCOs on 123456
    with server.client("demo") as native:
        mine = _oco(native, "987654")
        for m in mine["members"]:
            assert native.delete(f"/api/v1/orders/{m['order_id']}").status_code == 200
        for _ in range(GROUPS):
            _oco(native, "123456")
    # Act
    with counted_groups(server) as counter:
        r = ts.get("/v2/accounts/987654/orders", params={"pageSize": "2"})
        walked = counter.walked
    # Assert: both orders named by their (closed) group, no walk over the other groups
    assert r.status_code == 200, r.text
    ids = sorted(m["order_id"] for m in mine["members"])
    assert sorted(o["OrderID"] for o in r.json()) == ids
    assert {o["GroupName"] for o in r.json()} == {mine["group_id"]}
    assert walked == 0, walked
