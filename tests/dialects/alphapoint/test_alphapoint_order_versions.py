"""GetOrderHistoryByOrderId (wire-formats.md section 4.6): every version of an order, newest
first, each an APEX Order object (section 4.7) as one execution report left the order. A
memory-only server keeps the newest ``journal.reports_kept`` reports; a journaled one reads
every report from its events table, also after a SIGKILL restart (SQLite and PostgreSQL);
ccxt ndax's ``fetch_order_trades`` (which reads the versions whose ChangeReason is Trade)
sees every fill of the order through it."""

from __future__ import annotations

import httpx
import pytest
from alphapoint_wire import ApWs, send_order, srv
from test_alphapoint_clients import client_python, drive

from condor.api.settings import JournalConfig

from server_fixtures import api_settings, journal_url, running, server_process

__all__ = ["journal_url", "srv"]

SELLER = 987654  # demo account with 1,000 IBM long


@pytest.fixture
def ws(srv):
    with ApWs(srv.port) as w:
        w.login()
        yield w


def trade(url: str, price: str, size: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as c:
        tok = c.post("/api/v1/auth/token", json={"username": "demo", "password": "demo"})
        r = c.post("/api/v1/marketdata/IBM/trades", json={"price": price, "size": size},
                   headers={"Authorization": f"Bearer {tok.json()['access_token']}"})  # fmt: skip
        assert r.status_code == 200, r.text


def life(ws: ApWs, url: str) -> int:
    """A sell of 5 IBM at 300 on SELLER: accepted, 2 filled, quantity cut to 4, 1 more
    filled, canceled. Returns its OrderId."""
    oid = send_order(ws, AccountId=SELLER, Side=1, Quantity=5, LimitPrice=300)["OrderId"]
    trade(url, "300.5", "2")
    done = ws.call("ModifyOrder", {"OMSId": 1, "OrderId": oid, "InstrumentId": 4, "Quantity": 4})
    assert done["result"] is True, done
    trade(url, "300.5", "1")
    done = ws.call("CancelOrder", {"OMSId": 1, "AccountId": SELLER, "OrderId": oid})
    assert done["result"] is True, done
    return oid


def summary(versions: list[dict]) -> list[tuple]:
    return [(v["OrderState"], v["ChangeReason"], v["OrigQuantity"], v["QuantityExecuted"],
             v["Quantity"]) for v in versions]  # fmt: skip


LIFE = [
    ("Canceled", "UserModified", 4, 3, 0),
    ("Working", "Trade", 4, 3, 1),
    ("Working", "UserModified", 4, 2, 2),
    ("Working", "Trade", 5, 2, 3),
    ("Working", "NewInputAccepted", 5, 0, 5),
]
"""``summary`` of ``life``'s versions, newest first."""


def test_every_version_newest_first_as_order_objects(srv, ws):
    # Arrange
    oid = life(ws, srv.url)
    # Act
    versions = ws.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": oid})
    # Assert
    assert summary(versions) == LIFE
    assert {v["OrderId"] for v in versions} == {oid}
    assert [v["AvgPrice"] for v in versions] == [300, 300, 300, 300, 0]
    assert [v["GrossValueExecuted"] for v in versions] == [900, 900, 600, 600, 0]
    stamps = [v["LastUpdatedTime"] for v in versions]
    assert stamps == sorted(stamps, reverse=True)
    # every version carries every field of the current Order object
    status = ws.call("GetOrderStatus", {"OMSId": 1, "AccountId": SELLER, "OrderId": oid})
    assert [set(v) for v in versions] == [set(status)] * 5
    assert versions[0] == status
    # an order the caller may not see answers 104 like one that does not exist
    with ApWs(srv.port) as viewer:
        viewer.login("viewer", "viewer-pw")
        hidden = viewer.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": oid})
    unknown = ws.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": 10**9})
    assert (hidden["result"], hidden["errorcode"]) == (unknown["result"], unknown["errorcode"])
    assert (unknown["result"], unknown["errorcode"]) == (False, 104)


def test_memory_only_server_keeps_the_newest_reports_kept():
    # Arrange: a memory-only server that keeps 6 reports in all
    settings = api_settings(dialects=["alphapoint"], journal=JournalConfig(reports_kept=6))
    with running(settings) as s, ApWs(s.port) as w:
        w.login()
        first = life(w, s.url)  # 5 reports
        # Act: two more reports (7 in all) push the first order's oldest one out
        second = send_order(w, AccountId=SELLER, Side=1, Quantity=1, LimitPrice=400)["OrderId"]
        w.call("CancelOrder", {"OMSId": 1, "AccountId": SELLER, "OrderId": second})
        old = w.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": first})
        new = w.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": second})
        # Assert
        assert summary(old) == LIFE[:4]
        assert [v["OrderState"] for v in new] == ["Canceled", "Working"]
        assert len(s.runtime.reports) == 6


def test_journaled_versions_survive_a_sigkill_restart(journal_url):
    # Arrange: the order's life on a journaled server, then SIGKILL
    with server_process(journal_url, dialects=["alphapoint"]) as s:
        with ApWs(s.port) as w:
            w.login()
            oid = life(w, s.url)
            before = w.call("GetOrderHistoryByOrderId", {"omsId": 1, "orderId": oid})
        s.kill()
        # Act: restart on the same database
        with server_process(journal_url, dialects=["alphapoint"]) as s2, ApWs(s2.port) as w2:
            w2.login()
            after = w2.call("GetOrderHistoryByOrderId", {"OMSId": 1, "OrderId": oid})
    # Assert: the same versions, every one read back from the events table
    assert summary(before) == LIFE
    assert after == before


def test_ccxt_fetch_order_trades_after_a_sigkill_restart(tmp_path):
    # Arrange: a partly filled order on a SQLite journal, then SIGKILL and a restart
    py = client_python("ccxt")
    url = f"sqlite:///{tmp_path}/data/condor.db"
    with server_process(url, dialects=["alphapoint"]) as s:
        with ApWs(s.port) as w:
            w.login("demo", "demo")
            oid = life(w, s.url)
        s.kill()
        with server_process(url, dialects=["alphapoint"]) as s2:
            # Act: ccxt ndax fetch_order_trades (GetOrderHistoryByOrderId, Trade versions)
            out = drive(py, "alphapoint_ccxt_history_driver.py", f"{s2.url} {oid} {SELLER}")
    # Assert: one trade per fill of the order (ccxt reads a version's Quantity, the
    # remaining quantity, as the amount and GrossValueExecuted as the cost)
    got = sorted(((t["order"], t["side"], t["price"], t["amount"], t["cost"])
                  for t in out["trades"]), key=lambda t: t[4])  # fmt: skip
    assert got == [(str(oid), "sell", 300.0, 3.0, 600.0), (str(oid), "sell", 300.0, 1.0, 900.0)]
