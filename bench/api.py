"""Orders acknowledged per second through ``POST /api/v1/orders`` on a real server.

Set-up: ``condor serve --demo --feed none`` in a child process on a fresh SQLite journal
(durable acknowledgements: an answer is sent only after its input's commit), access log off.
Load: ``--clients`` (32) concurrent keep-alive HTTP/1.1 connections, each sending one order at
a time (a 1-lot resting limit Buy far below the market), on the same machine. The load
generator is ``wrk`` (Debian package ``wrk``: C, one thread, so that the CPU goes to the
server the measurement is about) when it is installed, else ``--procs`` (2) Python processes
of httpx clients (which spread orders over the demo accounts but use about as much CPU as the
server). After a warm-up, every request of the timed window (``--seconds``) is counted with its
latency (request sent to answer read). Figures: acknowledged orders per second, p50 / p99 /
p99.9 latency (ms); any answer other than 201 is counted as an error and reported.

Last line: ``{"orders_per_s": ..., "p50_ms": ..., "p99_ms": ...}``.
Run: ``.venv/bin/python bench/api.py [--quick] [--clients 32] [--seconds 10]``.
Goal (issue 5): >= 3,000 orders/s with p99 <= 25 ms on this machine. Never asserts on time.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from _common import emit, note, parser, table
from _server import free_port, start_server

ACCOUNTS = ("123456", "123465", "987654", "12345")


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


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"account":"123456","symbol":"IBM","side":"Buy","ord_type":"Limit","quantity":"1","price":"1.00"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer TOKEN"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"p999_us": %d, "errors": %d}', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.status + e.connect + e.read + e.write + e.timeout))
  io.write(string.char(10))
end
"""


def run_wrk(url: str, token: str, clients: int, warmup: float, seconds: float) -> dict:
    """``wrk`` against POST /api/v1/orders: a warm-up run, then the timed one; its figures
    (requests, duration_us, p50_us, p99_us, p999_us, errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_WRK_SCRIPT.replace("TOKEN", token))
    target = f"{url}/api/v1/orders"
    try:
        for d in (max(1, round(warmup)), max(1, round(seconds))):
            out = subprocess.run(
                ["wrk", "-t1", f"-c{clients}", f"-d{d}s", "-s", f.name, target],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def run_httpx(url: str, token: str, args, seconds: float) -> dict:
    """The Python load generator (see the module doc); its figures."""
    start = time.time() + 1.0  # the processes start before the clock runs
    warm_until, stop_at = start + args.warmup, start + args.warmup + seconds
    q: mp.Queue = mp.Queue()
    per = [args.clients // args.procs + (k < args.clients % args.procs) for k in range(args.procs)]
    procs, first = [], 0
    for count in per:
        pr = mp.Process(target=_generator, args=(url, token, first, count, warm_until, stop_at, q))
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
    ms = sorted(x * 1000 for x in lat)
    return {"requests": len(ms), "duration_us": seconds * 1e6, "p50_us": _pct(ms, 0.5) * 1000,
            "p99_us": _pct(ms, 0.99) * 1000, "p999_us": _pct(ms, 0.999) * 1000,
            "errors": len(errors)}  # fmt: skip


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto",
                   help="load generator (auto: wrk when installed)")  # fmt: skip
    args = p.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    gen = args.generator
    if gen == "auto":
        gen = "wrk" if shutil.which("wrk") else "httpx"
    with tempfile.TemporaryDirectory(prefix="condor-bench-api-") as tmp:
        port = free_port()
        server = start_server(
            f"sqlite:///{Path(tmp) / 'api.db'}", port, Path(tmp) / "server.log", "--feed", "none",
            env={"CONDOR_LOG_LEVEL": "warning"},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            token = _token(url)
            if gen == "wrk":
                w = run_wrk(url, token, args.clients, args.warmup, seconds)
            else:
                w = run_httpx(url, token, args, seconds)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    figures = {
        "orders_per_s": round(w["requests"] / (w["duration_us"] / 1e6), 1),
        "p50_ms": round(w["p50_us"] / 1000, 2),
        "p99_ms": round(w["p99_us"] / 1000, 2),
        "p999_ms": round(w["p999_us"] / 1000, 2),
        "errors": w["errors"],
        "clients": args.clients,
        "seconds": seconds,
        "generator": gen,
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
                figures["errors"],
            ]
        ],
        caption=f"{w['requests']} requests in {seconds:.0f} s after a {args.warmup:.0f} s "
        f"warm-up; load generator: {gen} on the same machine",
    )
    if figures["errors"]:
        note(f"{figures['errors']} answers were not 201")
    emit("api", figures, args.quick)


if __name__ == "__main__":
    main()
