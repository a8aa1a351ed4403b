"""The WebSocket stream: ``since=`` replay is gap-free, a too-old or future ``since`` and a bad
token close with a clear code and reason, and a slow consumer is closed (4008) with the
``since`` to resume from, never silently dropped."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from condor.api.settings import StreamConfig

from server_fixtures import (
    api_settings,
    demo,
    limit_order,
    quote,
    recv_until,
    running,
    server,
)


def _new_order(oid):
    return lambda m: m["type"] == "order" and m["data"]["order_id"] == oid


def test_since_replays_everything_missed_gap_free(server, demo):
    # Arrange: an observer stays connected all along (operator sees everything)
    with server.stream(server.token("operator")) as observer:
        first = []
        with server.stream(server.token("demo")) as ws:
            for p in ("100.00", "100.01", "100.02"):
                oid = demo.post("/api/v1/orders", json=limit_order(price=p)).json()["order_id"]
            first = recv_until(ws, _new_order(oid))
        last_seen = first[-1]["seq"]
        # Act: things happen while demo is away
        quote(demo, "IBM", "120.00", "120.10")
        for p in ("100.03", "100.04"):
            oid = demo.post("/api/v1/orders", json=limit_order(price=p)).json()["order_id"]
        demo.delete(f"/api/v1/orders/{oid}")
        with server.stream(server.token("demo"), since=last_seen) as ws:
            replay = recv_until(
                ws, lambda m: _new_order(oid)(m) and m["data"]["status"] == "Canceled"
            )
        seen_all = recv_until(observer, lambda m: m["seq"] == replay[-1]["seq"])
    # Assert: first + replay is exactly what the observer saw, consecutive, nothing twice
    got = [m["seq"] for m in first + replay]
    assert got == list(range(got[0], got[-1] + 1))
    assert [m["seq"] for m in seen_all if m["seq"] >= got[0]] == got
    assert {"quote", "order"} <= {m["type"] for m in replay}


def _close_of(url: str) -> tuple[int, str]:
    with connect(url, open_timeout=5) as ws, pytest.raises(ConnectionClosed) as ei:
        for _ in range(10_000):
            ws.recv(timeout=5)
    rcvd = ei.value.rcvd
    return rcvd.code, rcvd.reason


def test_bad_token_and_future_since_close_with_reason(server):
    code, reason = _close_of(server.ws_url + "?token=not-a-token")
    assert (code, reason) == (4401, "invalid or expired token")
    code, _ = _close_of(server.ws_url)
    assert code == 4401
    code, reason = _close_of(server.ws_url + f"?token={server.token('demo')}&since=999999999")
    assert code == 4409 and "ahead" in reason


def test_old_since_and_slow_consumer_close_with_reason():
    # Arrange: a server with a tiny replay ring and tiny client queues
    settings = api_settings(stream=StreamConfig(buffer_size=8, queue_size=4))
    with running(settings) as s, s.client("demo") as d:
        for i in range(10):
            quote(d, "IBM", f"{100 + i}.00", f"{100 + i}.05")
        token = s.token("demo")
        # Act / Assert 1: since=0 is older than the ring
        code, reason = _close_of(s.ws_url + f"?token={token}&since=0")
        assert code == 4410 and "older than the replay buffer" in reason
        # Act 2: ten orders, then one cancel-all publishes ten messages in one burst
        quote(d, "IBM", "120.00", "120.05")
        for i in range(10):
            d.post("/api/v1/orders", json=limit_order(price=f"90.{i:02d}"))
        with connect(s.ws_url + f"?token={token}&types=order", open_timeout=5) as ws:
            json.loads(ws.recv(timeout=5))  # welcome
            d.delete("/api/v1/orders", params={"account": "123456"})
            got = []
            with pytest.raises(ConnectionClosed) as ei:
                for _ in range(100):
                    got.append(json.loads(ws.recv(timeout=5)))
        # Assert 2: closed 4008 after the queued messages, naming where to resume
        rcvd = ei.value.rcvd
        assert rcvd.code == 4008 and "slow consumer" in rcvd.reason
        resume = int(rcvd.reason.rsplit("since=", 1)[1])
        assert len(got) == 4 and resume == got[-1]["seq"]
        # a reconnect from there gets the rest of the burst
        with s.stream(token, since=resume, types="order") as ws:
            rest = [json.loads(ws.recv(timeout=5)) for _ in range(6)]
        seqs = [m["seq"] for m in got + rest]
        assert seqs == list(range(seqs[0], seqs[0] + 10))
        assert all(m["data"]["status"] == "Canceled" for m in got + rest)
