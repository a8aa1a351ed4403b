"""X-REQID idempotency survives a crash (wire-formats 2.4): a server on SQLite is killed with
SIGKILL after acknowledging an order; the restarted server answers the repeated request id
with Alor's duplicate reply and creates nothing, and the order is still there."""

from __future__ import annotations

import httpx
from alor_helpers import C, dumps, limit

from server_fixtures import server_process


def _client(s) -> httpx.Client:
    r = httpx.post(f"{s.url}/refresh", params={"token": "demo-refresh"}, timeout=10)
    assert r.status_code == 200, r.text
    return httpx.Client(base_url=s.url, timeout=10,
                        headers={"Authorization": f"Bearer {r.json()['AccessToken']}"})  # fmt: skip


def _post(c: httpx.Client) -> httpx.Response:
    return c.post(f"{C}/actions/limit", content=dumps(limit("142.52")),
                  headers={"X-REQID": "D39004;restart-1",
                           "Content-Type": "application/json"})  # fmt: skip


def test_request_id_survives_a_crash(tmp_path):
    url = f"sqlite:///{tmp_path}/data/condor.db"
    # Arrange: an order acknowledged, then SIGKILL
    with server_process(url, dialects=["alor"]) as s, _client(s) as c:
        first = _post(c)
        assert first.status_code == 200, first.text
        oid = first.json()["orderNumber"]
    # Act: restart on the same database and repeat the request id
    with server_process(url, dialects=["alor"]) as s, _client(s) as c:
        again = _post(c)
        listed = c.get("/md/v2/Clients/MOEX/D39004/orders").json()
    # Assert
    assert again.status_code == 400
    assert again.json()["oldResponse"] == {"statusCode": 200, "body": first.json()}
    assert [o["id"] for o in listed] == [oid]
