"""Timers of an in-memory server (``--database memory``) on wall time: a GTD order expires when
its expiry falls due, with no other input, at its own expiry instant; REST reads it back
Expired and the stream shows the Expired report. (The runtime's timer pump ran only on a
journaled server: in memory the engine's wall clock refused the pump's ``AdvanceClock``, so
the order stayed New until the next input arrived.)"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from server_fixtures import api_settings, limit_order, recv_until, running


def _gtd(seconds: int) -> str:
    """An expiry ``seconds`` whole seconds ahead of the wall clock (ISO, UTC)."""
    t = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds + 1)
    return t.isoformat().replace("+00:00", "Z")


def _status_once_not_new(c, oid: int, limit_s: float = 20) -> dict:
    """The order once it is no longer New (or as it stands after ``limit_s``)."""
    deadline = time.monotonic() + limit_s
    while True:
        o = c.get(f"/api/v1/orders/{oid}").json()
        if o["status"] != "New" or time.monotonic() > deadline:
            return o
        time.sleep(0.05)


def test_gtd_order_expires_on_time_in_memory_without_other_input():
    with running(api_settings(clock_start=None)) as server, server.client("demo") as c:
        assert server.runtime.writer.durable is False  # in memory
        with server.stream(server.token("demo"), types="order") as ws:
            # Arrange: a GTD order a couple of seconds ahead
            exp = _gtd(2)
            r = c.post("/api/v1/orders", json=limit_order(time_in_force="GTD", expire_time=exp))
            assert r.status_code == 201, r.text
            oid = r.json()["order_id"]
            # Act: nothing; wait for the order to leave New
            got = _status_once_not_new(c, oid)
            # Assert: expired at its expiry instant, read back and streamed
            assert (got["status"], got["updated_at"]) == ("Expired", exp), got
            msgs = recv_until(
                ws,
                lambda m: m.get("type") == "order" and m["data"]["order_id"] == oid
                and m["data"]["status"] == "Expired",
                timeout=20,
            )  # fmt: skip
            assert msgs[-1]["data"]["exec_type"] == "Expired"
