"""condor: the command line. Subcommands: serve (the API server), db upgrade | check (the
journal database), token create (a JWT for a configured user), demo (a bracket backtest over
real recorded IBM trades, or a seeded random walk when the data folder is absent) and replay FILE
(the same over any supported feed file, or with --orders SCENARIO the orders and groups of a
scenario file, written up as a report folder). --help on each.

Exit status of demo and replay: 0 after a run, 1 when a bracket ended with two exits filled
(demo and bracket replay), 2 when an argument, the scenario or the data file cannot be used
(one line on stderr naming the file and line, no traceback). The summary on stdout depends only
on the inputs (byte-identical for the same run); the run's speed goes to stderr."""

from __future__ import annotations

import argparse
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from condor.backtest.brackets import BracketRun, run_brackets
from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import QuoteTick
from condor.marketdata import open_feed
from condor.marketdata.errors import FeedError

DEMO_FILE = "ibm-us-equity-trades-20131007.csv"


def _data_dir() -> Path:
    env = os.environ.get("CONDOR_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    return Path.cwd().parent / "shared" / "data"


def _instrument(symbol: str, tick: str, lot: str, currency: str, has_trades: bool) -> Instrument:
    return Instrument(
        symbol, AssetClass.EQUITY, "SIM", Decimal(tick), Decimal(lot), currency=currency,
        has_trades=has_trades,
    )  # fmt: skip


def _random_walk(inst: Instrument, n: int, seed: int = 7):
    rng = random.Random(seed)
    mid = 18_000
    ts = 1_700_000_000_000_000_000
    for _ in range(n):
        mid += rng.choice((-1, 0, 1))
        ts += 1_000_000
        yield QuoteTick(inst.symbol, ts, mid - 1, mid + 1, 1000, 1000)


def _money(d: Decimal | None) -> str:
    """A Decimal as fixed-point text (``0E-8`` -> ``0.00000000``); empty for None."""
    return "" if d is None else format(d, "f")


def _fail(text: object) -> int:
    """One line on stderr, ``condor: <text>``, exit status 2. Plain text: no markup, emoji
    codes (``:100:``) or wrapping of a file:line location."""
    print(f"condor: {text}", file=sys.stderr)
    return 2


def _timing(events: int, seconds: float) -> None:
    """The run's speed, on stderr (it varies from run to run; stdout stays deterministic)."""
    rate = events / seconds if seconds else 0.0
    print(f"{events:,} market events in {seconds:.2f} s ({rate:,.0f} events/s)", file=sys.stderr)


def _report(console: Console, title: str, run: BracketRun) -> None:
    t = Table(title=title)
    t.add_column("figure")
    t.add_column("value", justify="right")
    rows = [
        ("market events in", f"{run.events_in:,}"),
        ("engine events out", f"{run.events_out:,}"),
        ("brackets placed", f"{run.brackets:,}"),
        ("entries filled", f"{run.entries_filled:,}"),
        ("take-profits filled", f"{run.take_profits:,}"),
        ("stop-losses filled", f"{run.stop_losses:,}"),
        ("brackets still open", f"{run.open_brackets:,}"),
        ("brackets with two exits filled", f"{sum(1 for x in run.exits_per_bracket if x > 1)}"),
        ("position at end", _money(run.position)),
        ("realized P&L (closed brackets)", _money(run.realized_pnl)),
        ("open P&L (marked at the last price)", _money(run.open_pnl)),
        ("last price", _money(run.last_price)),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


def _run(console: Console, title: str, feed, inst: Instrument, args) -> int:
    try:
        with Progress(
            TextColumn("[bold]replay"), BarColumn(), TextColumn("{task.completed:,} events"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("replay", total=None)
            run = run_brackets(
                feed, inst, every=args.every, max_brackets=args.brackets,
                offset_ticks=args.offset, qty_lots=args.qty,
                on_progress=lambda n: progress.update(task, completed=n),
            )  # fmt: skip
    except (FeedError, OSError) as e:
        return _fail(e)
    _report(console, title, run)
    _timing(run.events_in, run.seconds)
    bad = sum(1 for x in run.exits_per_bracket if x > 1)
    return 1 if bad else 0


def cmd_demo(args) -> int:
    console = Console()
    inst = _instrument("IBM", "0.01", "1", "USD", True)
    path = _data_dir() / DEMO_FILE
    if path.is_file():
        console.print(f"Replaying real IBM trades of 2013-10-07 from {path}")
        return _run(console, "Condor demo: brackets on IBM trades", open_feed(path, inst), inst, args)  # fmt: skip
    console.print(f"{path} not found: replaying a seeded random walk instead")
    return _run(console, "Condor demo: brackets on a random walk", _random_walk(inst, 200_000), inst, args)  # fmt: skip


def cmd_replay(args) -> int:
    console = Console()
    data = Path(args.file)
    if not data.is_file():
        return _fail(f"{data}: no such data file")
    if args.orders:
        return _replay_scenario(console, data, Path(args.orders), args.out)
    try:
        inst = _instrument(args.symbol, args.tick, args.lot, args.currency, not args.quotes_only)
        feed = open_feed(data, inst)
    except (ValueError, OSError) as e:  # FeedError is a ValueError; so is a bad tick/lot
        return _fail(e)
    return _run(console, f"Condor replay: {data.name}", feed, inst, args)


def _count_lines(path: Path) -> int | None:
    """Lines of a plain file (the progress bar's total); None for compressed files."""
    if path.suffix == ".gz":
        return None
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _replay_scenario(console: Console, data: Path, orders: Path, out: str | None) -> int:
    """``condor replay DATA --orders SCENARIO``: run, print a summary, write the report
    folder. Exit 2 on a bad scenario or feed file, else 0."""
    from rich.progress import TimeRemainingColumn

    from condor.backtest.runner import run_scenario
    from condor.backtest.scenario import ScenarioError, load_scenario
    from condor.reporting.folder import ReportWriter

    try:
        sc = load_scenario(orders)
        feed = open_feed(data, sc.instrument)
        total = _count_lines(data)
    except (ScenarioError, FeedError, OSError) as e:
        return _fail(e)
    folder = Path(out) if out else Path(f"report-{orders.stem}")
    writer = ReportWriter(sc.instrument, sc.timezone, folder)  # rows streamed as they happen
    with Progress(
        TextColumn("[bold]replay"), BarColumn(), TextColumn("{task.completed:,} events"),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("replay", total=total, rate="")

        def tick(n: int) -> None:
            speed = progress.tasks[0].speed
            progress.update(task, completed=n, rate=f"{speed:,.0f} events/s" if speed else "")

        try:
            run = run_scenario(sc, feed, on_progress=tick, on_event=writer.add, keep_events=False)
        except (FeedError, OSError) as e:
            writer.abort()
            return _fail(e)
    title = f"{sc.instrument.symbol}: {orders.name} over {data.name}"
    paths = writer.close(run.tags, run.prices, run.last_price, title=title)
    pnl = writer.pnl
    fills = writer.fills
    t = Table(title=f"Condor replay: {orders.name} over {data.name}")
    t.add_column("figure")
    t.add_column("value", justify="right")
    known = [r["pnl"] for r in pnl if r["pnl"] is not None]
    for k, v in (
        ("market events in", f"{run.events_in:,}"),
        ("placements fired", f"{len(run.fired):,}"),
        ("refused", f"{sum(1 for f in run.fired if f.rejected):,}"),
        ("skipped", f"{len(run.skipped):,}"),
        ("orders", f"{len(run.tags):,}"),
        ("fills", f"{fills:,}"),
        ("groups flat at the end", f"{sum(1 for r in pnl if r['flat']):,} of {len(pnl):,}"),
        (f"P&L ({sc.instrument.currency}, open marked at the last price)", _money(sum(known, Decimal(0)))),
    ):  # fmt: skip
        t.add_row(k, v)
    console.print(t)
    g = Table(title="P&L per group")
    for c in ("group", "kind", "fills", "position", "P&L"):
        g.add_column(c, justify="left" if c in ("group", "kind") else "right")
    for r in pnl[:25]:
        g.add_row(r["tag"], r["kind"], str(r["fills"]), _money(r["position"]), _money(r["pnl"]))
    if len(pnl) > 25:
        g.caption = f"... {len(pnl) - 25} more in pnl.csv"
    console.print(g)
    for f in run.fired:
        if f.rejected:
            console.print(f"refused: {f.tag}: {f.rejected}", markup=False)
    for name, ts, why in run.skipped:
        console.print(f"skipped: {name} at {ts} ns: {why}", markup=False)
    console.print(f"report: {folder}/ ({', '.join(sorted(paths))})", markup=False)
    _timing(run.events_in, run.seconds)
    return 0


def _speed(text: str) -> float:
    """``--speed``: a positive time multiplier, or ``max`` (0: feed as fast as possible)."""
    if text.strip().lower() == "max":
        return 0.0
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or max") from None
    if v < 0:
        raise argparse.ArgumentTypeError("speed cannot be negative")
    return v


def cmd_serve(args) -> int:
    from condor.api.serve import serve

    feed = args.feed
    if feed not in ("simulated", "none") and not feed.startswith("replay:"):
        raise SystemExit(f"--feed must be simulated, none or replay:FILE, not {feed!r}")
    serve(
        host=args.host, port=args.port, config=args.config, demo=args.demo or args.config is None,
        feed=feed, database=args.database, speed=args.speed,
    )  # fmt: skip
    return 0


def cmd_token_create(args) -> int:
    from condor.api.auth import Authenticator
    from condor.api.bootstrap import effective_settings
    from condor.api.settings import Settings

    settings = effective_settings(Settings.load(args.config, demo=args.config is None))
    auth = Authenticator(settings)
    user = auth.check_password(args.user, args.password)
    if user is None:
        Console(stderr=True).print("unknown user or wrong password")
        return 2
    if not os.environ.get("CONDOR_JWT_SECRET") and args.config is None:
        Console(stderr=True).print(
            "note: no CONDOR_JWT_SECRET set; the token is valid only for a server started "
            "with the same secret"
        )
    token, _refresh, _ttl = auth.issue(user)
    print(token)
    return 0


def cmd_db_upgrade(args) -> int:
    """Create or migrate the schema. No state rows are written: the first server to start
    writes the configured accounts (``db check`` finds an untouched database consistent)."""
    from sqlalchemy.exc import SQLAlchemyError

    from condor.store.migrations import upgrade

    try:
        upgrade(args.database)
    except SQLAlchemyError as e:
        return _fail(f"cannot upgrade {args.database}: {e}")
    Console().print(f"database {args.database} is at the newest schema")
    return 0


def cmd_db_check(args) -> int:
    """Replay the journal with the configuration it was written with (``--config``; the
    demo one by default) and compare events and state; exit 1 on a difference, 2 when the
    database cannot be opened."""
    from condor.api.bootstrap import engine_factory
    from condor.api.settings import Settings
    from condor.store.check import check
    from condor.store.errors import StoreError
    from condor.store.journal import Store

    settings = Settings.load(args.config, demo=args.config is None)
    try:
        with Store.open(args.database, create=False) as store:
            report = check(store, engine_factory(settings, store))
    except StoreError as e:
        return _fail(e)
    Console().print(str(report))
    return 0 if report.ok else 1


def _positive_int(text: str) -> int:
    """An ``int`` option that must be at least 1 (``--every 0`` would divide by zero and
    ``--every -5`` would place a bracket every 5 events)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return v


def _step(text: str) -> str:
    """``--tick`` / ``--lot``: a positive decimal (kept as text for ``Decimal``)."""
    try:
        d = Decimal(text)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a decimal number") from None
    if not d.is_finite() or d <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive decimal")
    return text


def _bracket_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--every", type=_positive_int, default=100, help="place a bracket every N market events (default 100)")  # fmt: skip
    p.add_argument("--brackets", type=_positive_int, default=200, help="at most this many brackets (default 200)")  # fmt: skip
    p.add_argument("--offset", type=_positive_int, default=30, help="exit distance from the touch, ticks (default 30)")  # fmt: skip
    p.add_argument("--qty", type=_positive_int, default=100, help="bracket size in lots (default 100)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="condor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sv = sub.add_parser("serve", help="run the API server")
    sv.add_argument("--config", help="TOML configuration file")
    sv.add_argument("--demo", action="store_true", help="load the demo configuration")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--database", help="database URL (sqlite:///... or postgresql+psycopg://...)")
    sv.add_argument("--feed", default="simulated", help="simulated | none | replay:FILE")
    sv.add_argument(
        "--speed", type=_speed, help="market time multiplier; replay: `max` (or 0) = no pauses"
    )
    sv.set_defaults(func=cmd_serve)
    db = sub.add_parser("db", help="database schema and consistency")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="create or migrate the schema (Alembic)")
    up.add_argument("--database", required=True, help="sqlite:///... or postgresql+psycopg://...")
    up.set_defaults(func=cmd_db_upgrade)
    ck = db_sub.add_parser("check", help="replay the journal and compare with the stored state")
    ck.add_argument("--database", required=True)
    ck.add_argument("--config", help="TOML configuration the journal was written with")
    ck.set_defaults(func=cmd_db_check)
    tok = sub.add_parser("token", help="access tokens")
    tok_sub = tok.add_subparsers(dest="token_command", required=True)
    tc = tok_sub.add_parser("create", help="print a JWT for a configured user")
    tc.add_argument("--user", required=True)
    tc.add_argument("--password", required=True)
    tc.add_argument("--config", help="TOML configuration file")
    tc.set_defaults(func=cmd_token_create)
    demo = sub.add_parser("demo", help="bracket backtest over real IBM trades")
    _bracket_options(demo)
    demo.set_defaults(func=cmd_demo)
    rp = sub.add_parser("replay", help="backtest over a recorded feed file (brackets or --orders)")
    rp.add_argument("file")
    rp.add_argument("--symbol", default="IBM", help="instrument symbol (default IBM)")
    rp.add_argument("--tick", type=_step, default="0.01", help="price grid (default 0.01)")
    rp.add_argument("--lot", type=_step, default="1", help="quantity grid (default 1)")
    rp.add_argument("--currency", default="USD", help="currency of prices and P&L (default USD)")
    rp.add_argument("--quotes-only", action="store_true", help="stops watch bid/ask (FX)")
    rp.add_argument(
        "--orders", metavar="SCENARIO",
        help="scenario file (YAML or TOML, docs/scenarios.md): places its orders and groups "
        "instead of the periodic brackets; the instrument comes from the scenario",
    )  # fmt: skip
    rp.add_argument("--out", help="report folder for --orders (default: report-<scenario name>)")
    _bracket_options(rp)
    rp.set_defaults(func=cmd_replay)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
