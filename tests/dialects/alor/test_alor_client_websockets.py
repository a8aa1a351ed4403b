"""The real Alor client, npm ``alor-api`` 1.0.66 (clients.md), over its websockets against a
real Condor server: ``subscriptions.orders`` (``OrdersGetAndSubscribeV2``) and the order
commands of ``ordersWss`` (``authorize``, ``create:limit``, ``delete:limit``).

alor-api opens every socket, the command one included, on its ``wssEndpoint`` (the ``/ws``
URL of clients.md); ``wssEndpointBeta`` (``/cws``) is never used. Its command replies carry
no ``data``, so the order's number is learnt from the order subscription. Skipped only when
node or npm is absent (``test_alor_client.alor_api_dir``)."""

from __future__ import annotations

import json
import os
import subprocess

from alor_helpers import alor_server, client, order
from test_alor_client import alor_api_dir

SCRIPT = r"""
const { AlorApi } = require("alor-api");
const BASE = process.argv[2];
const WS = BASE.replace("http", "ws");
const SBER = { symbol: "SBER", exchange: "MOEX", instrumentGroup: "TQBR" };
const USER = { portfolio: "D39004" };

const until = async (what, pred) => {
  for (let i = 0; i < 2000; i++) {  // at most ~20 s, then the test fails
    const hit = pred();
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no " + what);
};

(async () => {
  const out = {};
  const api = new AlorApi({ token: "demo-refresh", endpoint: BASE, authEndpoint: BASE,
                            wssEndpoint: WS + "/ws", wssEndpointBeta: WS + "/cws" });
  await api.refreshToken();
  const events = [];
  await api.subscriptions.orders({ portfolio: "D39004", exchange: "MOEX", format: "Simple" },
                                 (d) => events.push(d));
  out.authorized = await api.ordersWss.authorize({}).then(() => "ok", (e) => e);
  out.created = await api.ordersWss.sendLimitOrder({ side: "buy", quantity: 2,
    price: 113.25, instrument: SBER, user: USER, timeInForce: "oneday",
    comment: "over the socket" }, () => {}).then(() => "ok", (e) => e);
  const created = await until("created order event",
    () => events.find((d) => d.comment === "over the socket"));
  out.createdEvent = created;
  out.canceled = await api.ordersWss.cancelLimitOrder({ orderId: created.id, exchange: "MOEX",
    user: USER }, () => {}).then(() => "ok", (e) => e);
  out.canceledEvent = await until("canceled order event",
    () => events.find((d) => d.id === created.id && d.status === "canceled"));
  out.badQuantity = await api.ordersWss.sendLimitOrder({ side: "buy", quantity: 0,
    price: 113.25, instrument: SBER, user: USER }, () => {}).then(() => "ok", (e) => e);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  process.stderr.write(String(e && (e.stack || JSON.stringify(e))));
  process.exit(1);
});
"""


def test_alor_api_subscribes_to_orders_and_sends_commands_over_its_socket(tmp_path):
    # Arrange
    d = alor_api_dir()
    script = tmp_path / "alor_ws_client.js"
    script.write_text(SCRIPT)
    with alor_server() as s:
        # Act
        r = subprocess.run(
            ["node", str(script), s.url],
            capture_output=True, text=True, timeout=90,
            env={**os.environ, "NODE_PATH": str(d / "node_modules")},
        )  # fmt: skip
        # Assert
        assert r.returncode == 0, r.stderr[-3000:] + r.stdout[-3000:]
        out = json.loads(r.stdout.rsplit("\n", 1)[-1])  # after its console.log lines
        assert (out["authorized"], out["created"], out["canceled"]) == ("ok", "ok", "ok")
        ev = out["createdEvent"]
        assert (ev["status"], ev["price"], ev["qty"], ev["existing"]) == (
            "working", 113.25, 2, False,
        )  # fmt: skip
        assert out["canceledEvent"]["status"] == "canceled"
        assert out["badQuantity"]["httpCode"] == 400
        assert out["badQuantity"]["message"] == "Invalid or unsupported quantity"
        with client(s) as c:
            assert order(c, ev["id"])["status"] == "canceled"
