"""Orders acknowledged per second through ``POST /api/v1/orders`` on a real server.

Set-up: ``condor serve --demo --feed none`` in a child process on a fresh SQLite journal
(durable acknowledgements: an answer is sent only after its input's commit), access log off.
Load: ``--clients`` (32) concurrent keep-alive HTTP/1.1 connections, each one httpx client
sending one order at a time (a 1-lot resting limit Buy far below the market, spread over the
demo accounts), from ``--procs`` (2) load-generator processes on the same machine. After a
warm-up, every request of the timed window (``--seconds``) is counted and its latency (request
sent to answer read) kept. Figures: acknowledged orders per second, p50 / p99 / p99.9 latency
(ms); any answer other than 201 is counted as an error and reported.

Last line: ``{"orders_per_s": ..., "p50_ms": ..., "p99_ms": ...}``.
Run: ``.venv/bin/python bench/api.py [--quick] [--clients 32] [--seconds 10]``.
Goal (issue 5): >= 3,000 orders/s with p99 <= 25 ms on this machine. Never asserts on time.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from _common import emit, note, parser, table

ACCOUNTS = ("123456", "123465", "987654", "12345")
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "CONDOR_LOG_LEVEL": "warning"}
    cmd = [str(BIN / "condor"), "serve", "--demo", "--feed", "none", "--port", str(port),
           "--database", f"sqlite:///{db}"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def _token(url: str) -> str:
    r = httpx.post(f"{url}/api/v1/auth/token", json={"username": "demo", "password": "demo"})
    r.raise_for_status()
    return r.json()["access_token"]


async def _client(url, token, n, warm_until, stop_at, out: list, errors: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as c:
        i = 0
        while True:
            body = {"account": ACCOUNTS[(n + i) % len(ACCOUNTS)], "symbol": "IBM", "side": "Buy",
                    "ord_type": "Limit", "quantity": "1", "price": f"{1 + (i % 500) / 100:.2f}"}  # fmt: skip
            t0 = time.perf_counter()
            r = await c.post("/api/v1/orders", json=body)
            t1 = time.perf_counter()
            i += 1
            if t0 >= warm_until:
                if t1 > stop_at:
                    return
                if r.status_code == 201:
                    out.append(t1 - t0)
                else:
                    errors.append(r.status_code)
            elif t1 > stop_at:
                return


def _generator(url, token, first, count, warm_until, stop_at, q) -> None:
    """One load-generator process: ``count`` clients; puts (latencies, errors) on ``q``."""
    # perf_counter is not shared across processes: the parent passes wall times
    now_wall, now_pc = time.time(), time.perf_counter()
    warm = now_pc + (warm_until - now_wall)
    stop = now_pc + (stop_at - now_wall)
    lat: list[float] = []
    errors: list[int] = []

    async def main():
        await asyncio.gather(
            *(_client(url, token, first + k, warm, stop, lat, errors) for k in range(count))
        )

    asyncio.run(main())
    q.put((lat, errors))


def _pct(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(p * len(sorted_ms)))]


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=2.0)
    args = p.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory(prefix="condor-bench-api-") as tmp:
        port = _free_port()
        server = start_server(Path(tmp) / "api.db", port)
        url = f"http://127.0.0.1:{port}"
        try:
            token = _token(url)
            start = time.time() + 1.0  # the processes start before the clock runs
            warm_until, stop_at = start + args.warmup, start + args.warmup + seconds
            q: mp.Queue = mp.Queue()
            per = [args.clients // args.procs + (k < args.clients % args.procs)
                   for k in range(args.procs)]  # fmt: skip
            procs, first = [], 0
            for count in per:
                pr = mp.Process(
                    target=_generator, args=(url, token, first, count, warm_until, stop_at, q)
                )
                pr.start()
                procs.append(pr)
                first += count
            lat, errors = [], []
            for _ in procs:
                a, b = q.get()
                lat += a
                errors += b
            for pr in procs:
                pr.join()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    ms = sorted(x * 1000 for x in lat)
    rate = len(ms) / seconds
    figures = {
        "orders_per_s": round(rate, 1),
        "p50_ms": round(_pct(ms, 0.50), 2),
        "p99_ms": round(_pct(ms, 0.99), 2),
        "p999_ms": round(_pct(ms, 0.999), 2),
        "errors": len(errors),
        "clients": args.clients,
        "seconds": seconds,
    }
    table(
        "POST /api/v1/orders, durable on SQLite",
        ["clients", "orders/s", "p50 ms", "p99 ms", "p99.9 ms", "errors"],
        [
            [
                args.clients,
                figures["orders_per_s"],
                figures["p50_ms"],
                figures["p99_ms"],
                figures["p999_ms"],
                len(errors),
            ]
        ],
        caption=f"{len(ms)} acknowledged orders in {seconds:.0f} s after a {args.warmup:.0f} s "
        f"warm-up; load generator: {args.procs} processes on the same machine",
    )
    if errors:
        note(f"non-201 answers: {sorted(set(errors))}")
    emit("api", figures, args.quick)


if __name__ == "__main__":
    main()
