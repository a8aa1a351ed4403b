"""The README, walked: ``make run`` starts the server, ``/docs`` answers, the README's curl
example runs as written, and a bracket placed over HTTP fills on injected market data with its
events on the stream.

The server is the real one ``make run`` starts (a child process, the embedded SQLite journal in
a temporary ``CONDOR_DATA_DIR``, the simulated market), on a free port (``PORT=``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from server_fixtures import free_port, recv_until

ROOT = Path(__file__).resolve().parents[3]


def _example_block(after: str = "For example:") -> str:
    """The first shell block after ``after`` in README.md."""
    text = (ROOT / "README.md").read_text()
    m = re.search(re.escape(after) + r"\s*```\n(.*?)```", text, re.S)
    assert m, f"README lost its example block after {after!r}"
    return m.group(1)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    if shutil.which("make") is None or not (ROOT / ".venv" / "bin" / "condor").exists():
        pytest.skip("needs make and the project's .venv (made by `make test`)")
    port = free_port()
    env = {**os.environ, "CONDOR_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()
            try:
                if httpx.get(f"{url}/docs", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "make run did not serve /docs within 60 s"
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_docs_and_openapi_answer(made):
    r = httpx.get(f"http://127.0.0.1:{made}/docs", timeout=5)
    assert r.status_code == 200 and "swagger" in r.text.lower()
    spec = httpx.get(f"http://127.0.0.1:{made}/openapi.json", timeout=5).json()
    assert "/api/v1/orders" in spec["paths"]


def _documents(text: str) -> list:
    """The JSON documents printed one after the other (curl adds no newline)."""
    dec, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)
    return docs


def test_the_readme_example_runs_as_written(made):
    script = _example_block().replace("localhost:8000", f"localhost:{made}")
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    market, order = _documents(out.stdout)
    assert market["symbol"] == "IBM" and market["session"]
    assert order["account"] == "123456" and order["status"] in ("New", "Filled")


def test_the_readme_dialect_example_runs_as_written(made):
    script = _example_block("TradeStation's seed OCO through its own dialect:")
    out = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace("localhost:8000", f"localhost:{made}")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    [results] = _documents(out.stdout)
    assert [r["OrderStatus"] for r in results] == ["Ok", "Ok"]
    assert results[0]["Message"] == "Sent order: Buy 10 IBM @ 200.00 Limit"


def test_a_bracket_fills_on_injected_market_data_and_streams_its_events(made):
    url = f"http://127.0.0.1:{made}"
    token = httpx.post(
        f"{url}/api/v1/auth/token", json={"username": "demo", "password": "demo"}
    ).json()["access_token"]
    c = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    # far from the simulated walk (around 250.00): only the injected prints reach these prices
    order = {"account": "123456", "symbol": "IBM", "ord_type": "Limit", "quantity": "10"}
    bracket = {
        "kind": "Bracket",
        "members": [
            {"role": "entry", "order": {**order, "side": "Buy", "price": "150.00"}},
            {"role": "take_profit", "order": {**order, "side": "Sell", "price": "400.00"}},
            {"role": "stop_loss", "order": {**order, "side": "Sell", "ord_type": "StopMarket",
                                            "price": None, "stop_price": "100.00"}},
        ],
    }  # fmt: skip
    with connect(
        f"ws://127.0.0.1:{made}/api/v1/stream?token={token}&types=order,group", open_timeout=5
    ) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "welcome"
        r = c.post("/api/v1/groups", json=bracket)
        assert r.status_code == 201, r.text
        entry, tp, sl = (m["order_id"] for m in r.json()["members"])
        for px in ("150.00", "400.00"):  # the entry fills, then the take-profit
            t = c.post("/api/v1/marketdata/IBM/trades", json={"price": px, "size": "100"})
            assert t.status_code == 200, t.text
        gid = r.json()["group_id"]
        msgs = recv_until(
            ws,
            lambda m: (
                m["type"] == "group"
                and m["data"]["change"] == "closed"
                and m["data"]["group_id"] == gid
            ),
            timeout=10,
        )
    done = {(m["data"]["order_id"], m["data"]["status"]) for m in msgs if m["type"] == "order"}
    assert {(entry, "Filled"), (tp, "Filled"), (sl, "Canceled")} <= done
    assert c.get(f"/api/v1/groups/{r.json()['group_id']}").json()["status"] == "Filled"
