"""Conditional updates (wire-formats.md 3.2): GET sends an ETag; PUT/DELETE without If-Match
get 403 code 99, with a stale one 412, and change nothing; the ETag is derived from engine
state, so it is the same after a crash and restart on a database."""

from __future__ import annotations

import httpx
import pytest
from sway_fixtures import MODIFY, ORDERS, clients, etag, eurusd, if_then, state, sway_server

from server_fixtures import server_process


@pytest.fixture(scope="module")
def server():
    with sway_server() as s:
        yield s


@pytest.fixture(scope="module")
def c(server):
    with clients(server) as (sway, op):
        eurusd(op, "1.09000", "1.09010")
        assert sway.post(ORDERS, json=if_then()).status_code == 200
        yield sway


def test_modify_with_stale_if_match_is_412_and_changes_nothing(server, c):
    # Arrange: take the ETag, then change the account's orders
    stale = etag(c)
    extra = dict(MODIFY, orderCode="etag-extra", type="LIMIT", limitPrice=1.07)
    assert c.post(ORDERS, json=extra).status_code == 200
    before = state(server)
    # Act
    r = c.put(ORDERS, json=MODIFY, headers={"If-Match": stale})
    # Assert
    assert r.status_code == 412
    assert state(server) == before
    # the current ETag works
    ok = c.put(ORDERS, json=MODIFY, headers={"If-Match": etag(c)})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.put(ORDERS, json=MODIFY),
        lambda c: c.delete(f"{ORDERS}/entry-1"),
        lambda c: c.delete(f"{ORDERS}/group", params={"order-codes": "entry-1,sl-1,tp-1",
                                                      "contingency-type": "IF-THEN"}),
    ],
    ids=["put", "delete", "delete-group"],
)  # fmt: skip
def test_without_if_match_is_403_code_99_and_changes_nothing(server, c, call):
    before = state(server)
    r = call(c)
    assert r.status_code == 403
    assert r.json()["errorCode"] == "99"
    assert state(server) == before


def test_cancel_with_stale_if_match_is_412(server, c):
    stale = etag(c)
    extra = dict(MODIFY, orderCode="etag-extra-2", type="LIMIT", limitPrice=1.07)
    assert c.post(ORDERS, json=extra).status_code == 200
    before = state(server)
    r = c.delete(f"{ORDERS}/etag-extra-2", headers={"If-Match": stale})
    assert r.status_code == 412
    assert state(server) == before


def test_modify_unknown_order_is_404_code_2(server, c):
    r = c.put(ORDERS, json=dict(MODIFY, orderCode="nope"), headers={"If-Match": etag(c)})
    assert r.status_code == 404 and r.json()["errorCode"] == "2"


def test_modify_non_editable_field_is_409(server, c):
    before = state(server)
    r = c.put(ORDERS, json=dict(MODIFY, side="SELL"), headers={"If-Match": etag(c)})
    assert r.status_code == 409
    assert state(server) == before


def test_etag_is_stable_across_a_restart(tmp_path):
    # Arrange: a server on SQLite with the Sway dialect, one group placed
    url = f"sqlite:///{tmp_path}/data/condor.db"
    with server_process(url, dialects=["sway"]) as s:
        base = f"{s.url}/dxsca-web"
        tok = httpx.post(f"{base}/login", json={"username": "demo", "password": "demo"}).json()
        h = {"Authorization": f"DXAPI {tok['sessionToken']}"}
        assert httpx.post(f"{base}{ORDERS}", json=if_then(), headers=h).status_code == 200
        first = httpx.get(f"{base}{ORDERS}", headers=h)
        s.kill()
        # Act: restart on the same journal
        with server_process(url, dialects=["sway"]) as s2:
            base2 = f"{s2.url}/dxsca-web"
            tok2 = httpx.post(f"{base2}/login",
                              json={"username": "demo", "password": "demo"}).json()  # fmt: skip
            h2 = {"Authorization": f"DXAPI {tok2['sessionToken']}"}
            again = httpx.get(f"{base2}{ORDERS}", headers=h2)
            # Assert: same orders, same ETag; the old ETag still modifies
            assert again.headers["ETag"] == first.headers["ETag"]
            assert again.json() == first.json()
            r = httpx.put(f"{base2}{ORDERS}", json=MODIFY,
                          headers={**h2, "If-Match": first.headers["ETag"]})  # fmt: skip
            assert r.status_code == 200, r.text
