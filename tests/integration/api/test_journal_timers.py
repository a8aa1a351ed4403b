"""Timers of a journaled server on wall time (the production clock), on SQLite and PostgreSQL:
a GTD order whose expiry passed while the server was down (killed with SIGKILL) is Expired as
soon as the server is back, at its own expiry instant, without any other input; one that
expires while the server runs idle is Expired too (timers used to fire only when the next
input arrived, so both read as working orders); the journal checks equal to its replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from condor.store.check import check

from server_fixtures import ServerProcess, engine_factory_for, journal_url, limit_order

assert journal_url  # fixture


def _gtd(seconds: int) -> str:
    """An expiry ``seconds`` whole seconds ahead of the wall clock (ISO, UTC)."""
    t = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds + 1)
    return t.isoformat().replace("+00:00", "Z")


def _wait_past(iso: str) -> None:
    """Sleep until the wall clock is past ``iso`` (no assertion on time)."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    while time.time() <= t + 0.05:
        time.sleep(0.05)


def _status_once_not_new(c, oid: int, limit_s: float = 20) -> dict:
    """The order once it is no longer New (or as it stands after ``limit_s``)."""
    deadline = time.monotonic() + limit_s
    while True:
        o = c.get(f"/api/v1/orders/{oid}").json()
        if o["status"] != "New" or time.monotonic() > deadline:
            return o
        time.sleep(0.05)


def test_gtd_orders_expire_on_time_across_a_sigkill_and_while_idle(journal_url):
    s = ServerProcess(journal_url, clock_start=None)
    try:
        s.start()
        c = s.client()
        # Arrange: a GTD order that expires while the server is down
        down_exp = _gtd(2)
        down = c.post("/api/v1/orders", json=limit_order(time_in_force="GTD", expire_time=down_exp))
        assert down.status_code == 201, down.text
        s.kill()
        _wait_past(down_exp)
        # Act: restart; no other input
        s.start()
        c = s.client()
        got = _status_once_not_new(c, down.json()["order_id"])
        # Assert: expired at its expiry instant
        assert (got["status"], got["updated_at"]) == ("Expired", down_exp), got
        # Arrange / Act: one that expires while the server is up and idle
        idle_exp = _gtd(1)
        idle = c.post("/api/v1/orders", json=limit_order(time_in_force="GTD", expire_time=idle_exp))
        assert idle.status_code == 201, idle.text
        got = _status_once_not_new(c, idle.json()["order_id"])
        # Assert
        assert (got["status"], got["updated_at"]) == ("Expired", idle_exp), got
    finally:
        s.kill()
    store, build = engine_factory_for(journal_url, clock_start=None)
    with store:
        rep = check(store, build)
    assert rep.ok, str(rep)
