"""Run a ``Scenario`` over a recorded feed: the engine on the feed's clock, placements fired
at their times, conditions or event counts, every order event kept for the report.

Invariant: the runner only builds commands and feeds events; every rule is the engine's. The
engine clock starts at the feed's first event and moves only with the feed (and with
``AdvanceClock`` to a placement's ``at`` time just before the first event at or after it), so
session phases, DAY expiries at the close and GTD expiries happen at their exact instants.
The result is deterministic for the same feed and scenario.

Memory: the runner keeps nothing per market event. The touch path is a bounded ``PricePath``
(at most ``path_buckets`` time buckets of first/low/high/last); engine events go to ``on_event``
as they happen (the CLI streams them into the report files) and are also kept in
``ScenarioRun.events`` only with ``keep_events`` (the default, for tests and small runs). What
remains grows with the placements and their orders (tags, firings), not with the feed.

Marks (ticks) a placement's prices and conditions read, after each market event: ``bid``,
``ask``, ``mid`` (floor of (bid + ask) / 2), ``last`` (latest trade) and ``touch`` (the event's
own price: a trade's price, or the mid of a quote).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain

from condor.backtest.queue_model import QueueModel
from condor.backtest.scenario import Placement, Scenario
from condor.domain.accounts.account import Account, Position
from condor.domain.book.external import FillModel
from condor.domain.groups.commands import CreateGroup
from condor.domain.instruments import InstrumentRegistry
from condor.domain.market import TradeTick
from condor.domain.orders.commands import AdvanceClock
from condor.domain.orders.enums import ExecType
from condor.domain.orders.events import CommandRejected, ExecutionReport, TrailUpdated
from condor.domain.orders.group_events import GroupUpdated
from condor.domain.values import decimal_to_cash
from condor.engine.calendars import schedule_for
from condor.engine.clock import SimClock
from condor.engine.core import Engine
from condor.reporting.pricepath import PricePath

_KEEP = (ExecutionReport, CommandRejected, TrailUpdated)


@dataclass(frozen=True, slots=True)
class OrderTag:
    """Which placement an order belongs to: ``tag`` (``name#k``, k-th firing), ``group_id``
    (None for a single order), ``kind`` (group kind or "order"), ``role``."""

    tag: str
    placement: str
    group_id: str | None
    kind: str
    role: str


@dataclass(frozen=True, slots=True)
class Fired:
    """One firing of a placement: ``tag``, time (ns UTC), the touch (ticks) then, the order
    ids it created (empty when refused) and the refusal text."""

    tag: str
    placement: str
    ts_ns: int
    touch: int | None
    order_ids: tuple[int, ...]
    rejected: str | None = None


@dataclass
class ScenarioRun:
    """Outcome: kept engine events (ExecutionReport, CommandRejected, TrailUpdated; empty
    unless ``keep_events``), order tags by order id, firings, skipped firings ``(placement,
    ts_ns, reason)``, the bounded touch path ``path`` (``prices``: its points ``[(ts_ns,
    ticks)]``; ``last_price``: the last touch), counts and the final engine."""

    engine: Engine
    events: list = field(default_factory=list)
    tags: dict[int, OrderTag] = field(default_factory=dict)
    fired: list[Fired] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    path: PricePath = field(default_factory=PricePath)
    events_in: int = 0
    seconds: float = 0.0
    first_ts_ns: int | None = None
    last_ts_ns: int | None = None

    @property
    def prices(self) -> list[tuple[int, int]]:
        """The chart's touch path ``[(ts_ns, ticks)]`` (bounded, see ``PricePath.points``)."""
        return self.path.points()

    @property
    def last_price(self) -> int | None:
        """The last touch (ticks), None when the feed gave none."""
        last = self.path.last
        return None if last is None else last[1]


def build_engine(sc: Scenario, start_ns: int) -> Engine:
    """A fresh engine for ``sc`` whose clock starts at ``start_ns`` (ns UTC)."""
    inst = sc.instrument
    accounts = []
    for a in sc.accounts:
        acct = Account(a.account_id, owner="backtest", cash={inst.currency: decimal_to_cash(a.cash)})  # fmt: skip
        if a.position:
            cost = inst.notional(a.position_price, abs(a.position))
            acct.positions[inst.symbol] = Position(
                inst.symbol, a.position, cost if a.position > 0 else -cost
            )
        accounts.append(acct)
    return Engine(
        InstrumentRegistry([inst]), accounts, clock=SimClock(start_ns),
        schedules=schedule_for if sc.sessions else None, fill_model=sc.fill_model,
        keep_history=False,
    )  # fmt: skip


def run_scenario(
    sc: Scenario,
    feed: Iterable,
    *,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
    on_event: Callable[[object, OrderTag | None], None] | None = None,
    keep_events: bool = True,
    path_buckets: int = 1024,
) -> ScenarioRun:
    """Stream ``feed`` (market events of ``sc.instrument``) through a fresh engine, firing
    ``sc.placements``. Returns a ScenarioRun (an empty one, without engine events, for an
    empty feed). ``on_progress(n)`` is called every ``progress_every`` events. With
    ``fill_model: queue`` the feed must be an L3 reader (``QueueModel``; TypeError otherwise).
    ``on_event(event, tag)`` gets every kept engine event as it happens, with its order's
    ``OrderTag`` (None if it has none); ``keep_events=False`` keeps none in memory.
    ``path_buckets`` bounds the touch path (``PricePath``)."""
    started = time.perf_counter()
    # the reader's listener must be set before iteration starts (it is read once per pass)
    qm = QueueModel(None, feed, sc.instrument.symbol) if sc.fill_model is FillModel.QUEUE else None
    it = iter(feed)
    first = next(it, None)
    start_ns = first.ts_ns if first is not None else 0
    e = build_engine(sc, start_ns)
    run = ScenarioRun(e, path=PricePath(path_buckets))
    if first is None:
        return run
    if qm is not None:
        qm.engine = e
    tz = sc.timezone
    sym = sc.instrument.symbol
    v = e.venues[sym]
    ext = v.ext
    ats = sorted(
        ((p.trigger.at.to_ns(start_ns, tz), i, p) for i, p in enumerate(sc.placements) if p.trigger.at),
        key=lambda x: (x[0], x[1]),
    )  # fmt: skip
    watch = [_Watch(p, start_ns, tz) for p in sc.placements if p.trigger.at is None]
    counts = {p.name: 0 for p in sc.placements}
    marks: dict[str, int | None] = dict.fromkeys(("touch", "bid", "ask", "mid", "last"))
    kept = run.events if keep_events else None
    tags = run.tags
    path_add = run.path.add

    def keep(out) -> None:
        for ev in out:
            if isinstance(ev, _KEEP):
                if kept is not None:
                    kept.append(ev)
                if on_event is not None:
                    on_event(ev, tags.get(getattr(ev, "order_id", None)))

    next_at = ats[0][0] if ats else 1 << 62
    at_i = 0
    touch_prev = None
    n = 0
    ts = start_ns

    def fire(p: Placement, ts: int) -> None:
        counts[p.name] += 1
        tag = f"{p.name}#{counts[p.name]}"
        cmd = p.command(sym, marks, start_ns, tz, tag)
        if cmd is None:
            run.skipped.append((p.name, ts, "no market price yet for a relative price"))
            return
        out = e.handle(cmd)
        _record(run, p, tag, ts, marks["touch"], cmd, out)  # tags first: ``keep`` reads them
        keep(out)
        if qm is not None:
            keep(qm.after(out, ts))

    for ev in chain((first,), it):
        n += 1
        ts = ev.ts_ns
        if qm is not None and qm.ready:  # fills the reader's records caused before this event
            keep(qm.take_ready())
        while ts >= next_at:
            at_ns, _, p = ats[at_i]
            keep(e.handle(AdvanceClock(at_ns)))
            fire(p, at_ns)
            at_i += 1
            next_at = ats[at_i][0] if at_i < len(ats) else 1 << 62
        out = e.on_market(ev)
        if out:
            keep(out)
        if qm is not None and (out or qm.pending):
            keep(qm.after(out, ts))
        bid, ask = ext.bid, ext.ask
        marks["bid"], marks["ask"], marks["last"] = bid, ask, ext.last
        mid = (bid + ask) // 2 if bid is not None and ask is not None else None
        marks["mid"] = mid
        touch = ev.price if type(ev) is TradeTick else mid
        if touch is not None:
            marks["touch"] = touch
            if touch != touch_prev:
                path_add(ts, touch)
                touch_prev = touch
        if watch:
            for w in watch:
                if w.due(n, ts, marks):
                    fire(w.p, ts)
            watch = [w for w in watch if not w.done]
        if on_progress is not None and n % progress_every == 0:
            on_progress(n)
    for at_ns, _, p in ats[at_i:]:
        run.skipped.append((p.name, at_ns, "after the feed's last event"))
    if sc.end is not None:
        end_ns = sc.end.to_ns(start_ns, tz)
        if end_ns > ts:
            keep(e.handle(AdvanceClock(end_ns)))
            ts = end_ns
    if on_progress is not None:
        on_progress(n)
    run.events_in = n
    run.first_ts_ns, run.last_ts_ns = start_ns, ts
    run.seconds = time.perf_counter() - started
    return run


class _Watch:
    """The state of a ``when`` or ``every`` placement."""

    __slots__ = ("after", "before", "cond", "count", "done", "every", "fired", "p")

    def __init__(self, p: Placement, start_ns: int, tz) -> None:
        t = p.trigger
        self.p = p
        self.cond = t.when
        self.every = t.every
        self.count = 1 if t.when is not None else t.count
        self.after = t.after.to_ns(start_ns, tz) if t.after else None
        self.before = t.before.to_ns(start_ns, tz) if t.before else None
        self.fired = 0
        self.done = False

    def due(self, n: int, ts: int, marks) -> bool:
        if self.before is not None and ts >= self.before:
            self.done = True
            return False
        if self.after is not None and ts < self.after:
            return False
        if self.every is not None:
            ok = n % self.every == 0
        else:
            ok = self.cond.holds(marks)
        if ok:
            self.fired += 1
            if self.count is not None and self.fired >= self.count:
                self.done = True
        return ok


def _record(run: ScenarioRun, p: Placement, tag: str, ts: int, touch, cmd, out) -> None:
    kind = p.kind.value if p.kind is not None else "order"
    ids: list[int] = []
    rejected = None
    if isinstance(cmd, CreateGroup):
        for ev in out:
            if type(ev) is GroupUpdated and ev.change == "created":
                g = run.engine.groups.get(ev.group_id)
                for m in g.members:
                    ids.append(m.order_id)
                    run.tags[m.order_id] = OrderTag(tag, p.name, ev.group_id, kind, m.role)
                break
    else:
        for ev in out:
            if type(ev) is ExecutionReport:
                ids.append(ev.order_id)
                run.tags[ev.order_id] = OrderTag(tag, p.name, None, kind, p.members[0].role)
                break
    rej = next((ev for ev in out if type(ev) is CommandRejected or (
        type(ev) is ExecutionReport and ev.exec_type is ExecType.REJECTED)), None)  # fmt: skip
    if rej is not None:
        rejected = rej.text or "refused"
    elif not ids:
        rejected = "refused"
    run.fired.append(Fired(tag, p.name, ts, touch, tuple(ids), rejected))
