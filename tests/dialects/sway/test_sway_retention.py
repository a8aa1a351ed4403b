"""Sway on a journaled server whose engine forgets finished orders (``journal.
retain_terminal``): a forgotten order is still found by its ``orderCode`` and by its system id,
from the read model, so a cancel or a modify of it is 409 code 33 "final" like that of any final
order (wire-formats.md 3.7), not 404 code 2; and its ``orderCode`` stays used (3.2: unique per
account): placing it again, alone or in a group, is 409 code 100. Nothing changes. (Both read
only the orders the engine keeps.) SQLite and PostgreSQL."""

from __future__ import annotations

from sway_fixtures import ACC, MODIFY, ORDERS, eurusd, login, state

from condor.api.settings import JournalConfig

from server_fixtures import api_settings, journal_url, running

assert journal_url  # fixture


def _single(code: str, **kw) -> dict:
    body = {"orderCode": code, "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": "1.07000", "tif": "GTC"}  # fmt: skip
    body.update(kw)
    return body


def _etag(c) -> str:
    return c.get(ORDERS).headers["ETag"]


def _place_and_cancel(c, code: str) -> int:
    r = c.post(ORDERS, json=_single(code))
    assert r.status_code == 200, r.text
    assert c.delete(f"{ORDERS}/{code}", headers={"If-Match": _etag(c)}).status_code == 200
    return r.json()["orderId"]


def test_forgotten_order_is_final_and_its_code_stays_used(journal_url):
    settings = api_settings(
        database_url=journal_url, dialects=["sway"], journal=JournalConfig(retain_terminal=2)
    )
    with running(settings) as server, server.client("operator") as op:
        c = login(server)
        eurusd(op, "1.09000", "1.09010")
        # Arrange: an order ends, then enough others end that the engine forgets it
        oid = _place_and_cancel(c, "gone-1")
        for i in range(4):
            _place_and_cancel(c, f"filler-{i}")
        assert c.post(ORDERS, json=_single("live-1")).status_code == 200  # one more input
        assert oid not in server.runtime.engine.orders
        before = state(server, ACC)
        tag = _etag(c)
        # Act
        cancel = c.delete(f"{ORDERS}/gone-1", headers={"If-Match": tag})
        by_id = c.delete(f"{ORDERS}/{oid}", headers={"If-Match": tag})
        modify = c.put(ORDERS, json={**MODIFY, "orderCode": "gone-1"}, headers={"If-Match": tag})
        reuse = c.post(ORDERS, json=_single("gone-1"))
        group = c.post(ORDERS, json={"contingencyType": "OCO", "orders": [
            _single("new-1"), _single("gone-1", type="STOP", stopPrice="1.10000",
                                      limitPrice=None)]})  # fmt: skip
        # Assert
        for r in (cancel, by_id, modify):
            assert r.status_code == 409, r.text
            assert r.json()["errorCode"] == "33" and "final" in r.json()["description"]
        for r in (reuse, group):
            assert r.status_code == 409, r.text
            assert r.json()["errorCode"] == "100" and "gone-1" in r.json()["description"]
        assert state(server, ACC) == before
        c.close()
