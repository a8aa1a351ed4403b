"""The real Alor client, npm ``alor-api`` 1.0.66 (clients.md), against a real Condor server on
127.0.0.1, changing only its hosts: login by refresh token (on its first 401), a limit order,
an inactive stop, a TriggerBracketOrders group, get, update and delete of the group.

The package is installed on first use into ``~/.cache/condor-tests/alor-api`` (outside the
repository; npm's registry is the only network used, the client talks to 127.0.0.1 only).
Skipped only when node or npm is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from alor_helpers import alor_server, client, order

VERSION = "1.0.66"
CACHE = Path(os.environ.get("CONDOR_TEST_CACHE", Path.home() / ".cache" / "condor-tests"))

SCRIPT = r"""
const { AlorApi } = require("alor-api");
const BASE = process.argv[2];
const WS = BASE.replace("http", "ws");
const SBER = { symbol: "SBER", exchange: "MOEX", instrumentGroup: "TQBR" };
const USER = { portfolio: "D39004" };
const m = (orderId, type) => ({ portfolio: "D39004", exchange: "MOEX", orderId, type });

(async () => {
  const out = {};
  const api = new AlorApi({ token: "demo-refresh", endpoint: BASE, authEndpoint: BASE,
                            wssEndpoint: WS + "/ws", wssEndpointBeta: WS + "/cws" });
  // no access token yet: the first call gets 401, the client refreshes and retries
  out.groupsBefore = await api.orderGroups.getOrderGroups();
  out.limit = await api.orders.sendLimitOrder({ side: "buy", quantity: 1, price: 142.52,
    instrument: SBER, user: USER, timeInForce: "oneday" });
  out.stop = await api.stoporders.sendStopOrder({ side: "sell", condition: "LessOrEqual",
    triggerPrice: 135.0, stopEndUnixTime: 0, quantity: 1, instrument: SBER, user: USER,
    protectingSeconds: 15, activate: false });
  out.stop2 = await api.stoporders.sendStopOrder({ side: "sell", condition: "MoreOrEqual",
    triggerPrice: 150.0, stopEndUnixTime: 0, quantity: 1, instrument: SBER, user: USER,
    protectingSeconds: 15, activate: false });
  const L = out.limit.orderNumber, S = out.stop.orderNumber, S2 = out.stop2.orderNumber;
  out.created = await api.orderGroups.createOrderGroup({
    orders: [m(L, "Limit"), m(S, "Stop")], executionPolicy: "TriggerBracketOrders" });
  const id = out.created.groupId;
  out.got = await api.orderGroups.getOrderGroupById(id);
  out.updated = await api.orderGroups.updateOrderGroup({ orderGroupId: id,
    orders: [m(L, "Limit"), m(S, "Stop"), m(S2, "Stop")],
    executionPolicy: "TriggerBracketOrders" });
  out.all = await api.orderGroups.getOrderGroups();
  out.deleted = await api.orderGroups.deleteOrderGroup(id);
  out.afterDelete = await api.orderGroups.getOrderGroupById(id);
  try {
    await api.orders.sendLimitOrder({ side: "buy", quantity: 1, price: 142.525,
      instrument: SBER, user: USER, timeInForce: "oneday" });
    out.offGrid = "accepted";
  } catch (e) {
    out.offGrid = e;
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e && (e.stack || JSON.stringify(e))));
  process.exit(1);
});
"""


def alor_api_dir() -> Path:
    """The cache folder holding ``node_modules/alor-api`` at VERSION (installed if needed)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed: cannot run the npm alor-api client")
    d = CACHE / "alor-api"
    pkg = d / "node_modules" / "alor-api" / "package.json"
    if pkg.is_file() and json.loads(pkg.read_text())["version"] == VERSION:
        return d
    d.mkdir(parents=True, exist_ok=True)
    (d / "package.json").write_text('{"name": "condor-alor-client-cache", "private": true}')
    r = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", f"alor-api@{VERSION}"],
        cwd=d, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, f"npm install alor-api failed: {r.stderr[-2000:]}"
    return d


def test_alor_api_client_login_orders_and_trigger_bracket_group(tmp_path):
    # Arrange
    d = alor_api_dir()
    script = tmp_path / "alor_client.js"
    script.write_text(SCRIPT)
    with alor_server() as s:
        # Act
        r = subprocess.run(
            ["node", str(script), s.url],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "NODE_PATH": str(d / "node_modules")},
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-3000:]
        out = json.loads(r.stdout)
        # Assert: login by refresh worked (the first call was answered after the refresh)
        assert out["groupsBefore"] == []
        assert out["limit"]["message"] == "success"
        lim, st, st2 = (out[k]["orderNumber"] for k in ("limit", "stop", "stop2"))
        assert out["created"]["message"] == "success"
        gid = out["created"]["groupId"]
        assert out["got"]["id"] == gid and out["got"]["login"] == "P039004"
        assert out["got"]["orders"] == [{"orderId": lim}, {"orderId": st}]
        assert (out["got"]["executionPolicy"], out["got"]["status"]) == (
            "TriggerBracketOrders", "Active",
        )  # fmt: skip
        assert out["updated"] == "success" and out["deleted"] == "success"
        assert [g["orders"] for g in out["all"]] == [
            [{"orderId": lim}, {"orderId": st}, {"orderId": st2}]
        ]
        assert out["afterDelete"]["status"] == "Canceled"
        assert out["offGrid"]["status"] == 400 and "0.01" in out["offGrid"]["message"]
        # deleting the group changed no order; the stops are still inactive
        with client(s) as c:
            assert order(c, lim)["status"] == "working"
            assert order(c, st, stop_order=True)["activate"] is False
