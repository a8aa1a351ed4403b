"""Trading sessions: which phase a market is in at an instant, and when DAY orders expire.

Invariant: a ``SessionSchedule`` holds ``TradingSession`` values sorted by start and
non-overlapping. Every interval is half-open, ``[start, end)``, in integer nanoseconds since the
Unix epoch, UTC. A session spans ``[pre_open_ns or open_ns, post_close_ns or close_ns)``; inside
it the phase is PRE on ``[pre_open_ns, open_ns)``, REGULAR on ``[open_ns, close_ns)``, POST on
``[post_open_ns or close_ns, post_close_ns)`` and CLOSED in an intra-session gap
``[close_ns, post_open_ns)``; everywhere else it is CLOSED. Sessions may touch
(``end == next start``, as in FX and crypto), in which case the phase does not change there.

The module is pure: no I/O, no time zones, no calendar library. Schedules that reach beyond a
fixed list take an injected ``loader(year) -> list[TradingSession]`` (built by
``condor.engine.calendars``) and call it lazily, one UTC calendar year at a time, keeping the
years ``y - 1 .. y + 1`` around every queried instant loaded so that sessions straddling New
Year are seen. Not thread-safe: the engine is the single writer. Source: contingency spec §4.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from enum import Enum
from itertools import pairwise
from typing import NamedTuple

__all__ = ["SessionLoader", "SessionPhase", "SessionSchedule", "TradingSession"]

_NS_PER_DAY = 86_400 * 1_000_000_000
_MIN_NS = -(2**63)
_MAX_NS = 2**63 - 1
_EPOCH = datetime(1970, 1, 1)
_EPOCH_DATE = date(1970, 1, 1)


class SessionPhase(str, Enum):
    """Market phase at an instant. PRE and POST are the extended-hours phases."""

    CLOSED = "closed"
    PRE = "pre"
    REGULAR = "regular"
    POST = "post"


class TradingSession(NamedTuple):
    """One trading day's session; all bounds are UTC epoch ns.

    ``day`` is the ISO date of the trading day ("2013-10-07"); it may differ from the UTC date of
    ``open_ns`` (FX and futures sessions open the evening before). The regular session is
    ``[open_ns, close_ns)``. ``pre_open_ns`` / ``post_close_ns`` bound the extended hours and are
    None when the market has none. ``post_open_ns`` is the start of the POST phase when it does
    not begin at the close (MOEX evening session 19:05 after an 18:40 close); None means
    ``close_ns``.
    """

    day: str
    open_ns: int
    close_ns: int
    pre_open_ns: int | None
    post_close_ns: int | None
    post_open_ns: int | None = None

    @property
    def start_ns(self) -> int:
        """First instant of the session, extended hours included."""
        return self.open_ns if self.pre_open_ns is None else self.pre_open_ns

    @property
    def end_ns(self) -> int:
        """First instant after the session, extended hours included (exclusive)."""
        return self.close_ns if self.post_close_ns is None else self.post_close_ns


SessionLoader = Callable[[int], list[TradingSession]]
"""``loader(year)`` returns the sessions whose ``day`` falls in that calendar year."""


def _year_of(ts_ns: int) -> int:
    return (_EPOCH + timedelta(microseconds=ts_ns // 1000)).year


def _year_start_ns(year: int) -> int:
    return (date(year, 1, 1) - _EPOCH_DATE).days * _NS_PER_DAY


def _check(session: TradingSession) -> None:
    s = session
    ok = s.open_ns < s.close_ns
    ok = ok and (s.pre_open_ns is None or s.pre_open_ns <= s.open_ns)
    ok = ok and (s.post_close_ns is None or s.close_ns <= s.post_close_ns)
    if s.post_open_ns is not None:
        ok = ok and s.post_close_ns is not None and s.close_ns <= s.post_open_ns <= s.post_close_ns
    if not ok:
        raise ValueError(f"inconsistent session bounds: {s!r}")


class SessionSchedule:
    """Sorted, non-overlapping trading sessions with fast phase look-ups (UTC epoch ns).

    Build with ``SessionSchedule(sessions)`` for a fixed list, or
    ``SessionSchedule(loader=f)`` where ``f(year)`` returns the sessions whose day is in
    ``year``. With a loader, forward searches (``next_open``, ``next_boundary``,
    ``day_order_expiry``) look at most ``horizon_years`` calendar years past the year of the
    query before answering None.

    Raises ValueError when sessions overlap, have inconsistent bounds, or a loader returns a
    session whose day is outside the requested year.
    """

    __slots__ = (
        "_bounds",
        "_c_hi",
        "_c_lo",
        "_c_phase",
        "_horizon",
        "_loaded",
        "_loader",
        "_opens",
        "_phases",
        "_sessions",
        "_starts",
    )

    def __init__(
        self,
        sessions: Iterable[TradingSession] = (),
        *,
        loader: SessionLoader | None = None,
        horizon_years: int = 2,
    ) -> None:
        self._loader = loader
        self._horizon = horizon_years
        self._loaded: set[int] = set()
        self._sessions: list[TradingSession] = []
        self._starts: list[int] = []
        self._opens: list[int] = []
        self._bounds: list[int] = []
        self._phases: list[SessionPhase] = []
        # phase_at cache: [lo, hi) -> phase; starts empty so the first call takes the slow path.
        self._c_lo = 0
        self._c_hi = 0
        self._c_phase = SessionPhase.CLOSED
        self._add(list(sessions))

    # ----------------------------------------------------------------------------- queries

    def phase_at(self, ts_ns: int) -> SessionPhase:
        """Phase at ``ts_ns``. O(1) while timestamps stay in the cached interval (the common
        case of a monotone feed), O(log n) bisect otherwise."""
        if self._c_lo <= ts_ns < self._c_hi:
            return self._c_phase
        return self._phase_slow(ts_ns)

    def session_at(self, ts_ns: int) -> TradingSession | None:
        """The session whose ``[start_ns, end_ns)`` contains ``ts_ns``, else None."""
        self._ensure(ts_ns)
        i = bisect_right(self._starts, ts_ns) - 1
        if i >= 0 and ts_ns < self._sessions[i].end_ns:
            return self._sessions[i]
        return None

    def is_tradable(self, ts_ns: int, extended: bool) -> bool:
        """True in REGULAR, and in PRE or POST when ``extended`` (extended-hours orders)."""
        phase = self.phase_at(ts_ns)
        if phase is SessionPhase.REGULAR:
            return True
        return extended and phase is not SessionPhase.CLOSED

    def next_open(self, ts_ns: int) -> int | None:
        """The first regular open strictly after ``ts_ns`` (OPG orders), or None if unknown."""

        def find() -> int | None:
            i = bisect_right(self._opens, ts_ns)
            return self._opens[i] if i < len(self._opens) else None

        return self._search_forward(ts_ns, find)

    def next_boundary(self, ts_ns: int) -> int | None:
        """The first instant after ``ts_ns`` at which ``phase_at`` changes (engine timers), or
        None if the phase never changes within the known horizon (crypto 24x7)."""

        def find() -> int | None:
            j = bisect_right(self._bounds, ts_ns)
            return self._bounds[j] if j < len(self._bounds) else None

        return self._search_forward(ts_ns, find)

    def day_order_expiry(self, ts_ns: int, extended: bool) -> int | None:
        """When a DAY order accepted at ``ts_ns`` expires (UTC ns), or None if no session known.

        Inside a session: its regular close, or its post close when ``extended``. Between
        sessions, or after the regular close when not ``extended``: the close (post close when
        ``extended``) of the next session. Source: contingency spec §4 (DAY orders expire at the
        close of their session).
        """
        current = self.session_at(ts_ns)
        if current is not None and (extended or ts_ns < current.close_ns):
            return current.end_ns if extended else current.close_ns

        def find() -> int | None:
            i = bisect_right(self._starts, ts_ns)
            return self._starts[i] if i < len(self._starts) else None

        start = self._search_forward(ts_ns, find)
        if start is None:
            return None
        nxt = self._sessions[bisect_right(self._starts, start) - 1]
        return nxt.end_ns if extended else nxt.close_ns

    def session_through(self, day: date) -> TradingSession | None:
        """The session of trading day ``day`` (its ``TradingSession.day``), or, when ``day``
        has none (a weekend, a holiday), the last session before it; None when no such session
        is known. A good-till-date order (FIX 59 = 6 with ExpireDate 432) ends with this
        session's close: the last one in which it may trade."""
        key = day.isoformat()
        self._ensure(_year_start_ns(day.year))
        # every session of trading day ``day`` starts before the next UTC midnight but one
        # (FX and futures sessions open the evening before their day)
        before_ns = ((day - _EPOCH_DATE).days + 2) * _NS_PER_DAY
        i = bisect_right(self._starts, before_ns) - 1
        while i >= 0 and self._sessions[i].day > key:
            i -= 1
        return self._sessions[i] if i >= 0 else None

    # ----------------------------------------------------------------------------- internals

    def _phase_slow(self, ts_ns: int) -> SessionPhase:
        lo_known, hi_known = self._ensure(ts_ns)
        bounds = self._bounds
        i = bisect_right(bounds, ts_ns) - 1
        lo = bounds[i] if i >= 0 else _MIN_NS
        hi = bounds[i + 1] if i + 1 < len(bounds) else _MAX_NS
        phase = self._phases[i] if i >= 0 else SessionPhase.CLOSED
        # Never cache past what the loaded years make certain.
        self._c_lo = max(lo, lo_known)
        self._c_hi = min(hi, hi_known)
        self._c_phase = phase
        return phase

    def _ensure(self, ts_ns: int) -> tuple[int, int]:
        """Load years around ``ts_ns``; return the window ``[lo, hi)`` known to be complete."""
        if self._loader is None:
            return _MIN_NS, _MAX_NS
        year = _year_of(ts_ns)
        missing = [y for y in (year - 1, year, year + 1) if y not in self._loaded]
        if missing:
            self._load(missing)
        return self._known_window(year)

    def _known_window(self, year: int) -> tuple[int, int]:
        # Times in year t are complete when t - 1, t and t + 1 are all loaded.
        low = year
        while low - 1 in self._loaded:
            low -= 1
        high = year
        while high + 1 in self._loaded:
            high += 1
        return _year_start_ns(low + 1), _year_start_ns(high)

    def _search_forward(self, ts_ns: int, find: Callable[[], int | None]) -> int | None:
        """Run ``find`` until its answer lies inside the complete window, loading later years."""
        _, hi_known = self._ensure(ts_ns)
        if self._loader is None:
            return find()
        limit = _year_of(ts_ns) + self._horizon + 1
        while True:
            found = find()
            if found is not None and found < hi_known:
                return found
            top = _year_of(hi_known)
            if top + 1 > limit:
                return None
            self._load([top + 1])
            _, hi_known = self._known_window(top)

    def _load(self, years: list[int]) -> None:
        assert self._loader is not None
        batch: list[TradingSession] = []
        for year in years:
            got = list(self._loader(year))
            for s in got:
                if int(s.day[:4]) != year:
                    raise ValueError(f"loader({year}) returned session of day {s.day}")
            batch.extend(got)
            self._loaded.add(year)
        self._add(batch)

    def _add(self, batch: list[TradingSession]) -> None:
        if not batch and self._sessions:
            return
        for s in batch:
            _check(s)
        sessions = sorted([*self._sessions, *batch], key=lambda s: s.start_ns)
        for prev, nxt in pairwise(sessions):
            if prev.end_ns > nxt.start_ns:
                raise ValueError(f"overlapping sessions: {prev!r} and {nxt!r}")
        self._sessions = sessions
        self._starts = [s.start_ns for s in sessions]
        self._opens = [s.open_ns for s in sessions]
        self._bounds, self._phases = _intervals(sessions)


def _intervals(sessions: list[TradingSession]) -> tuple[list[int], list[SessionPhase]]:
    """Flatten sessions into interval starts and phases, merging equal neighbours.

    ``phases[i]`` holds on ``[bounds[i], bounds[i + 1])``; before ``bounds[0]`` and from the last
    bound on the phase is CLOSED.
    """
    bounds: list[int] = []
    phases: list[SessionPhase] = []

    def push(at: int, phase: SessionPhase) -> None:
        if bounds and bounds[-1] == at:  # zero-length predecessor: replace it
            bounds.pop()
            phases.pop()
        if phases and phases[-1] is phase:
            return
        if not phases and phase is SessionPhase.CLOSED:
            return
        bounds.append(at)
        phases.append(phase)

    for s in sessions:
        if s.pre_open_ns is not None and s.pre_open_ns < s.open_ns:
            push(s.pre_open_ns, SessionPhase.PRE)
        push(s.open_ns, SessionPhase.REGULAR)
        if s.post_close_ns is not None and s.post_close_ns > s.close_ns:
            post_open = s.close_ns if s.post_open_ns is None else s.post_open_ns
            if post_open > s.close_ns:
                push(s.close_ns, SessionPhase.CLOSED)
            if post_open < s.post_close_ns:
                push(post_open, SessionPhase.POST)
        push(s.end_ns, SessionPhase.CLOSED)
    return bounds, phases
