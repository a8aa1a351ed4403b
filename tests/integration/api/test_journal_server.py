"""The journaled server: a real server process on SQLite and on PostgreSQL is killed with SIGKILL
and restarted on the same database; everything it acknowledged over HTTP (orders, groups, fills,
positions, idempotency keys) is there and equal, at a fixed point and at random points of a
stream of concurrent requests (3 kills, 20 with CONDOR_LONG=1), and the stored state equals a
fresh replay of the journal. A database that is down at start stops the server with a clear
error; a commit that fails under a running server turns orders into 503 problems; ``condor db
check`` finds a database no input has reached consistent; an OUO whose first new member fills at
once is acknowledged and replays (the engine raised on it, leaving a journal that no longer
replayed); a value the journal cannot store (a NUL, a 65-character group id, a time past 2262, a
price or an order value past 64-bit ticks) is a 422 naming the field, never a commit that fails and refuses every later order."""

from __future__ import annotations

import os
import random
import threading
import time
from decimal import Decimal

import httpx
import sqlalchemy as sa

from condor.store.check import check

from server_fixtures import (
    ServerProcess,
    api_settings,
    cli,
    engine_factory_for,
    free_port,
    journal_url,
    limit_order,
    quote,
    running,
    server_process,
)

KILLS = 20 if os.environ.get("CONDOR_LONG") == "1" else 3
TERMINAL = {"Filled", "Canceled", "Rejected", "Expired", "Replaced", "DoneForDay"}
FIXED = ("order_id", "cl_ord_id", "account", "owner", "symbol", "side", "ord_type",
         "time_in_force", "quantity", "price", "stop_price", "created_at")  # fmt: skip


def _bracket(account: str, entry: str, tp: str, sl: str, qty: str = "10") -> dict:
    return {
        "kind": "Bracket",
        "members": [
            {"role": "entry", "order": limit_order(account, "IBM", "Buy", qty, entry)},
            {"role": "take_profit", "order": limit_order(account, "IBM", "Sell", qty, tp)},
            {"role": "stop_loss", "order": {
                "account": account, "symbol": "IBM", "side": "Sell", "ord_type": "StopMarket",
                "quantity": qty, "stop_price": sl}},
        ],
    }  # fmt: skip


def _pages(c: httpx.Client, path: str, **params) -> list[dict]:
    out, cursor = [], None
    while True:
        q = {"limit": 1000, **params, **({"cursor": cursor} if cursor else {})}
        page = c.get(path, params=q).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _state(c: httpx.Client) -> dict:
    """Everything a client can read about its accounts."""
    return {
        "orders": _pages(c, "/api/v1/orders"),
        "groups": _pages(c, "/api/v1/groups"),
        "executions": _pages(c, "/api/v1/executions"),
        "positions": c.get("/api/v1/positions").json(),
        "accounts": c.get("/api/v1/accounts").json(),
        "IBM": c.get("/api/v1/marketdata/IBM").json(),
    }


def _check_journal(url: str, **overrides) -> None:
    store, build = engine_factory_for(url, **overrides)
    with store:
        rep = check(store, build)
    assert rep.ok, str(rep)


def test_acknowledged_orders_groups_fills_and_keys_survive_sigkill(journal_url):
    # the production clock: wall time, journaled with each input
    with server_process(journal_url, clock_start=None) as s:
        # Arrange: orders, a bracket and fills, each acknowledged over HTTP
        c = s.client()
        quote(c, "IBM", "251.00", "251.10")
        keyed = c.post("/api/v1/orders", json=limit_order(price="250.00", cl_ord_id="keep-1"))
        rest = c.post("/api/v1/orders", json=limit_order(side="Sell", qty="5", price="255.00"))
        group = c.post("/api/v1/groups", json=_bracket("987654", "250.00", "260.00", "240.00"))
        assert (keyed.status_code, rest.status_code, group.status_code) == (201, 201, 201)
        quote(c, "IBM", "249.90", "250.00")  # the keyed order and the bracket entry fill
        assert c.delete(f"/api/v1/orders/{rest.json()['order_id']}").status_code == 200
        before = _state(c)
        assert len(before["executions"]) == 2
        # Act: kill it, restart on the same database
        s.kill()
        s.start()
        c = s.client()
        after = _state(c)
        # Assert: everything is back, equal
        assert after == before
        entry, tp, sl = (m["order_id"] for m in group.json()["members"])
        orders = {o["order_id"]: o for o in after["orders"]}
        assert orders[entry]["status"] == "Filled" and orders[tp]["status"] == "New"
        assert orders[sl]["status"] == "New"
        # the ClOrdID key survived: the first answer, nothing created
        again = c.post("/api/v1/orders", json=limit_order(price="1.00", cl_ord_id="keep-1"))
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json() == keyed.json()
        # the group's rules work after the restart: the take-profit fill cancels the stop
        new = c.post("/api/v1/orders", json=limit_order(price="200.00")).json()
        assert new["order_id"] == max(orders) + 1
        quote(c, "IBM", "260.00", "260.10")
        g = c.get(f"/api/v1/groups/{group.json()['group_id']}").json()
        assert g["status"] == "Filled"
        assert [o["status"] for o in g["orders"]] == ["Filled", "Filled", "Canceled"]
    _check_journal(journal_url, clock_start=None)


def test_an_ouo_filling_at_creation_is_acknowledged_and_survives_sigkill(journal_url):
    with server_process(journal_url) as s:
        # Arrange: a client bid of 2 @ 250.00 on another account
        c = s.client()
        quote(c, "IBM", "249.00", "251.00")
        bid = c.post("/api/v1/orders", json=limit_order("123465", qty="2", price="250.00"))
        assert bid.status_code == 201, bid.text
        # Act: an OUO of two sells of 5, the first crossing the bid
        r = c.post("/api/v1/groups", json={"kind": "OUO", "members": [
            {"order": limit_order("123456", side="Sell", qty="5", price="250.00")},
            {"order": limit_order("123456", side="Sell", qty="5", price="252.00")}]})  # fmt: skip
        # Assert: acknowledged; the second sell reduced by the 2 that filled
        assert r.status_code == 201, r.text
        first, second = r.json()["orders"]
        assert (first["status"], first["filled_quantity"]) == ("PartiallyFilled", "2")
        assert (second["status"], second["quantity"]) == ("New", "3")
        before = _state(c)
        s.kill()
        s.start()
        assert _state(s.client()) == before
    _check_journal(journal_url)


UNSTORABLE = [  # (method, path, body, field): each made every later order a 503
    ("POST", "/api/v1/orders", limit_order(cl_ord_id="k\u0000"), "cl_ord_id"),
    ("POST", "/api/v1/orders",
     limit_order(time_in_force="GTD", expire_time="9999-12-31T00:00:00Z"), "expire_time"),
    ("POST", "/api/v1/groups", {"kind": "OCO", "group_id": "g" * 65, "members": [
        {"order": limit_order(price="90.00")}, {"order": limit_order(price="91.00")}]},
     "group_id"),
    ("POST", "/api/v1/groups", {"kind": "OCO", "group_id": "g\u0000", "members": [
        {"order": limit_order(price="90.00")}, {"order": limit_order(price="91.00")}]},
     "group_id"),
    ("POST", "/api/v1/groups", {"kind": "OCO", "group_id": "a/b", "members": [
        {"order": limit_order(price="90.00")}, {"order": limit_order(price="91.00")}]},
     "group_id"),
    # ticks and lots past 64 bits (the engine refuses them: domain.values.MAX_UNITS)
    ("POST", "/api/v1/orders",
     limit_order(symbol="EUR/USD", side="Sell", qty="1", price="999999999999999"), "price"),
    ("POST", "/api/v1/orders",
     limit_order(side="Sell", qty="999999999999", price="99999999.00"), "quantity"),
    ("PUT", "/api/v1/clock", {"now": "9999-12-31T00:00:00Z"}, "now"),
    ("POST", "/api/v1/marketdata/IBM/quotes",
     {"bid": "100.00", "ask": "100.10", "ts": "9999-12-31T00:00:00Z"}, "ts"),
    # a trailing stop's water mark and fills are stored from the feed's prices
    ("POST", "/api/v1/marketdata/IBM/quotes",
     {"bid": "100.00", "ask": "999999999999999999.00"}, "ask"),
    ("POST", "/api/v1/marketdata/IBM/trades", {"price": "100.00", "size": "1e19"}, "size"),
]  # fmt: skip


def test_a_value_the_journal_cannot_store_is_refused_and_orders_go_on(journal_url):
    with server_process(journal_url) as s:
        c = s.client()
        for method, path, body, field in UNSTORABLE:
            # Act
            r = c.request(method, path, json=body)
            after = c.post("/api/v1/orders", json=limit_order(price="95.00"))
            # Assert: refused with its field; the journal still takes orders
            assert (r.status_code, r.json()["field"]) == (422, field), r.text
            assert after.status_code == 201, (path, body, after.text)
        assert c.get("/api/v1/health").json()["status"] == "ok"
        assert len(_pages(c, "/api/v1/orders")) == len(UNSTORABLE)
    _check_journal(journal_url)


class _Stream:
    """Concurrent clients sending orders, groups, cancels and quotes until the server dies;
    ``acks`` holds every answer the server gave (kind, body), ``keyed`` the ClOrdID ones."""

    def __init__(self, s: ServerProcess, seed: int, threads: int = 3) -> None:
        self.s = s
        self.seed = seed
        self.acks: list[tuple[str, dict]] = []
        self.keyed: list[dict] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def start(self) -> _Stream:
        for t in self.threads:
            t.start()
        return self

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=20)

    def _run(self, i: int) -> None:
        rng = random.Random(self.seed * 100 + i)
        mid = 25_000
        with self.s.client() as c:
            for n in range(10_000):
                mid += rng.choice((-5, 0, 5))
                px = lambda d, m=mid: str(Decimal(m + d) / 100)  # noqa: E731
                acct = rng.choice(("123456", "987654", "D39004"))
                r = rng.random()
                key = None
                try:
                    if r < 0.35:
                        key = f"s{self.seed}-{i}-{n}" if rng.random() < 0.3 else None
                        side = rng.choice(("Buy", "Sell"))
                        body = limit_order(acct, "IBM", side, str(rng.randint(1, 5)),
                                           px(rng.randint(-20, 20)), cl_ord_id=key)  # fmt: skip
                        resp = c.post("/api/v1/orders", json=body)
                        kind = "order"
                    elif r < 0.45:
                        resp = c.post("/api/v1/groups", json=_bracket(
                            acct, px(-10), px(100), px(-100), str(rng.randint(1, 3))))  # fmt: skip
                        kind = "group"
                    elif r < 0.6 and self.acks:
                        oid = rng.choice(self.acks)[1].get("order_id")
                        if oid is None:
                            continue
                        resp = c.delete(f"/api/v1/orders/{oid}")
                        kind = "order"
                    else:
                        resp = c.post("/api/v1/marketdata/IBM/quotes",
                                      json={"bid": px(-1), "ask": px(1)})  # fmt: skip
                        kind = "quote"
                except httpx.TransportError:
                    return  # the server is gone
                if resp.status_code in (200, 201) and kind != "quote":
                    self.acks.append((kind, resp.json()))
                    if kind == "order" and resp.request.method == "POST" and key is not None:
                        self.keyed.append(resp.json())


def _same_order(now: dict, told: dict) -> None:
    assert {k: now[k] for k in FIXED} == {k: told[k] for k in FIXED}
    assert Decimal(now["filled_quantity"]) >= Decimal(told["filled_quantity"])
    if told["status"] in TERMINAL:
        assert (now["status"], now["filled_quantity"]) == (told["status"], told["filled_quantity"])


def _verify(s: ServerProcess, stream: _Stream) -> None:
    """Every answer the killed server gave is true of the restarted one."""
    c = s.client()
    st = _state(c)
    orders = {o["order_id"]: o for o in st["orders"]}
    for kind, told in stream.acks:
        if kind == "order":
            assert told["order_id"] in orders, f"acknowledged order {told['order_id']} lost"
            _same_order(orders[told["order_id"]], told)
        else:
            g = c.get(f"/api/v1/groups/{told['group_id']}")
            assert g.status_code == 200, f"acknowledged group {told['group_id']} lost"
            assert [m["order_id"] for m in g.json()["members"]] == [
                m["order_id"] for m in told["members"]
            ]
            for o in told["orders"]:
                _same_order(orders[o["order_id"]], o)
    # fills: the executions log adds up to every order's filled quantity and to positions
    filled: dict[int, Decimal] = {}
    net: dict[str, Decimal] = {}
    for x in st["executions"]:
        filled[x["order_id"]] = filled.get(x["order_id"], 0) + Decimal(x["quantity"])
        sign = 1 if x["side"] == "Buy" else -1
        net[x["account"]] = net.get(x["account"], 0) + sign * Decimal(x["quantity"])
    for oid, o in orders.items():
        assert filled.get(oid, 0) == Decimal(o["filled_quantity"]), f"fills of order {oid}"
    for p in st["positions"]:
        if p["symbol"] == "IBM" and p["account"] in net:
            assert Decimal(p["quantity"]) == 1000 + net[p["account"]]
    # idempotency keys: a repeated ClOrdID answers the first answer and creates nothing
    if stream.keyed:
        told = stream.keyed[0]
        body = limit_order(told["account"], "IBM", "Buy", "1", "1.00", cl_ord_id=told["cl_ord_id"])
        again = c.post("/api/v1/orders", json=body)
        assert again.headers.get("idempotent-replayed") == "true" and again.json() == told


def test_sigkill_at_random_points_of_a_request_stream(journal_url):
    rng = random.Random(20261121)
    s = ServerProcess(journal_url)
    prev: _Stream | None = None
    try:
        for k in range(KILLS + 1):
            s.start()
            if prev is not None:
                _verify(s, prev)
            if k == KILLS:
                break
            # Act: a stream of requests, killed once a random number of answers came back
            stream = _Stream(s, seed=k).start()
            want = rng.randint(5, 40)
            deadline = time.monotonic() + 20
            while len(stream.acks) < want and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.random() * 0.02)
            s.kill()
            stream.join()
            assert stream.acks, "the stream got no answer before the kill"
            prev = stream
    finally:
        s.kill()
    # Assert: events and read models equal a fresh replay of the journal
    _check_journal(journal_url)


def test_database_down_at_start_stops_the_server_with_a_clear_error(tmp_path):
    # Arrange: nothing listens on the port; a file that is not a database
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"this is not a database\n" * 100)
    for url, why in ((down, "cannot open database"),
                     (f"sqlite:///{foreign}", "not a SQLite database")):  # fmt: skip
        # Act
        p = ServerProcess(url).spawn()
        rc = p.wait(timeout=60)
        err = p.stderr.read().decode()
        p.stderr.close()
        # Assert
        assert rc == 2, err
        assert "condor: cannot start:" in err and why in err, err
    assert foreign.read_bytes().startswith(b"this is not a database")


def test_failed_commit_refuses_orders_with_503(tmp_path):
    url = f"sqlite:///{tmp_path}/data/condor.db"
    with running(api_settings(database_url=url)) as s, s.client("demo") as c:
        # Arrange
        ok = c.post("/api/v1/orders", json=limit_order())
        assert ok.status_code == 201
        db = sa.create_engine(url)
        with db.begin() as conn:  # the database breaks under the running server
            conn.execute(sa.text("DROP TABLE events"))
        db.dispose()
        # Act
        failed = c.post("/api/v1/orders", json=limit_order())
        after = c.post("/api/v1/orders", json=limit_order())
        md = c.post("/api/v1/marketdata/IBM/quotes", json={"bid": "99.00", "ask": "99.10"})
        health = c.get("/api/v1/health")
    # Assert
    for r in (failed, after, md):
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["reason"] == "store.unavailable" and "journal" in r.json()["detail"]
    assert health.status_code == 503 and health.json()["status"] == "unavailable"


def test_db_check_is_ok_on_a_database_no_input_has_reached(tmp_path, capsys):
    # Arrange: one database made by `db upgrade`, one by a demo server that got no request
    upgraded = f"sqlite:///{tmp_path}/upgraded.db"
    served = f"sqlite:///{tmp_path}/data/served.db"
    assert cli(capsys, "db", "upgrade", "--database", upgraded)[0] == 0
    with server_process(served, clock_start=None, users=[], accounts=[]):
        pass
    # Act
    results = [cli(capsys, "db", "check", "--database", url) for url in (upgraded, served)]
    # Assert
    for rc, out in results:
        assert rc == 0 and "OK" in out, out
    assert "empty" in results[0][1]


def test_clean_stop_snapshots_and_the_next_start_replays_nothing(tmp_path):
    # Arrange
    url = f"sqlite:///{tmp_path}/data/condor.db"
    with running(api_settings(database_url=url)) as s, s.client("demo") as c:
        quote(c, "IBM", "251.00", "251.10")
        c.post("/api/v1/groups", json=_bracket("123456", "250.00", "260.00", "240.00"))
        before = _state(c)
        last = s.runtime.writer.last_input_seq
    # Act
    with running(api_settings(database_url=url)) as s, s.client("demo") as c:
        info = s.runtime.writer.info
        after = _state(c)
    # Assert
    assert (info.snapshot_seq, info.replayed, info.last_input_seq) == (last, 0, last)
    assert after == before
