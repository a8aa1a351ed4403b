"""The event stream across SIGKILL and restart of a journaled server (SQLite and PostgreSQL):
stream sequence numbers never repeat; a client reconnecting with ``since=N`` gets a gap-free
answer when nothing it has not seen was published (N is the journaled head), else a clear 4410
close, never messages numbered like ones it already holds."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from condor.api.stream import CLOSE_GAP
from condor.store.errors import StoreError
from condor.store.journal import Store, create_db
from condor.store.migrations import HEAD, upgrade
from condor.store.recovery import open_recorder

from server_fixtures import ServerProcess, journal_url, limit_order  # noqa: F401
from store_fixtures import build_engine, db_url, record, scenario  # noqa: F401


def _ws(s: ServerProcess, since: int | None = None):
    q = f"?token={s.token('demo')}" + (f"&since={since}" if since is not None else "")
    return connect(f"ws://127.0.0.1:{s.port}/api/v1/stream{q}", open_timeout=5)


def _recv_seq(ws, upto: int, timeout: float = 5.0) -> list[dict]:
    """Messages until one with ``seq >= upto``."""
    out, deadline = [], time.monotonic() + timeout
    while True:
        m = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        out.append(m)
        if m.get("seq", 0) >= upto:
            return out


def _head(s: ServerProcess) -> int:
    return s.client().get("/api/v1/health").json()["stream_head"]


def _closed_with(s: ServerProcess, since: int) -> tuple[int, str]:
    with _ws(s, since) as ws, pytest.raises(ConnectionClosed) as exc:
        ws.recv(timeout=5)
    return exc.value.rcvd.code, exc.value.rcvd.reason


def test_stream_seq_continues_after_sigkill(journal_url):  # noqa: F811
    s = ServerProcess(journal_url)
    try:
        s.start()
        c = s.client()
        # Arrange: a client follows the stream while orders are acknowledged
        with _ws(s) as ws:
            welcome = json.loads(ws.recv(timeout=5))
            assert welcome == {"type": "welcome", "head": 0}
            for i in range(3):
                assert (
                    c.post("/api/v1/orders", json=limit_order(price=f"9{i}.00")).status_code == 201
                )
            head = _head(s)
            seen = _recv_seq(ws, head)
        assert [m["seq"] for m in seen] == list(range(1, head + 1))
        # Act: kill and restart
        s.kill()
        s.start()
        # Assert: the stream resumes at the journaled head
        assert _head(s) == head
        code, reason = _closed_with(s, head - 1)
        assert code == CLOSE_GAP and "restart" in reason
        with _ws(s, since=head) as ws:
            assert json.loads(ws.recv(timeout=5)) == {"type": "welcome", "head": head}
            r = s.client().post("/api/v1/orders", json=limit_order(price="95.00"))
            assert r.status_code == 201
            after = _recv_seq(ws, head + 1)
        assert after[0]["seq"] == head + 1
        assert after[0]["data"]["order_id"] == r.json()["order_id"]
    finally:
        s.kill()


def test_stream_seq_never_repeats_after_sigkill_under_load(journal_url):  # noqa: F811
    s = ServerProcess(journal_url)
    try:
        s.start()
        seen: list[int] = []
        stop = threading.Event()

        def post(i: int) -> None:
            with s.client() as c:
                for n in range(10_000):
                    if stop.is_set():
                        return
                    try:
                        c.post("/api/v1/orders", json=limit_order(price=f"{90 + (n + i) % 9}.00"))
                    except Exception:
                        return  # the server is gone

        # Arrange: a stream follower and posting clients
        with _ws(s) as ws:
            ws.recv(timeout=5)
            posters = [threading.Thread(target=post, args=(i,)) for i in range(3)]
            for t in posters:
                t.start()
            # Act: kill the server while messages flow
            try:
                while len(seen) < 60:
                    seen.append(json.loads(ws.recv(timeout=10))["seq"])
                s.kill()
                while True:
                    seen.append(json.loads(ws.recv(timeout=5))["seq"])
            except ConnectionClosed:
                pass
            finally:
                stop.set()
                for t in posters:
                    t.join(timeout=20)
        assert seen == list(range(1, len(seen) + 1))
        s.start()
        # Assert: the restarted server numbers after everything the client saw
        head = _head(s)
        with Store.open(journal_url) as store:
            assert store.last_stream_seq() == head
        assert head >= seen[-1]
        if head > seen[-1]:  # published after the commit, lost with the process
            code, _ = _closed_with(s, seen[-1])
            assert code == CLOSE_GAP
        with _ws(s, since=head) as ws:
            ws.recv(timeout=5)
            assert s.client().post("/api/v1/orders", json=limit_order()).status_code == 201
            assert json.loads(ws.recv(timeout=5))["seq"] == head + 1
    finally:
        s.kill()


def test_a_0001_database_needs_upgrade_and_keeps_its_journal(db_url):  # noqa: F811
    # Arrange: a journal written at revision 0001 (before stream_seq)
    if db_url.startswith("sqlite"):
        Path(make_url(db_url).database).parent.mkdir(parents=True)
    upgrade(db_url, "0001")
    db = create_db(db_url)
    with db.begin() as c:
        c.execute(sa.text("INSERT INTO journal (seq, kind, type, ts_ns, payload) "
                          "VALUES (1, 'command', 'AdvanceClock', 1, '{}')"))  # fmt: skip
    db.dispose()
    # Act / Assert: refused until upgraded; then the old row is kept, new rows carry heads
    with pytest.raises(StoreError, match="condor db upgrade"):
        Store.open(db_url)
    upgrade(db_url)
    with Store.open(db_url) as store:
        assert store.last_input_seq() == 1 and store.last_stream_seq() == 0
        with store.db.begin() as c:
            c.execute(sa.text("DELETE FROM journal"))
        rec, _ = open_recorder(store, build_engine)
        rec.stream_head = iter(range(100, 10_000, 7)).__next__
        record(store, scenario(), recorder=rec)
        assert store.last_stream_seq() == 100 + 7 * (len(scenario()) - 1)
    assert HEAD == "0003"
