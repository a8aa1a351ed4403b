"""``serve()`` in a real subprocess with the demo configuration and the simulated market: the
server starts on its embedded default database, ``/docs`` answers, and the seeded random walk
moves the demo instruments (journaled)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal

import httpx

from condor.api.bootstrap import build_instrument, effective_settings, ref_prices
from condor.api.settings import Settings, SimulatorConfig
from condor.api.simulator import RandomWalk
from condor.domain.instruments import AssetClass, Instrument, InstrumentRegistry
from condor.domain.market import TradeTick

from server_fixtures import api_settings, free_port, running


def test_random_walk_is_seeded_and_on_the_grid():
    # Arrange
    inst = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))
    a = RandomWalk([inst], {"IBM": 25_000}, seed=3)
    b = RandomWalk([inst], {"IBM": 25_000}, seed=3)
    # Act
    ra = [a.step(i) for i in range(50)]
    rb = [b.step(i) for i in range(50)]
    # Assert
    assert ra == rb
    quotes = [e for r in ra for e in r if hasattr(e, "bid")]
    assert all(isinstance(q.bid, int) and q.bid < q.ask for q in quotes)
    assert len({q.bid for q in quotes}) > 1


def _demo_walk(trade_every: int) -> tuple[RandomWalk, list[Instrument]]:
    s = effective_settings(Settings(demo=True))
    registry = InstrumentRegistry([build_instrument(c) for c in s.instruments])
    return RandomWalk(list(registry), ref_prices(s, registry), 7, trade_every), list(registry)


def test_every_demo_instrument_with_trades_prints_once_every_trade_every_rounds():
    # Arrange: the demo instruments (SBER among them), as ``serve --demo`` walks them
    for every in (1, 2, 3, 4, 5, 7):
        walk, insts = _demo_walk(every)
        # Act
        rounds = [walk.step(i) for i in range(3 * every)]
        # Assert: three prints each for every instrument with trades, none for quote-only ones
        prints = [ev.symbol for r in rounds for ev in r if isinstance(ev, TradeTick)]
        for inst in insts:
            want = 3 if inst.has_trades else 0
            assert prints.count(inst.symbol) == want, (every, inst.symbol)


def test_every_demo_instrument_with_trades_gets_a_last_price():
    # Arrange: a real demo server on the seeded simulated market, fast rounds
    settings = api_settings(feed="simulated", simulator=SimulatorConfig(interval_ms=10))
    with running(settings) as server, server.client("demo") as c:
        traded = [i["symbol"] for i in c.get("/api/v1/instruments").json() if i["has_trades"]]
        assert "SBER" in traded
        # Act: wait for a few rounds of trade_every (4) rounds each
        deadline = time.monotonic() + 60  # a loaded CI machine starts slowly
        while True:
            last = {s: c.get(f"/api/v1/marketdata/{s}").json()["last"] for s in traded}
            if all(v is not None for v in last.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    # Assert
    assert {s for s, v in last.items() if v is None} == set()


def test_serve_demo_with_simulated_market(tmp_path):
    # Arrange: the embedded default database, under a data directory of the test's own
    port = free_port()
    code = (
        "from condor.api.serve import serve; "
        f"serve('127.0.0.1', {port}, demo=True, feed='simulated')"
    )
    env = {"CONDOR_DATA_DIR": str(tmp_path / "data")}
    env |= {"CONDOR_SIMULATOR__INTERVAL_MS": "20", "CONDOR_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded CI machine starts slowly
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        # Act
        docs = httpx.get(f"{url}/docs")
        tok = httpx.post(
            f"{url}/api/v1/auth/token", json={"username": "demo", "password": "demo"}
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {tok}"}
        first = httpx.get(f"{url}/api/v1/marketdata/IBM", headers=h).json()
        time.sleep(0.3)
        later = httpx.get(f"{url}/api/v1/marketdata/IBM", headers=h).json()
        health = httpx.get(f"{url}/api/v1/health").json()
        # Assert: the market moves, and every round of it is journaled
        assert (tmp_path / "data" / "condor.db").is_file()
        assert health["journal"]["database"].endswith("condor.db")
        assert health["journal"]["last_input"] > 1
        assert docs.status_code == 200
        assert first["bid"] is not None and first["ask"] is not None
        assert later["ts"] != first["ts"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
