"""Real AlphaPoint clients from PyPI against a real server: the ``notbank`` SDK over the
WebSocket gateway and ccxt's ``ndax`` over ``/AP/`` (clients.md). Each is installed at test
time into its own virtualenv under ``~/.cache/condor-tests/alphapoint/`` (``CONDOR_TEST_CACHE``
moves it), outside the repository, and driven in a subprocess by a script of this folder; the
network is 127.0.0.1 only. A client whose install fails because the registry lacks it is
skipped with pip's reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server_fixtures import api_settings, running

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("CONDOR_TEST_CACHE", Path.home() / ".cache" / "condor-tests"))
PINS = {"notbank": "notbank==2.5.0", "ccxt": "ccxt"}
_MISSING = ("No matching distribution", "Could not find a version", "404", "not find")


def client_python(name: str) -> Path:
    """The Python of a virtualenv holding client ``name`` (created and installed once)."""
    venv = CACHE / "alphapoint" / name
    py = venv / "bin" / "python"
    module = {"notbank": "notbank_python_sdk", "ccxt": "ccxt"}[name]
    if py.exists() and subprocess.run([py, "-c", f"import {module}"],
                                      capture_output=True).returncode == 0:  # fmt: skip
        return py
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True,
                       capture_output=True, timeout=120)  # fmt: skip
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        pytest.skip(f"cannot create a virtualenv for {name}: {e}")
    r = subprocess.run([py, "-m", "pip", "install", "-q", PINS[name]], capture_output=True,
                       text=True, timeout=600)  # fmt: skip
    if r.returncode != 0:
        reason = (r.stderr.strip().splitlines() or ["pip failed"])[-1]
        if any(m in r.stderr for m in _MISSING):
            pytest.skip(f"{PINS[name]} is not installable from the registry: {reason}")
        pytest.fail(f"pip install {PINS[name]} failed: {r.stderr[-2000:]}")
    return py


def drive(py: Path, script: str, arg: str) -> dict:
    p = subprocess.run([py, HERE / script, arg], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_notbank_sdk_oco_take_profit_and_stop():
    py = client_python("notbank")
    with running(api_settings(dialects=["alphapoint"])) as srv:
        # Act
        out = drive(py, "alphapoint_notbank_driver.py", f"127.0.0.1:{srv.port}")
        # Assert
        assert out["authenticated"] is True
        assert out["instrument_id"] == 4
        tp, stop = out["tp"]["order_id"], out["stop"]["order_id"]
        assert out["tp"]["status"] == out["stop"]["status"] == "Accepted"
        assert out["open"] == sorted([tp, stop])
        assert out["open_types"] == ["Limit", "StopMarket"]
        assert out["inject"] == 200
        assert out["events"] == [
            [tp, "Working", "NewInputAccepted"],
            [stop, "Working", "NewInputAccepted"],
            [tp, "FullyExecuted", "Trade"],
            [stop, "Canceled", "UserModified"],
        ]
        assert (out["stop_state"], out["tp_state"], out["tp_executed"]) == (
            "Canceled", "FullyExecuted", "10")  # fmt: skip
        with srv.runtime.read() as e:
            assert e.orders[stop].status.value == "Canceled"
            assert e.accounts["9"].positions["IBM"].qty == 990


def test_ccxt_ndax_place_list_fetch_cancel():
    py = client_python("ccxt")
    with running(api_settings(dialects=["alphapoint"])) as srv:
        out = drive(py, "alphapoint_ccxt_driver.py", srv.url)
        assert out["has_ibm"] is True
        oid = out["created"]
        assert out["open"] == [oid]
        assert out["fetched"] == {"id": oid, "status": "open", "price": 101.25, "amount": 5.0,
                                  "side": "buy", "type": "limit"}  # fmt: skip
        assert out["after_cancel"] == "canceled"
        with srv.runtime.read() as e:
            o = e.orders[int(oid)]
            assert (o.account, o.cl_ord_id, o.price, o.status.value) == (
                "9", "424242", 10125, "Canceled")  # fmt: skip
