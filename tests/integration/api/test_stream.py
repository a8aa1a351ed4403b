"""The WebSocket stream: ``since=`` replay is gap-free, a too-old or future ``since`` and a bad
token close with a clear code and reason, and a slow consumer is closed (4008) with the
``since`` to resume from, never silently dropped; one that stops reading altogether is let go
once its queue fills (it held the hub's memory and its connection forever) while every other
client keeps getting everything."""

from __future__ import annotations

import json
import socket
import time

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


def _frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of the whole server frames (unmasked) at the start of ``data``."""
    out, i = [], 0
    while i + 2 <= len(data):
        op, n, j = data[i] & 0x0F, data[i + 1] & 0x7F, i + 2
        if n >= 126:
            k = 2 if n == 126 else 8
            n, j = int.from_bytes(data[j : j + k], "big"), j + k
        if j + n > len(data):
            break
        out.append((op, data[j : j + n]))
        i = j + n
    return out


def _stalled_client(s, token: str) -> tuple[socket.socket, bytes]:
    """A WebSocket client on a raw socket that reads the handshake, then nothing; the
    server's side of its connection gets a tiny send buffer so that it stalls early."""
    before = set(s.server.server_state.connections)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", s.port))
    c.sendall(
        f"GET /api/v1/stream?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .encode()
    )  # fmt: skip
    c.settimeout(5)
    head = b""
    while b"\r\n\r\n" not in head:
        head += c.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    (conn,) = set(s.server.server_state.connections) - before
    conn.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    return c, head


def _until(pred, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


def test_a_client_that_stops_reading_is_let_go_and_the_others_get_everything():
    # Arrange: queues of 20; an operator reading all along, a demo client that never reads
    settings = api_settings(stream=StreamConfig(buffer_size=10_000, queue_size=20))
    with running(settings) as s, s.client("demo") as d:
        hub = s.runtime.hub
        with s.stream(s.token("operator")) as reader:
            stalled, _ = _stalled_client(s, s.token("demo"))
            _until(lambda: len(hub.subs) == 2, "subscribed")
            head = hub.seq
            # Act: quotes until the stalled client's socket and then its queue are full
            n = 0
            while len(hub.subs) == 2:
                assert n < 20_000, "the stalled client was never let go"
                p = 100 + n % 50
                quote(d, "IBM", f"{p}.00", f"{p}.05")
                n += 1
            # Assert 1: the reader got every message, in order, none missing
            got = [json.loads(reader.recv(timeout=5))["seq"] for _ in range(hub.seq - head)]
            assert got == list(range(head + 1, hub.seq + 1))
            # Assert 2: the stalled client got an unbroken prefix, then 4008 naming its end
            data = b""
            stalled.settimeout(5)
            while not data or _frames(data)[-1:][0][0] != 0x8:
                chunk = stalled.recv(1 << 16)
                assert chunk, "connection ended without a close frame"
                data += chunk
            stalled.close()
        frames = _frames(data)
        texts = [json.loads(p) for op, p in frames if op == 0x1]
        seqs = [m["seq"] for m in texts[1:]]
        assert texts[0]["type"] == "welcome" and seqs == list(range(head + 1, head + 1 + len(seqs)))
        code, reason = int.from_bytes(frames[-1][1][:2], "big"), frames[-1][1][2:].decode()
        assert code == 4008 and reason.endswith(f"since={seqs[-1]}"), reason
        assert len(seqs) < n  # it was let go, not waited for
