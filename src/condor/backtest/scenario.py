"""Scenario files for ``condor replay DATA --orders SCENARIO``: parsing into a validated model
that builds engine commands (format: ``docs/scenarios.md``).

Invariant: loading either returns a fully checked ``Scenario`` or raises ``ScenarioError``
naming the file, the line (YAML) and the field path (``placements[2].members[1].price``); after
loading, nothing in a ``Scenario`` can fail to convert: prices are int ticks or references to
the touch plus int ticks, quantities int lots, times int ns UTC or wall-clock times of the
feed's first day in the scenario's time zone. Building commands is pure: the same marks give
the same commands. This module holds the model; ``scenario_parser`` checks the documents.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from condor.domain.book.external import FillModel
from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.instruments import Instrument
from condor.domain.orders.commands import SubmitOrder, TrailSpec
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind, TriggerBasis

REFS = ("touch", "bid", "ask", "mid", "last")
PRICE_RE = re.compile(r"^\s*(touch|bid|ask|mid|last)\s*(?:([+-])\s*(\d+)\s*)?$")
CONDITION_RE = re.compile(r"^\s*(touch|bid|ask|mid|last)\s*(>=|<=|>|<)\s*(\S+)\s*$")
_OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, "<": lambda a, b: a < b}  # fmt: skip
_UTC = ZoneInfo("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)


class ScenarioError(ValueError):
    """A scenario file that cannot be used: ``path``, ``line`` (1-based, YAML only, else
    None), ``field`` (dotted path) and ``text``. ``str()`` gives ``file:line: field: text``."""

    def __init__(self, text: str, field: str = "", line: int | None = None, path=None) -> None:
        self.text, self.field, self.line, self.path = text, field, line, path
        where = f"{path}" if path is not None else "scenario"
        if line is not None:
            where += f":{line}"
        super().__init__(f"{where}: {field + ': ' if field else ''}{text}")


# -- model --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PriceExpr:
    """A price: absolute ``ticks`` when ``ref`` is None, else ``ref`` (one of ``REFS``) plus
    ``ticks`` (signed) at the moment the order is placed."""

    ref: str | None
    ticks: int

    def resolve(self, marks: dict[str, int | None]) -> int | None:
        """Ticks, or None when the referenced mark is not known yet."""
        if self.ref is None:
            return self.ticks
        base = marks.get(self.ref)
        return None if base is None else base + self.ticks


@dataclass(frozen=True, slots=True)
class WallTime:
    """A time of day (``hh:mm[:ss]``) on the feed's first day in the scenario's zone, or an
    absolute instant (``ns`` UTC) when given as an ISO date-time with an offset."""

    of_day: time | None = None
    ns: int | None = None

    def to_ns(self, first_ts_ns: int, tz: ZoneInfo) -> int:
        """UTC epoch ns of this time; the day is the local date of ``first_ts_ns``."""
        if self.ns is not None:
            return self.ns
        day = (_EPOCH + timedelta(microseconds=first_ts_ns // 1000)).astimezone(tz).date()
        return utc_ns(datetime.combine(day, self.of_day, tzinfo=tz))


@dataclass(frozen=True, slots=True)
class Condition:
    """``ref op ticks``: e.g. touch >= 18250 (ticks)."""

    ref: str
    op: str
    ticks: int

    def holds(self, marks: dict[str, int | None]) -> bool:
        v = marks.get(self.ref)
        return v is not None and _OPS[self.op](v, self.ticks)


@dataclass(frozen=True, slots=True)
class Trigger:
    """When a placement fires: ``at`` (once), ``when`` (once, the first event after which it
    holds), or ``every`` N market events (at most ``count`` times); ``after``/``before``
    bound the window of ``when`` and ``every``."""

    at: WallTime | None = None
    when: Condition | None = None
    every: int | None = None
    count: int | None = None
    after: WallTime | None = None
    before: WallTime | None = None


@dataclass(frozen=True, slots=True)
class OrderSpec:
    """One order of a placement; prices as ``PriceExpr``, ``qty`` lots, ``expire`` for GTD."""

    role: str
    account: str
    side: Side
    ord_type: OrdType
    qty: int
    price: PriceExpr | None = None
    stop: PriceExpr | None = None
    tif: TimeInForce = TimeInForce.DAY
    extended: bool = False
    display_qty: int | None = None
    expire: WallTime | None = None
    trail_kind: TrailKind | None = None
    trail_offset: int | None = None
    trail_limit_offset: int | None = None
    trail_activation: PriceExpr | None = None
    basis: TriggerBasis | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """A named placement: a trigger and either one order (``kind`` None) or a group."""

    name: str
    trigger: Trigger
    kind: GroupKind | None
    members: tuple[OrderSpec, ...]

    def command(self, symbol: str, marks: dict[str, int | None], first_ts_ns: int,
                tz: ZoneInfo, tag: str):  # fmt: skip
        """The ``SubmitOrder`` or ``CreateGroup`` on ``symbol`` for the current ``marks``
        (ticks), or None when a price refers to a mark not known yet. ``tag`` becomes each
        order's cl_ord_id prefix (``tag/role``)."""
        subs = []
        for i, m in enumerate(self.members):
            s = _submit(m, symbol, marks, first_ts_ns, tz, f"{tag}/{m.role or i}")
            if s is None:
                return None
            subs.append(s)
        if self.kind is None:
            return subs[0]
        return CreateGroup(self.kind, tuple(MemberSpec(s, role=m.role) for s, m in zip(subs, self.members, strict=True)))  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """A backtest account: ``cash`` (Decimal, instrument currency), ``position`` lots held at
    ``position_price`` ticks at the start."""

    account_id: str
    cash: Decimal
    position: int = 0
    position_price: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole scenario: instrument, zone, sessions on/off, fill model, accounts, placements."""

    instrument: Instrument
    timezone: ZoneInfo
    sessions: bool
    fill_model: FillModel
    accounts: tuple[AccountSpec, ...]
    placements: tuple[Placement, ...]
    end: WallTime | None = None


def _submit(m: OrderSpec, symbol: str, marks, first_ts_ns: int, tz: ZoneInfo, cl: str):
    price = stop = act = None
    if m.price is not None and (price := m.price.resolve(marks)) is None:
        return None
    if m.stop is not None and (stop := m.stop.resolve(marks)) is None:
        return None
    if m.trail_activation is not None and (act := m.trail_activation.resolve(marks)) is None:
        return None
    trail = None
    if m.trail_kind is not None:
        trail = TrailSpec(m.trail_kind, m.trail_offset, act, m.trail_limit_offset)
    exp = m.expire.to_ns(first_ts_ns, tz) if m.expire is not None else None
    return SubmitOrder(
        m.account, symbol, m.side, m.ord_type, m.qty, price=price, stop_price=stop, tif=m.tif,
        expire_ns=exp, extended=m.extended, display_qty=m.display_qty, cl_ord_id=cl,
        trail=trail, basis=m.basis, owner="backtest",
    )  # fmt: skip


def utc_ns(dt: datetime) -> int:
    """An aware datetime -> int ns since the Unix epoch, UTC (exact to the microsecond)."""
    return (dt - _EPOCH) // timedelta(microseconds=1) * 1000


# -- loading ------------------------------------------------------------------------------
def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML (``.yaml``/``.yml``) or TOML (``.toml``) scenario file.
    Raises ``ScenarioError`` (file, line, field, reason) on any problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"cannot read: {e.strerror}", path=p) from None
    return parse_scenario(text, toml=p.suffix.lower() == ".toml", path=p)


def parse_scenario(text: str, *, toml: bool = False, path=None) -> Scenario:
    """Parse scenario ``text`` (YAML unless ``toml``). Raises ``ScenarioError``."""
    from condor.backtest.scenario_parser import Parser, YamlLoader

    try:
        data = tomllib.loads(text) if toml else yaml.load(text, Loader=YamlLoader)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"not valid TOML: {e}", path=path) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(f"not valid YAML: {getattr(e, 'problem', e)}", line=line, path=path) from None  # fmt: skip
    return Parser(path).scenario(data)
