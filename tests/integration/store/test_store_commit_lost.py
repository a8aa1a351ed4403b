"""A PostgreSQL connection lost in the middle of a commit, under a real server process: the
server's connection runs through a TCP proxy on 127.0.0.1 (``pg_proxy``) that drops it at the
COMMIT, either before the COMMIT reaches the database (the batch is rolled back) or after the
database committed it (the answer is lost). The driver raises in both cases; only the database
knows the outcome. The server asks it: a batch the database holds is acknowledged (it was
durable; answering 503 "nothing was accepted" would be false, and a restart would bring the
"refused" order back), a batch it does not hold is written again on a new connection; either
way the engine equals the journal, so orders go on without a restart. Everything acknowledged
is there after a SIGKILL and restart, and the journal checks equal to its replay."""

from __future__ import annotations

import pytest

from condor.store.check import check

from pg_proxy import PgProxy
from server_fixtures import (
    ServerProcess,
    engine_factory_for,
    limit_order,
    pg_schema_url,
    pg_user,
    server_process,
)


@pytest.fixture
def proxied_url():
    """(proxy, URL of a new schema through the proxy, direct URL of that schema)."""
    if pg_user() is None:
        pytest.skip("PostgreSQL unreachable at 127.0.0.1:5432/test (users postgres, root)")
    proxy = PgProxy().start()
    try:
        with pg_schema_url() as direct:
            schema = direct.rsplit("%3D", 1)[1]
            yield proxy, proxy.url(pg_user(), "test", schema), direct
    finally:
        proxy.close()


def _orders(c) -> dict[int, dict]:
    page = c.get("/api/v1/orders", params={"limit": 1000}).json()
    assert page["next_cursor"] is None
    return {o["order_id"]: o for o in page["items"]}


@pytest.mark.parametrize("mode", ["lost_answer", "lost_commit"])
def test_a_connection_lost_at_commit_is_resolved_by_asking_the_database(proxied_url, mode):
    proxy, url, direct = proxied_url
    s = ServerProcess(url)
    try:
        s.start()
        c = s.client()
        first = c.post("/api/v1/orders", json=limit_order(price="90.00"))
        assert first.status_code == 201, first.text
        # Act: the connection drops at the next COMMIT
        proxy.arm(mode)
        lost = c.post("/api/v1/orders", json=limit_order(price="91.00"))
        assert proxy.fired.is_set()
        after = c.post("/api/v1/orders", json=limit_order(price="92.00"))
        health = c.get("/api/v1/health")
        # Assert: acknowledged (stored, as the database says), and the server goes on
        assert lost.status_code == 201, lost.text
        assert after.status_code == 201, after.text
        assert health.status_code == 200, health.text
        told = {r.json()["order_id"]: r.json() for r in (first, lost, after)}
        # Act: SIGKILL and restart
        s.kill()
        s.start()
        # Assert: exactly what was acknowledged, as the client was told
        assert _orders(s.client()) == told
    finally:
        s.kill()
    store, build = engine_factory_for(direct)
    with store:
        rep = check(store, build)
        # the three orders once each (besides the SetRetention the first start journals)
        assert [r.type for r in store.inputs() if r.type != "SetRetention"] == ["SubmitOrder"] * 3
    assert rep.ok, str(rep)


def test_a_commit_whose_outcome_cannot_be_learned_is_refused_saying_so(proxied_url):
    proxy, url, direct = proxied_url
    s = ServerProcess(url)
    try:
        s.start()
        c = s.client()
        first = c.post("/api/v1/orders", json=limit_order(price="90.00"))
        assert first.status_code == 201, first.text
        # Act: the database commits the next order, then becomes unreachable before the
        # server learns it did
        proxy.arm("lost_answer_down")
        lost = c.post("/api/v1/orders", json=limit_order(price="91.00", cl_ord_id="k-91"))
        later = c.post("/api/v1/orders", json=limit_order(price="92.00"))
        # Assert: the lost one is refused without claiming that nothing was accepted; the
        # ones after it were never run, and say so
        assert proxy.fired.is_set()
        assert lost.status_code == 503, lost.text
        assert "may have been stored" in lost.json()["detail"], lost.text
        assert "nothing was accepted" not in lost.json()["detail"]
        assert later.status_code == 503 and "nothing was accepted" in later.json()["detail"]
    finally:
        s.kill()
    # Act: restart on the database directly; the client resends with the same key
    with server_process(direct) as s2:
        c = s2.client()
        again = c.post("/api/v1/orders", json=limit_order(price="91.00", cl_ord_id="k-91"))
        # Assert: the database held it: the key answers the first answer, nothing new
        assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
        assert again.json()["price"] == "91.00"
        assert sorted(_orders(c)) == [first.json()["order_id"], again.json()["order_id"]]
