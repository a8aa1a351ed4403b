"""Failures under a running journaled server (a real server process, real databases):

- full disk: the SQLite journal lives on its own tmpfs of 2 MiB (mounted for the test: it
  needs root, or the test skips saying so); a filler file takes the rest of the space, so the
  next WAL append fails with ENOSPC (``SQLITE_FULL``). Orders are then refused with 503
  (``store.unavailable``, the detail says the disk is full); the ones acknowledged before are
  all there after the filler is removed and the server restarted, and the refused ones are not.
- database down mid-run: the server's own PostgreSQL database (created for the test, never the
  shared service) stops accepting connections (``ALLOW_CONNECTIONS false``) and the server's
  backends are terminated with ``pg_terminate_backend`` while clients stream orders. Every
  order after that is refused with 503; once the database accepts connections again, a restart
  recovers every order the server acknowledged, and the journal checks equal to its replay.
"""

from __future__ import annotations

import errno
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from condor.store.check import check

from server_fixtures import (
    PG_DB,
    PG_HOST,
    PG_PORT,
    ServerProcess,
    engine_factory_for,
    limit_order,
    pg_user,
)

DISK_BYTES = 2 * 1024 * 1024


def _orders(c: httpx.Client) -> dict[int, dict]:
    out, cursor = {}, None
    while True:
        q = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = c.get("/api/v1/orders", params=q).json()
        out.update((o["order_id"], o) for o in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _check_journal(url: str) -> None:
    store, build = engine_factory_for(url)
    with store:
        rep = check(store, build)
    assert rep.ok, str(rep)


def _assert_refused(r: httpx.Response, why: str) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["reason"] == "store.unavailable", body
    assert why in body["detail"].lower(), body["detail"]


# -- full disk ------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 2 MiB tmpfs mounted under ``tmp_path`` (unmounted afterwards)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES},mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(path: Path) -> int:
    """Write ``path`` until the file system is full; return the bytes written."""
    n = 0
    with path.open("wb", buffering=0) as f:
        for size in (65536, 4096, 512, 1):
            block = b"\xff" * size
            while True:
                try:
                    f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
                n += size
    return n


def test_full_disk_refuses_orders_and_loses_nothing_acknowledged(small_disk):
    url = f"sqlite:///{small_disk}/condor.db"
    filler = small_disk / "filler"
    s = ServerProcess(url)
    try:
        s.start()
        c = s.client()
        acked = {}
        for i in range(5):
            r = c.post("/api/v1/orders", json=limit_order(price=f"{100 + i}.00"))
            assert r.status_code == 201, r.text
            acked[r.json()["order_id"]] = r.json()
        # Arrange: the disk fills up under the running server
        assert _fill(filler) > 0
        # Act: orders until the journal cannot grow (each commit appends WAL frames)
        refused = []
        for i in range(400):
            r = c.post("/api/v1/orders", json=limit_order(price=f"{90 + i % 10}.00"))
            if r.status_code == 201:
                acked[r.json()["order_id"]] = r.json()
                continue
            refused.append(r)
            break
        later = c.post("/api/v1/orders", json=limit_order(price="95.00"))
        health = c.get("/api/v1/health")
        # Assert: a clear refusal, not an acknowledgement
        assert refused, "the server acknowledged 400 orders on a full disk"
        _assert_refused(refused[0], "full")
        _assert_refused(later, "disk is full")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        # Act: space comes back; restart on the same file
        filler.unlink()
        s.kill()
        s.start()
        now = _orders(s.client())
        # Assert: exactly the acknowledged orders, as the client was told
        assert set(now) == set(acked)
        for oid, told in acked.items():
            assert now[oid] == told
        assert s.client().post("/api/v1/orders", json=limit_order()).status_code == 201
    finally:
        s.kill()
    _check_journal(url)


# -- PostgreSQL down mid-run --------------------------------------------------------------------
def _admin(sql: str, *params) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=pg_user(), autocommit=True
    ) as c:
        c.execute(sql, params)


@pytest.fixture
def pg_database():
    """A PostgreSQL database of the test's own on the shared server (dropped afterwards)."""
    if pg_user() is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT}/{PG_DB}")
    name = f"condor_down_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name, f"postgresql+psycopg://{pg_user()}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        _admin(f'DROP DATABASE "{name}" WITH (FORCE)')


def _take_down(name: str) -> None:
    """The database refuses new connections and loses its current ones."""
    _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        name,
    )


class _Clients:
    """Threads posting orders until told to stop or refused; ``acked`` holds every 201."""

    def __init__(self, s: ServerProcess, threads: int = 3) -> None:
        self.s = s
        self.acked: list[dict] = []
        self.refused: list[httpx.Response] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self, i: int) -> None:
        with self.s.client() as c:
            for n in range(100_000):
                if self.stop.is_set():
                    return
                body = limit_order(("123456", "987654", "D39004")[i], price=f"{90 + n % 10}.00")
                r = c.post("/api/v1/orders", json=body)
                if r.status_code == 201:
                    self.acked.append(r.json())
                else:
                    self.refused.append(r)
                    return

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=30)


def test_database_down_mid_run_refuses_orders_and_a_restart_recovers(pg_database):
    name, url = pg_database
    s = ServerProcess(url)
    try:
        s.start()
        # Arrange: clients stream orders
        clients = _Clients(s)
        deadline = time.monotonic() + 20
        while len(clients.acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.005)
        # Act: the database goes down under the load
        _take_down(name)
        clients.join()
        c = s.client()
        later = c.post("/api/v1/orders", json=limit_order())
        health = c.get("/api/v1/health")
        # Assert: every client ends on a 503, none hangs, the reason is named
        assert len(clients.acked) >= 30
        assert len(clients.refused) == len(clients.threads)
        for r in clients.refused:
            _assert_refused(r, "journal")
        _assert_refused(later, "commit failed")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        # Act: the database is back; the failed server still refuses until it restarts
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert c.post("/api/v1/orders", json=limit_order()).status_code == 503
        s.kill()
        s.start()
        now = _orders(s.client())
        # Assert: everything acknowledged is there, as the client was told
        for told in clients.acked:
            assert told["order_id"] in now, f"acknowledged order {told['order_id']} lost"
            assert now[told["order_id"]] == told
        assert s.client().post("/api/v1/orders", json=limit_order()).status_code == 201
    finally:
        s.kill()
    _check_journal(url)


def test_sqlite_full_disk_error_is_store_error_with_reason(tmp_path):
    """Without root: SQLite's own size limit (``max_page_count``) gives the same SQLITE_FULL
    the disk does; ``Store.append`` raises StoreError saying so and stores nothing."""
    from condor.store.errors import StoreError
    from condor.store.journal import Store
    from condor.store.recovery import open_recorder

    from store_fixtures import build_engine, scenario

    url = f"sqlite:///{tmp_path}/data/condor.db"
    with Store.open(url) as store:
        rec, _ = open_recorder(store, build_engine)
        rec.apply(scenario()[0])
        store.append(rec.flush())
        pages = store.db.connect().exec_driver_sql("PRAGMA page_count").scalar()

        @sa.event.listens_for(store.db, "connect")
        def _limit(dbapi_conn, _record) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

        store.db.dispose()
        for inp in scenario()[1:] * 20:  # more rows than the free space of its pages
            rec.apply(inp)
        with pytest.raises(StoreError, match="full"):
            store.append(rec.flush())
        assert store.last_input_seq() == 1
    assert os.path.exists(tmp_path / "data" / "condor.db")
