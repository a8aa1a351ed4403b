"""Smoke run of bench/load.py: a real server in a child process, a few native and TradeStation
clients for 3 seconds, then the script's reconciliation of every acknowledged order and cancel
with the SQLite journal (and ``condor db check``). Asserts the reconciliation only, never the
speed (speed is the script's own report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_reconciles_every_acknowledged_order_with_the_journal():
    # Arrange
    cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--seconds", "3",
           "--clients", "3", "--ts-clients", "2", "--live", "10", "--tag", "smoke"]  # fmt: skip

    # Act
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=180)

    # Assert
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    figures = json.loads(p.stdout.strip().splitlines()[-1])
    assert figures["acked_orders"] > 0 and figures["acked_cancels"] > 0
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
    assert figures["mismatched"] == 0
    assert figures["cancel_not_in_journal"] == 0
    assert figures["db_check_ok"] is True
