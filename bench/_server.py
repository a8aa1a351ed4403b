"""A real Condor server in a child process for the benches that drive it over HTTP.

Invariant: ``start_server`` returns only once ``/api/v1/health`` answers 200 (else it raises
RuntimeError with the end of the server's log); the child's output goes to ``log``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CONDOR = Path(sys.executable).parent / "condor"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db_url: str, port: int, log: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``condor serve --demo --database db_url --port port *args`` with ``env`` added to the
    environment; waits for health (RuntimeError after 60 s or when the child exits)."""
    with open(log, "wb") as out:
        p = subprocess.Popen(
            [str(CONDOR), "serve", "--demo", "--database", db_url, "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        if p.poll() is not None:
            raise RuntimeError(f"server exited {p.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return p
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            p.kill()
            raise RuntimeError("server did not start in 60 s")
        time.sleep(0.1)
