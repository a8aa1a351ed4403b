"""``GET /api/v1/orders/by-cl-ord-id/{id}`` on a journaled server whose engine forgets finished
orders (``journal.retain_terminal``): an order it forgot is found by its ClOrdID from the read
model, with or without ``account``, as it ended (README: reads of forgotten orders come from the
database); a ClOrdID no order of the caller's accounts has is 404, another account's order
stays invisible. (The route looked only at the orders the engine keeps: 404.) SQLite and
PostgreSQL. Without ``account`` the look-up goes through the runtime's per-account index: its
cost follows the caller's accounts, not every order id the engine issued (it walked them all
under the read lock). Counted, never timed (``order_lookups``)."""

from __future__ import annotations

from condor.api.settings import JournalConfig
from order_lookups import counted

from server_fixtures import api_settings, journal_url, limit_order, running

assert journal_url  # fixture


def _settings(url: str):
    return api_settings(database_url=url, journal=JournalConfig(retain_terminal=2))


def _place_and_cancel(c, account: str, **kw) -> dict:
    r = c.post("/api/v1/orders", json=limit_order(account, price="90.00", **kw))
    assert r.status_code == 201, r.text
    r = c.delete(f"/api/v1/orders/{r.json()['order_id']}")
    assert r.status_code == 200, r.text
    return r.json()


def test_forgotten_order_is_found_by_cl_ord_id(journal_url):
    with running(_settings(journal_url)) as server, server.client("alice") as c:
        # Arrange: an order with a ClOrdID ends, then enough others end that it is forgotten
        first = _place_and_cancel(c, "ALICE-1", cl_ord_id="old-1")
        for _ in range(4):
            _place_and_cancel(c, "ALICE-1")
        c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00"))  # one more input
        assert first["order_id"] not in server.runtime.engine.orders
        # Act
        anywhere = c.get("/api/v1/orders/by-cl-ord-id/old-1")
        in_account = c.get("/api/v1/orders/by-cl-ord-id/old-1", params={"account": "ALICE-1"})
        unknown = c.get("/api/v1/orders/by-cl-ord-id/never-used")
        with server.client("demo") as other:
            foreign = other.get("/api/v1/orders/by-cl-ord-id/old-1")
        # Assert: read back as it ended
        assert anywhere.status_code == 200, anywhere.text
        assert anywhere.json() == first and first["status"] == "Canceled"
        assert in_account.status_code == 200 and in_account.json() == first
        assert unknown.status_code == 404 and unknown.json()["field"] == "cl_ord_id"
        assert foreign.status_code == 404, foreign.text


OTHERS = 300


def test_cl_ord_id_look_up_without_account_does_not_walk_other_orders():
    with running(api_settings()) as server, server.client("alice") as c:
        # Arrange: alice's order, then many orders of another account
        r = c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00", cl_ord_id="a-1"))
        assert r.status_code == 201, r.text
        with server.client("demo") as demo:
            for _ in range(OTHERS):
                assert demo.post("/api/v1/orders", json=limit_order(price="1.00")).is_success
        c.get("/api/v1/orders/by-cl-ord-id/a-2")  # the index catches up (once per order)
        # Act
        with counted(server) as counter:
            found = c.get("/api/v1/orders/by-cl-ord-id/a-1")
            missing = c.get("/api/v1/orders/by-cl-ord-id/a-2")
            lookups = counter.lookups
        # Assert
        assert found.status_code == 200 and found.json() == r.json()
        assert missing.status_code == 404, missing.text
        assert lookups < 10, lookups
