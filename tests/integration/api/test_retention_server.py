"""A journaled server whose engine forgets finished orders and old fills (``journal.
retain_terminal`` / ``journal.fills_kept``) still answers every read as if it kept them: an
order it forgot is read back from the read model (get, list, AlphaPoint / Alor / TradeStation
by id), a command on it is refused as ended (409), the executions log pages back into the
journal, all across a restart, and the database checks consistent. On SQLite and PostgreSQL.
The limit is journaled: restarts with other settings (full replay after SIGKILL, snapshot plus
tail) and ``condor db check`` under yet another reproduce every acknowledged answer."""

from __future__ import annotations

from condor.api.settings import JournalConfig
from condor.store import codec
from condor.store.check import check
from condor.store.journal import Store

from server_fixtures import (
    api_settings,
    cli,
    engine_factory_for,
    journal_url,
    limit_order,
    quote,
    running,
    server_process,
)


def _settings(url: str):
    journal = JournalConfig(retain_terminal=2, fills_kept=2, snapshot_every=7)
    return api_settings(database_url=url, journal=journal)


def _all(c, path: str) -> list[dict]:
    out, cursor = [], None
    while True:
        page = c.get(path, params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def test_forgotten_orders_and_fills_read_back_from_the_database(journal_url):
    with running(_settings(journal_url)) as server, server.client("alice") as c:
        # Arrange: six orders canceled, six sells filled by one quote
        canceled = []
        for _ in range(6):
            oid = c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00")).json()[
                "order_id"
            ]
            canceled.append(c.delete(f"/api/v1/orders/{oid}").json())
        for _ in range(6):
            r = c.post("/api/v1/orders", json=limit_order("ALICE-1", side="Sell", qty="1",
                                                          price="100.00"))  # fmt: skip
            assert r.status_code == 201, r.text
        quote(c, "IBM", "100.50", "100.60")
        c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00"))  # one more input
        e = server.runtime.engine
        assert e.forgotten_orders >= 8 and canceled[0]["order_id"] not in e.orders
        orders_before = _all(c, "/api/v1/orders")
        fills_before = _all(c, "/api/v1/executions")
        assert len(server.runtime.fills) <= 4 and len(fills_before) == 6
        # newest first (AlphaPoint GetTradesHistory): memory, then the journal backwards
        seqs = [f["seq"] for f in fills_before]
        assert [r.seq for r in server.runtime.fills_newest_first()] == seqs[::-1]

        # Act / Assert: a forgotten order reads back as it ended
        first = canceled[0]["order_id"]
        got = c.get(f"/api/v1/orders/{first}").json()
        assert got == canceled[0] and got["status"] == "Canceled"
        assert [o["order_id"] for o in orders_before] == list(range(1, 14))
        r = c.delete(f"/api/v1/orders/{first}")
        assert r.status_code == 409 and r.json()["reason"] == "order.terminal", r.text
        r = c.get(f"/api/v1/orders/{first}/explain")
        assert r.status_code == 404, r.text

    with running(_settings(journal_url)) as server, server.client("alice") as c:
        assert _all(c, "/api/v1/orders") == orders_before
        assert _all(c, "/api/v1/executions") == fills_before
        assert [r.seq for r in server.runtime.fills_newest_first()] == seqs[::-1]
        assert c.get(f"/api/v1/orders/{first}").json() == canceled[0]

    store, build = engine_factory_for(journal_url, journal=_settings(journal_url).journal)
    with store:
        rep = check(store, build)
    assert rep.ok, str(rep)


def _oco(c) -> dict:
    ids = [
        c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00")).json()["order_id"]
        for _ in range(2)
    ]
    r = c.post("/api/v1/groups", json={"kind": "OCO", "members": [{"order_id": i} for i in ids]})
    assert r.status_code == 201, r.text
    return r.json()


def test_forgotten_groups_read_back_and_group_pages_stay_stable(journal_url):
    with running(_settings(journal_url)) as server, server.client("alice") as c:
        # Arrange: three OCO groups; the first closes when both its orders are canceled
        first, second, third = _oco(c), _oco(c), _oco(c)
        for m in first["members"]:
            c.delete(f"/api/v1/orders/{m['order_id']}")
        closed = c.get(f"/api/v1/groups/{first['group_id']}").json()
        assert closed["status"] == "Canceled"
        page1 = c.get("/api/v1/groups", params={"limit": 1}).json()
        assert [g["group_id"] for g in page1["items"]] == [first["group_id"]]
        # Act: enough finished orders that the engine forgets the closed group
        for _ in range(3):
            oid = c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00")).json()[
                "order_id"
            ]
            c.delete(f"/api/v1/orders/{oid}")
        c.post("/api/v1/orders", json=limit_order("ALICE-1", price="90.00"))
        assert first["group_id"] not in server.runtime.engine.groups.groups
        # Assert: read back as it closed; commands on it are refused as for a closed group
        assert c.get(f"/api/v1/groups/{first['group_id']}").json() == closed
        r = c.delete(f"/api/v1/groups/{first['group_id']}")
        assert r.status_code == 409 and r.json()["reason"] == "group.not_active", r.text
        # the next page continues after the first item although it was forgotten meanwhile
        page2 = c.get("/api/v1/groups", params={"limit": 1, "cursor": page1["next_cursor"]})
        assert [g["group_id"] for g in page2.json()["items"]] == [second["group_id"]]
        rest = c.get("/api/v1/groups", params={"cursor": page2.json()["next_cursor"]}).json()
        assert [g["group_id"] for g in rest["items"]] == [third["group_id"]]


def _events(url: str) -> list[tuple]:
    """Every stored event (seq, input, type, payload) of the database at ``url``."""
    with Store.open(url, create=False) as store:
        rows = store.events_between(1, store.last_event_seq())
    return [(r.seq, r.input_seq, r.type, r.payload) for r in rows]


def _limits(url: str) -> list[int | None]:
    """The limits of the journal's ``SetRetention`` inputs, in order."""
    with Store.open(url, create=False) as store:
        return [
            codec.decode(r.payload).retain_terminal
            for r in store.inputs()
            if r.type == "SetRetention"
        ]


def test_a_restart_with_another_retention_replays_what_was_acknowledged(
    tmp_path, capsys, monkeypatch
):
    # the demo configuration on wall time, as `condor db check` builds it by default
    url = f"sqlite:///{tmp_path}/data/condor.db"
    demo = dict(clock_start=None, users=[], accounts=[])
    # Arrange: the engine keeps one finished order; A is canceled, then a group naming it is
    # refused because A has ended (an engine that forgot A would say "unknown order")
    with server_process(url, journal={"retain_terminal": 1}, **demo) as s, s.client() as c:
        a = c.post("/api/v1/orders", json=limit_order(price="90.00")).json()["order_id"]
        assert c.delete(f"/api/v1/orders/{a}").status_code == 200
        b = c.post("/api/v1/orders", json=limit_order(price="90.00")).json()["order_id"]
        members = [{"order_id": a}, {"order_id": b}]
        r = c.post("/api/v1/groups", json={"kind": "OCO", "members": members})
        assert r.status_code == 422 and r.json()["reason"] == "group.member_invalid", r.text
        acknowledged = _events(url)
    # Act: SIGKILL above; restart keeping no finished order (full replay), then stop cleanly
    # (a snapshot) and start again keeping five (the snapshot and its tail)
    settings = api_settings(database_url=url, journal=JournalConfig(retain_terminal=0), **demo)
    with running(settings) as server, server.client("demo") as c:
        assert server.runtime.engine.retain_terminal == 0
        c.post("/api/v1/orders", json=limit_order(price="90.00"))  # A is forgotten now
        assert a not in server.runtime.engine.orders
        assert c.get(f"/api/v1/orders/{a}").json()["status"] == "Canceled"
    settings = api_settings(database_url=url, journal=JournalConfig(retain_terminal=5), **demo)
    with running(settings) as server:
        assert server.runtime.writer.info.snapshot_seq > 0
        assert server.runtime.engine.retain_terminal == 5
    # Assert: the events acknowledged before the kill are stored unchanged, and a fresh replay
    # under yet another setting (`condor db check`, CONDOR_JOURNAL__RETAIN_TERMINAL=0) gives
    # every stored event and read-model row
    assert _events(url)[: len(acknowledged)] == acknowledged
    assert _limits(url) == [1, 0, 5]  # journaled at each start whose setting differed
    monkeypatch.setenv("CONDOR_JOURNAL__RETAIN_TERMINAL", "0")
    rc, out = cli(capsys, "db", "check", "--database", url)
    assert rc == 0 and "OK" in out, out
