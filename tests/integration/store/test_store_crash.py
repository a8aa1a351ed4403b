"""Crash test: a writer process is killed with SIGKILL at random points (3 times, 20 with
CONDOR_LONG=1) on SQLite and on PostgreSQL. After each kill: every batch whose commit was
acknowledged is stored with exactly the events the writer was told, no half batch exists,
recovery replays cleanly, and at the end ``check`` finds the read models equal to a replay."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from condor.store.check import check
from condor.store.journal import Store
from condor.store.recovery import recover, replay_row

from store_fixtures import build_engine, db_url  # noqa: F401

HERE = Path(__file__).resolve().parent
KILLS = 20 if os.environ.get("CONDOR_LONG") == "1" else 3
BATCH = 5


def _run_and_kill(url: str, seed: int, rng: random.Random) -> list[tuple[int, str]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parents[1])]))
    p = subprocess.Popen(
        [sys.executable, str(HERE / "crash_child.py"), url, str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    acks = []
    want = rng.randint(1, 30)  # kill after this many acknowledged batches, mid-stream
    try:
        while len(acks) < want:
            line = p.stdout.readline()
            if not line:
                raise AssertionError(f"writer died: {p.stderr.read().decode()[-2000:]}")
            _, seq, digest = line.decode().split()
            acks.append((int(seq), digest))
        time.sleep(rng.random() * 0.01)
    finally:
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
    for line in out.decode().splitlines():  # acks printed before the kill landed
        _, seq, digest = line.split()
        acks.append((int(seq), digest))
    return acks


def test_sigkill_loses_nothing_acknowledged(db_url):  # noqa: F811
    rng = random.Random(20261121)
    told: dict[int, str] = {}
    for k in range(KILLS):
        # Act: run the writer and kill it
        acks = _run_and_kill(db_url, k, rng)
        told.update(acks)
        # Assert: acknowledged batches are there, whole batches only, recovery is clean
        with Store.open(db_url) as store:
            last = store.last_input_seq()
            assert last >= max(told), "an acknowledged batch is missing"
            assert last % BATCH == 0, f"half a batch is stored (last input {last})"
            recover(store, build_engine)
    # Assert: every acknowledged batch has the events the writer reported, and the read
    # models equal a fresh replay of the journal
    with Store.open(db_url) as store:
        e = build_engine()
        batch: list = []
        for row in store.inputs():
            batch.extend(replay_row(e, row))
            if row.seq % BATCH == 0:
                if row.seq in told:
                    digest = hashlib.sha256(repr(batch).encode()).hexdigest()[:16]
                    assert digest == told[row.seq], f"batch ending at {row.seq} differs"
                batch = []
        rep = check(store, build_engine)
        assert rep.ok, str(rep)
