"""The WebSocket stream lives no longer than its token, and a bad query parameter is named.

A stream authenticated by a token that expires, or that its user logs out, closes with 4401 and
the ``since`` to resume from (it kept sending to a logged-out or expired session forever); a
reconnect with a fresh token from there misses nothing. ``since`` that is not a whole number and
a ``types`` entry the stream never sends close with 4400 naming the parameter (they were an HTTP
403 handshake refusal and a stream that stayed silent forever).
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from server_fixtures import demo, limit_order, recv_until, server


def _closed(ws, timeout: float = 60.0) -> tuple[list[dict], int, str]:
    """Messages received until the server closes ``ws``, and its close code and reason."""
    got = []
    with pytest.raises(ConnectionClosed) as ei:
        for _ in range(10_000):
            got.append(json.loads(ws.recv(timeout=timeout)))
    return got, ei.value.rcvd.code, ei.value.rcvd.reason


def _order_id(demo, price: str) -> int:
    r = demo.post("/api/v1/orders", json=limit_order(price=price))
    assert r.status_code == 201, r.text
    return r.json()["order_id"]


@contextmanager
def _short_lived_stream(server):
    """An order stream on a demo token of a few seconds, past its welcome frame (on a token
    of more seconds when the machine was too slow to connect before a short one lapsed)."""
    auth = server.runtime.auth
    for ttl in (3, 10, 60):
        token, _ = auth.access_token(auth.users["demo"], ttl_s=ttl)
        with connect(f"{server.ws_url}?token={token}&types=order", open_timeout=5) as ws:
            try:
                welcome = json.loads(ws.recv(timeout=5))
            except ConnectionClosed:  # expired before it was checked: try a longer one
                continue
            assert welcome["type"] == "welcome"
            yield ws
            return
    raise AssertionError("no short-lived token outlived its connection")


def test_a_stream_closes_when_its_token_expires_and_resumes_with_a_new_one(server, demo):
    # Arrange: a stream on a token of a few seconds; one order seen on it
    with _short_lived_stream(server) as ws:
        oid = _order_id(demo, "95.01")
        seen = recv_until(ws, lambda m: m["data"]["order_id"] == oid)
        # Act: the token lapses
        more, code, reason = _closed(ws)
    # Assert: 4401, naming the last seq delivered
    delivered = seen + more
    assert code == 4401 and reason.startswith("token expired; reconnect with since="), reason
    resume = int(reason.rsplit("since=", 1)[1])
    assert resume == delivered[-1]["seq"]
    # a reconnect with a fresh token from there gets what came after, nothing twice
    later = _order_id(demo, "95.02")
    with server.stream(server.token("demo"), since=resume, types="order") as again:
        rest = recv_until(again, lambda m: m["data"]["order_id"] == later)
    assert rest[0]["seq"] > resume
    assert all(m["type"] == "order" for m in delivered + rest)


def test_logout_closes_the_streams_of_that_token_only(server, demo):
    # Arrange: two streams of demo, on two tokens
    token, other = server.token("demo"), server.token("demo")
    with server.stream(token, types="order") as ws, server.stream(other, types="order") as keep:
        oid = _order_id(demo, "95.03")
        seen = recv_until(ws, lambda m: m["data"]["order_id"] == oid)
        # Act: the first token logs out
        r = demo.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 204
        more, code, reason = _closed(ws)
        # Assert: that stream closed 4401 with where to resume; the other one still streams
        assert code == 4401 and reason.startswith("token revoked; reconnect with since="), reason
        assert int(reason.rsplit("since=", 1)[1]) == (seen + more)[-1]["seq"]
        after = _order_id(demo, "95.04")
        assert recv_until(keep, lambda m: m["data"]["order_id"] == after)


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ("since=abc", "since: 'abc' is not a seq"),
        ("since=-3", "since: '-3' is not a seq"),
        ("since=1.5", "since: '1.5' is not a seq"),
        ("types=orders", "types: unknown type 'orders'; one or more of order,execution,"),
        ("types=order,fills", "types: unknown type 'fills'"),
        ("types=,", "types: no type named"),
    ],
)
def test_a_bad_query_parameter_closes_4400_naming_it(server, query, start):
    url = f"{server.ws_url}?token={server.token('demo')}&{query}"
    with connect(url, open_timeout=5) as ws:
        got, code, reason = _closed(ws, timeout=5)
    assert (got, code) == ([], 4400) and reason.startswith(start), reason
