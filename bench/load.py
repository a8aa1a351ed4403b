"""Load and soak of a real Condor server: many concurrent clients, then a reconciliation of
every acknowledged order with the SQLite journal.

The server is a child process, ``condor serve --demo --database sqlite:///<tmp>/load.db
--port <free>`` with the simulated market (seeded random walk) moving underneath. ``--clients``
native clients (``/api/v1``, user ``demo``) and ``--ts-clients`` TradeStation clients (``/v2``,
password grant of the demo user, docs/dialects/tradestation.md) run concurrently (httpx async),
each in a loop until the deadline:

- native: a passive Limit order (EUR/USD, Buy, 100-500 ticks under the bid, GTC, unique
  ``cl_ord_id``), a ``Bracket`` group (Limit entry as above, take-profit Limit and stop-loss
  Stop 30 ticks around it; unique ``cl_ord_id`` per member), or a cancel;
- TradeStation: a passive Limit (USDJPY, ``POST /v2/orders``, unique ``OrderConfirmId``), an
  ``OCO`` group of two (``POST /v2/orders/groups``), or a cancel (``DELETE /v2/orders/{id}``).

The clients re-read the bid every second, so their orders stay passive as the simulated market
walks (it drifts by thousands of ticks in a long soak; buys priced from the first bid would turn
marketable and fill at once). Each client keeps at most ``--live`` orders of its own working
and cancels its oldest first above that, so the server's working set stays bounded (a soak then
measures leaks, not growth of the book). Resting buys still fill when the market dips to them
and nothing sells what they bought (but a bracket's exits), so the accounts' cash goes into
positions as a run goes on; the table of accounts at the end shows how much, and a long soak
can run out of it (refused orders, ``order needs ... cash units``, in the answers table). Latency is the wall time of one HTTP exchange at the client (a group is one
exchange); throughput counts acknowledged requests per second.

At the end the server is stopped (SIGTERM, or SIGKILL with ``--kill``: an acknowledgement means
a durable commit, so nothing may be lost either way) and the database is reconciled through
``condor.store.journal.Store``: every acknowledged order exists with its account, symbol and
``cl_ord_id``, no ``cl_ord_id`` of ours names two orders, no order id was acknowledged twice,
every acknowledged cancel left its order Canceled; then ``condor db check`` replays the whole
journal into a fresh engine and compares it with the stored events and state.

Soak (``--minutes N``): the server's resident set size (psutil) is sampled every
``--sample`` seconds; the report gives the RSS at half time (warm) and at the end, the slope of
a least-squares line through the warm samples (MB per minute), whether the RSS stayed within
5 % of the warm figure (``rss_flat``), and the growth divided by the orders created, over the
whole run and over its second half (``rss_bytes_per_order``,
``rss_bytes_per_order_second_half``). The server's bounded memory fills first: the engine's
newest 50,000 finished orders and groups, 50,000 fills, 100,000 idempotency keys, the
WebSocket replay ring's 100,000 messages (at about 500 orders/s, the first 4 minutes), so a
soak of 10 minutes or more is judged on its second half; a per-order figure that stays high
late in the run is state kept per order ever created. ``--small-buffers`` runs the server with
those bounds ten times smaller (5,000 finished items, 2,000 fills, 10,000 keys, 10,000 stream
messages, a snapshot every 20,000 inputs), so it is warm within two minutes and any memory
kept per order shows in a short soak.

Prints tables, then as its last line one JSON object of its figures (also written to
``bench/results/load.json``, ``soak.json`` for ``--minutes``). Never asserts on time. Run:
``.venv/bin/python bench/load.py [--seconds 30 | --minutes N] [--clients 16] [--ts-clients 8]
[--small-buffers]``.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import psutil

from condor.store.journal import Store

from _common import emit, load_note, note, table
from _server import CONDOR, free_port, start_server

ROOT = Path(__file__).resolve().parents[1]
NATIVE_SYMBOL, NATIVE_TICK = "EUR/USD", Decimal("0.00001")
TS_SYMBOL, TS_TICK = "USDJPY", Decimal("0.001")
ACCOUNTS = ("123456", "123465", "987654", "12345", "D39004", "9")
LOTS = 1000
SMALL = {  # --small-buffers: the server's memory bounds (Settings.journal / .stream) / 10
    "CONDOR_JOURNAL__RETAIN_TERMINAL": "5000",
    "CONDOR_JOURNAL__FILLS_KEPT": "2000",
    "CONDOR_JOURNAL__KEYS_KEPT": "10000",
    "CONDOR_STREAM__BUFFER_SIZE": "10000",
    "CONDOR_JOURNAL__SNAPSHOT_EVERY": "20000",
}
P_ORDER, P_GROUP = 0.55, 0.75  # cumulative draws: order < 0.55 <= group < 0.75 <= cancel


# -- the ledger of what the server acknowledged ----------------------------------------------
@dataclass
class Ledger:
    """Every acknowledgement the clients received, and every latency they measured."""

    acked: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> acct, sym, cl
    acked_twice: list[int] = field(default_factory=list)
    canceled: set[int] = field(default_factory=set)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter = field(default_factory=Counter)
    sent_cl: set[str] = field(default_factory=set)

    def ack(self, order_id: int, account: str, symbol: str, cl: str) -> None:
        if order_id in self.acked:
            self.acked_twice.append(order_id)
        self.acked[order_id] = (account, symbol, cl)


# -- clients ---------------------------------------------------------------------------------
class Client:
    """One client's loop: draws an operation, sends it, records the answer and its latency.
    The operations return None when acknowledged, else a short text of the refusal."""

    symbol = ""

    def __init__(self, name: str, http: httpx.AsyncClient, ledger: Ledger, rng: random.Random,
                 max_live: int, bids: dict[str, Decimal]) -> None:  # fmt: skip
        self.name, self.http, self.ledger, self.rng = name, http, ledger, rng
        self.max_live = max_live
        self.bids = bids  # refreshed by follow_bids: orders stay passive as the market walks
        self.live: deque[int] = deque()
        self.n = 0

    def cl_ord_id(self) -> str:
        self.n += 1
        cl = f"{self.name}-{self.n}"
        self.ledger.sent_cl.add(cl)
        return cl

    def account(self) -> str:
        return ACCOUNTS[self.rng.randrange(len(ACCOUNTS))]

    async def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            r = self.rng.random()
            if self.live and (r >= P_GROUP or len(self.live) >= self.max_live):
                op, coro = "cancel", self.cancel(self.live.popleft())
            elif r < P_ORDER:
                op, coro = "order", self.order()
            else:
                op, coro = "group", self.group()
            t = time.perf_counter()
            try:
                refused = await coro
            except httpx.HTTPError as e:
                self.ledger.outcomes[f"{self.kind} {op}: {type(e).__name__}"] += 1
                continue
            self.ledger.latency[f"{self.kind} {op}"].append(time.perf_counter() - t)
            self.ledger.outcomes[f"{self.kind} {op}: {refused or 'ok'}"] += 1

    def below(self, tick: Decimal) -> Decimal:
        return self.bids[self.symbol] - tick * self.rng.randint(100, 500)


class NativeClient(Client):
    kind, symbol = "native", NATIVE_SYMBOL

    def spec(self, acct: str, ord_type: str, side: str, **px) -> dict:
        return {"account": acct, "symbol": NATIVE_SYMBOL, "side": side, "ord_type": ord_type,
                "quantity": str(LOTS), "time_in_force": "GTC", "cl_ord_id": self.cl_ord_id(),
                **{k: str(v) for k, v in px.items()}}  # fmt: skip

    async def order(self) -> str | None:
        body = self.spec(self.account(), "Limit", "Buy", price=self.below(NATIVE_TICK))
        r = await self.http.post("/api/v1/orders", json=body)
        if r.status_code != 201:
            return refusal(r)
        o = r.json()
        self.ledger.ack(o["order_id"], o["account"], o["symbol"], o["cl_ord_id"])
        self.live.append(o["order_id"])
        return None

    async def group(self) -> str | None:
        acct, px = self.account(), self.below(NATIVE_TICK)
        d = NATIVE_TICK * 30
        members = [
            {"role": "entry", "order": self.spec(acct, "Limit", "Buy", price=px)},
            {"role": "take_profit", "order": self.spec(acct, "Limit", "Sell", price=px + d)},
            {"role": "stop_loss", "order": self.spec(acct, "StopMarket", "Sell", stop_price=px - d)},
        ]  # fmt: skip
        r = await self.http.post("/api/v1/groups", json={"kind": "Bracket", "members": members})
        if r.status_code != 201:
            return refusal(r)
        for o in r.json()["orders"]:
            self.ledger.ack(o["order_id"], o["account"], o["symbol"], o["cl_ord_id"])
        self.live.append(r.json()["orders"][0]["order_id"])  # canceling the entry ends it
        return None

    async def cancel(self, order_id: int) -> str | None:
        r = await self.http.delete(f"/api/v1/orders/{order_id}")
        if r.status_code == 200 and r.json()["status"] == "Canceled":
            self.ledger.canceled.add(order_id)
            return None
        return refusal(r)


class TradeStationClient(Client):
    kind, symbol = "tradestation", TS_SYMBOL

    def spec(self, acct: str) -> dict:
        return {"AccountKey": acct, "AssetType": "FX", "Symbol": TS_SYMBOL,
                "Quantity": str(LOTS), "OrderType": "Limit", "TradeAction": "Buy",
                "LimitPrice": str(self.below(TS_TICK)), "Duration": "GTC",
                "OrderConfirmId": self.cl_ord_id()}  # fmt: skip

    def record(self, r: httpx.Response, specs: list[dict]) -> str | None:
        if r.status_code != 200:
            return refusal(r)
        results = r.json()
        ok = len(results) == len(specs) and all(x.get("OrderStatus") == "Ok" for x in results)
        for s, x in zip(specs, results, strict=False):
            if x.get("OrderStatus") == "Ok":
                oid = int(x["OrderID"])
                self.ledger.ack(oid, s["AccountKey"], TS_SYMBOL, s["OrderConfirmId"])
                self.live.append(oid)
        return None if ok else refusal(r)

    async def order(self) -> str | None:
        spec = self.spec(self.account())
        r = await self.http.post("/v2/orders", json=spec)
        return self.record(r, [spec])

    async def group(self) -> str | None:
        acct = self.account()
        specs = [self.spec(acct), self.spec(acct)]
        r = await self.http.post("/v2/orders/groups", json={"Type": "OCO", "Orders": specs})
        return self.record(r, specs)

    async def cancel(self, order_id: int) -> str | None:
        r = await self.http.delete(f"/v2/orders/{order_id}")
        if r.status_code == 200 and r.json().get("OrderStatus") == "Ok":
            self.ledger.canceled.add(order_id)
            return None
        return refusal(r)


def refusal(r: httpx.Response) -> str:
    """``"<status> <text>"`` of a refused request (the text cut to 60 characters)."""
    return f"{r.status_code} {r.text[:60]}"


# -- the server ------------------------------------------------------------------------------
async def sample_rss(pid: int, every: float, until: float, ledger: Ledger, out: list) -> None:
    """``(seconds since start, RSS bytes, orders acknowledged so far)`` of process ``pid``
    every ``every`` seconds."""
    proc = psutil.Process(pid)
    t0 = time.monotonic()
    while time.monotonic() < until:
        out.append((time.monotonic() - t0, proc.memory_info().rss, len(ledger.acked)))
        await asyncio.sleep(every)
    out.append((time.monotonic() - t0, proc.memory_info().rss, len(ledger.acked)))


async def follow_bids(http: httpx.AsyncClient, bids: dict[str, Decimal], until: float) -> None:
    """Keep ``bids`` (symbol -> best bid) current every second: the simulated market walks
    several hundred ticks in a soak, and buys priced from a stale bid would become marketable,
    fill, and spend the accounts' cash (every client buys), so a long run would measure buying
    power running out instead of a steady working set."""
    while True:
        for sym in bids:
            md = (await http.get(f"/api/v1/marketdata/{sym}")).json()
            if md.get("bid") is not None:
                bids[sym] = Decimal(md["bid"])
        if time.monotonic() >= until:
            return
        await asyncio.sleep(1.0)


async def accounts_report(http: httpx.AsyncClient) -> list[list]:
    """Per demo account at the end of a run: the cash each dialect's buys spend (USD for
    EUR/USD, JPY for USDJPY: cash, held, available) and the positions the fills left."""
    rows = []
    for acct in ACCOUNTS:
        bal = {
            b["currency"]: b for b in (await http.get(f"/api/v1/accounts/{acct}/balances")).json()
        }
        pos = {
            p["symbol"]: p["quantity"]
            for p in (await http.get(f"/api/v1/accounts/{acct}/positions")).json()
        }
        for ccy, sym in (("USD", NATIVE_SYMBOL), ("JPY", TS_SYMBOL)):
            b = bal.get(ccy, {})
            rows.append([acct, ccy, b.get("cash"), b.get("held"), b.get("available"), sym,
                         pos.get(sym, "0")])  # fmt: skip
    return rows


async def drive(base: str, a, ledger: Ledger, pid: int) -> tuple[float, list, list]:
    """Log in, run every client until the deadline; returns (seconds, RSS samples, the
    accounts report)."""
    limits = httpx.Limits(max_connections=a.clients + a.ts_clients + 4)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        r = await http.post("/api/v1/auth/token", json={"username": "demo", "password": "demo"})
        native_h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        http.headers.update(native_h)
        r = await http.post("/v2/security/authorize", data={
            "grant_type": "password", "username": "demo", "password": "demo",
            "client_id": "demo-key", "client_secret": "demo-secret"})  # fmt: skip
        ts_h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        bids: dict[str, Decimal] = {NATIVE_SYMBOL: Decimal(0), TS_SYMBOL: Decimal(0)}
        await follow_bids(http, bids, 0.0)  # one read before the clients start
        clients: list[Client] = []
        https = []
        for i in range(a.clients + a.ts_clients):
            native = i < a.clients
            h = httpx.AsyncClient(base_url=base, timeout=30, headers=native_h if native else ts_h)
            https.append(h)
            cls = NativeClient if native else TradeStationClient
            clients.append(cls(f"L{a.seed % 1000}c{i}", h, ledger,
                               random.Random(a.seed * 1000 + i), a.live, bids))  # fmt: skip
        t0 = time.monotonic()
        deadline = t0 + a.duration
        samples: list = []
        try:
            await asyncio.gather(sample_rss(pid, a.sample, deadline, ledger, samples),
                                 follow_bids(http, bids, deadline),
                                 *(c.run(deadline) for c in clients))  # fmt: skip
        finally:
            for h in https:
                await h.aclose()
        seconds = time.monotonic() - t0
        return seconds, samples, await accounts_report(http)


# -- reconciliation --------------------------------------------------------------------------
def reconcile(db_url: str, ledger: Ledger) -> dict:
    """Compare the ledger with the journal's read models; run ``condor db check``."""
    with Store.open(db_url, create=False) as store:
        rows = store.state_rows("orders")
    by_id = {pk[0]: r for pk, r in rows.items()}
    lost, wrong, not_canceled = [], [], []
    for oid, (acct, sym, cl) in ledger.acked.items():
        r = by_id.get(oid)
        if r is None:
            lost.append(oid)
        elif (r["account"], r["symbol"], r["cl_ord_id"]) != (acct, sym, cl):
            wrong.append(oid)
    for oid in ledger.canceled:
        r = by_id.get(oid)
        if r is not None and r["status"] != "Canceled":
            not_canceled.append((oid, r["status"]))
    per_cl = Counter(r["cl_ord_id"] for r in by_id.values() if r["cl_ord_id"] in ledger.sent_cl)
    duplicated = [cl for cl, n in per_cl.items() if n > 1]
    unacked = len(per_cl) - len({cl for _, _, cl in ledger.acked.values()} & per_cl.keys())
    chk = subprocess.run([str(CONDOR), "db", "check", "--database", db_url],
                         capture_output=True, text=True)  # fmt: skip
    return {
        "orders_in_journal": len(by_id),
        "acked_orders": len(ledger.acked),
        "acked_cancels": len(ledger.canceled),
        "lost": len(lost),
        "mismatched": len(wrong),
        "duplicated": len(duplicated) + len(ledger.acked_twice),
        "cancel_not_in_journal": len(not_canceled),
        "unacked_in_journal": unacked,
        "db_check_ok": chk.returncode == 0,
        "db_check_report": (chk.stdout + chk.stderr).strip()[-2000:],
        "examples": {
            "lost": lost[:5],
            "mismatched": wrong[:5],
            "duplicated": duplicated[:5],
            "cancel_not_in_journal": not_canceled[:5],
        },
    }


def pct(xs: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``xs`` in milliseconds (nearest rank)."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))] * 1e3 if s else float("nan")


def rss_report(samples: list) -> dict:
    """Warm (at half time) and final RSS in MB, the least-squares slope of the warm samples in
    MB per minute, whether the end stays within 5 % of the warm RSS, and the RSS growth per
    order created over the whole run and over its second half (bytes)."""
    if not samples:
        return {}
    t_end = samples[-1][0]
    warm = [(t, b / 2**20) for t, b, _ in samples if t >= t_end / 2] or [
        (t, b / 2**20) for t, b, _ in samples
    ]
    (_, b0, n0), (_, b1, n1) = samples[0], samples[-1]
    _, bh, nh = next(x for x in samples if x[0] >= t_end / 2)
    slope = 0.0
    if len(warm) >= 3 and warm[-1][0] > warm[0][0]:
        slope = statistics.linear_regression([t for t, _ in warm], [m for _, m in warm]).slope * 60
    return {
        "rss_start_mb": round(b0 / 2**20, 1),
        "rss_warm_mb": round(warm[0][1], 1),
        "rss_end_mb": round(b1 / 2**20, 1),
        "rss_max_mb": round(max(b for _, b, _ in samples) / 2**20, 1),
        "rss_slope_mb_per_min": round(slope, 3),
        "rss_flat": b1 / 2**20 <= 1.05 * warm[0][1],
        "rss_bytes_per_order": round((b1 - b0) / max(1, n1 - n0)),
        "rss_bytes_per_order_second_half": round((b1 - bh) / max(1, n1 - nh)),
    }


# -- main ------------------------------------------------------------------------------------
def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0, help="length of a load run")
    p.add_argument("--minutes", type=float, help="soak: run this many minutes, sample RSS")
    p.add_argument("--clients", type=int, default=16, help="native /api/v1 clients")
    p.add_argument("--ts-clients", type=int, default=8, help="TradeStation /v2 clients")
    p.add_argument("--live", type=int, default=50, help="working orders kept per client")
    p.add_argument("--sample", type=float, help="seconds between RSS samples")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--kill", action="store_true", help="stop the server with SIGKILL")
    p.add_argument("--tag", default="", help="suffix of the results file name")
    p.add_argument("--keep", action="store_true", help="keep the temporary database folder")
    p.add_argument("--small-buffers", action="store_true",
                   help="server memory bounds ten times smaller (see the module doc)")  # fmt: skip
    a = p.parse_args()
    soak = a.minutes is not None
    a.duration = a.minutes * 60 if soak else a.seconds
    a.sample = a.sample or (10.0 if soak else max(0.25, a.duration / 20))
    tmp = Path(tempfile.mkdtemp(prefix="condor-load-"))
    db_url = f"sqlite:///{tmp / 'load.db'}"
    port = free_port()
    ledger = Ledger()
    server = start_server(db_url, port, tmp / "server.log", env=SMALL if a.small_buffers else None)
    try:
        seconds, samples, accounts = asyncio.run(
            drive(f"http://127.0.0.1:{port}", a, ledger, server.pid)
        )
    finally:
        server.send_signal(signal.SIGKILL if a.kill else signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    rec = reconcile(db_url, ledger)
    ok_requests = sum(n for k, n in ledger.outcomes.items() if k.endswith(": ok"))
    all_lat = [x for xs in ledger.latency.values() for x in xs]
    rows = [[k, len(v), pct(v, 0.5), pct(v, 0.99), pct(v, 0.999), max(v) * 1e3]
            for k, v in sorted(ledger.latency.items())]  # fmt: skip
    rows.append(["all", len(all_lat), pct(all_lat, 0.5), pct(all_lat, 0.99),
                 pct(all_lat, 0.999), max(all_lat, default=0) * 1e3])  # fmt: skip
    table(f"Load: {a.clients} native + {a.ts_clients} TradeStation clients for {seconds:.1f} s "
          f"(SQLite journal, simulated market)",
          ["requests", "count", "p50 ms", "p99 ms", "p99.9 ms", "max ms"], rows,
          caption=f"{ok_requests / seconds:,.0f} acknowledged requests/s; " + load_note())  # fmt: skip
    table("Answers", ["answer", "count"], sorted(ledger.outcomes.items()))
    table(
        "Accounts at the end (cash the buys spend, positions the fills left)",
        ["account", "currency", "cash", "held", "available", "symbol", "position"],
        accounts,
    )
    rss = rss_report(samples)
    table("Reconciliation with the journal (expect 0 lost, 0 duplicated, db check ok)",
          ["check", "value"],
          [[k, v] for k, v in rec.items() if k not in ("db_check_report", "examples")])  # fmt: skip
    if not rec["db_check_ok"] or any(rec["examples"].values()):
        note(f"db check: {rec['db_check_report']}\nexamples: {rec['examples']}")
    if samples:
        step = max(1, len(samples) // 12)
        table("Server RSS", ["seconds", "RSS MB", "orders acknowledged"],
              [[round(t, 1), round(b / 2**20, 1), n] for t, b, n in samples[::step]],
              caption=", ".join(f"{k} {v}" for k, v in rss.items()))  # fmt: skip
    if a.keep:
        note(f"database kept in {tmp}")
    else:
        for f in tmp.iterdir():
            f.unlink()
        os.rmdir(tmp)
    figures = {
        "seconds": round(seconds, 2),
        "clients": a.clients + a.ts_clients,
        "small_buffers": a.small_buffers,
        "requests_per_s": round(ok_requests / seconds, 1),
        "p50_ms": round(pct(all_lat, 0.5), 2),
        "p99_ms": round(pct(all_lat, 0.99), 2),
        "p999_ms": round(pct(all_lat, 0.999), 2),
        **{k: v for k, v in rec.items() if k not in ("db_check_report", "examples")},
        **rss,
    }
    name = ("soak" if soak else "load") + (f"-{a.tag}" if a.tag else "")
    emit(name, figures, False)
    sys.exit(0 if rec["lost"] == rec["duplicated"] == 0 and rec["db_check_ok"] else 1)


if __name__ == "__main__":
    main()
