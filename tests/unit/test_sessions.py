"""SessionSchedule on hand-built sessions: phases, look-ups, DAY expiry, lazy loading."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condor.domain.sessions import SessionPhase, SessionSchedule, TradingSession

H = 3_600 * 1_000_000_000
DAY = 24 * H
CLOSED, PRE, REGULAR, POST = (
    SessionPhase.CLOSED,
    SessionPhase.PRE,
    SessionPhase.REGULAR,
    SessionPhase.POST,
)


# ------------------------------------------------------------------------------------ builders


def day_index(year: int, month: int, day: int) -> int:
    """Days since the epoch of a UTC date."""
    return int(datetime(year, month, day, tzinfo=UTC).timestamp()) // 86_400


def equity_day(day_index: int, *, extended: bool = True, early: bool = False) -> TradingSession:
    """A US-equity-like session on day ``day_index`` after the epoch, hours in 'UTC' for ease:
    pre 04-09, regular 09-16 (13 when early), post to 20 (17 when early)."""
    base = day_index * DAY
    close = base + (13 if early else 16) * H
    return TradingSession(
        day=datetime.fromtimestamp(base // 10**9, UTC).date().isoformat(),
        open_ns=base + 9 * H,
        close_ns=close,
        pre_open_ns=base + 4 * H if extended else None,
        post_close_ns=base + (17 if early else 20) * H if extended else None,
    )


def moex_like_day(day_index: int) -> TradingSession:
    """Pre 09:50-10, regular 10-18:40, gap, evening (POST) 19:05-23:50 (minutes as ns)."""
    base = day_index * DAY
    minute = H // 60
    return TradingSession(
        day=datetime.fromtimestamp(base // 10**9, UTC).date().isoformat(),
        open_ns=base + 10 * H,
        close_ns=base + 18 * H + 40 * minute,
        pre_open_ns=base + 9 * H + 50 * minute,
        post_close_ns=base + 23 * H + 50 * minute,
        post_open_ns=base + 19 * H + 5 * minute,
    )


def contiguous_day(day_index: int) -> TradingSession:
    """A 24h session touching its neighbours (crypto-like)."""
    base = day_index * DAY
    return TradingSession(
        day=datetime.fromtimestamp(base // 10**9, UTC).date().isoformat(),
        open_ns=base,
        close_ns=base + DAY,
        pre_open_ns=None,
        post_close_ns=None,
    )


def by_year_loader(sessions: list[TradingSession], calls: list[int] | None = None):
    """A loader serving ``sessions`` grouped by the year of their ``day``; records calls."""

    def load(year: int) -> list[TradingSession]:
        if calls is not None:
            calls.append(year)
        return [s for s in sessions if int(s.day[:4]) == year]

    return load


def brute_phase(sessions: list[TradingSession], ts: int) -> SessionPhase:
    """Reference phase by linear scan, straight from the module's invariant."""
    for s in sessions:
        if s.start_ns <= ts < s.end_ns:
            if ts < s.open_ns:
                return PRE
            if ts < s.close_ns:
                return REGULAR
            if s.post_open_ns is not None and ts < s.post_open_ns:
                return CLOSED
            return POST
    return CLOSED


def brute_session(sessions: list[TradingSession], ts: int) -> TradingSession | None:
    return next((s for s in sessions if s.start_ns <= ts < s.end_ns), None)


def brute_next_boundary(sessions: list[TradingSession], ts: int) -> int | None:
    points = sorted(
        {p for s in sessions for p in s if isinstance(p, int) and p > ts},
    )
    return next(
        (p for p in points if brute_phase(sessions, p) != brute_phase(sessions, p - 1)), None
    )


# ------------------------------------------------------------------------------------ examples


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (3, CLOSED),
        (4, PRE),
        (8, PRE),
        (9, REGULAR),
        (15, REGULAR),
        (16, POST),
        (19, POST),
        (20, CLOSED),
        (24 + 10, CLOSED),  # no session on day 1
        (48 + 10, REGULAR),
    ],
)
def test_phase_at_follows_half_open_intervals(hour: int, expected: SessionPhase) -> None:
    # Arrange
    schedule = SessionSchedule([equity_day(0), equity_day(2)])

    # Act
    phase = schedule.phase_at(hour * H)

    # Assert
    assert phase is expected


def test_phase_at_reports_gap_between_close_and_evening_session_as_closed() -> None:
    # Arrange
    schedule = SessionSchedule([moex_like_day(0)])
    minute = H // 60

    # Act
    phases = [schedule.phase_at(t) for t in (18 * H + 45 * minute, 19 * H + 5 * minute)]

    # Assert
    assert phases == [CLOSED, POST]
    assert schedule.session_at(18 * H + 45 * minute) == moex_like_day(0)


def test_session_at_includes_extended_hours_and_excludes_the_end() -> None:
    # Arrange
    first, second = equity_day(0), equity_day(1)
    schedule = SessionSchedule([first, second])

    # Act
    found = [schedule.session_at(t) for t in (4 * H, 19 * H, 20 * H, 24 * H + 4 * H)]

    # Assert
    assert found == [first, first, None, second]


@pytest.mark.parametrize(
    ("hour", "extended", "expected_hour"),
    [
        (2, False, 16),  # before pre: today's close
        (5, False, 16),  # pre: today's close
        (12, False, 16),  # regular: today's close
        (12, True, 20),  # extended: today's post close
        (17, False, 24 + 16),  # after the close, not extended: next session's close
        (17, True, 20),  # post, extended: today's post close
        (21, False, 24 + 16),  # between sessions: next close
        (21, True, 24 + 20),  # between sessions, extended: next post close
    ],
)
def test_day_order_expiry(hour: int, extended: bool, expected_hour: int) -> None:
    # Arrange
    schedule = SessionSchedule([equity_day(0), equity_day(1)])

    # Act
    expiry = schedule.day_order_expiry(hour * H, extended)

    # Assert
    assert expiry == expected_hour * H


def test_day_order_expiry_is_none_without_a_next_session() -> None:
    # Arrange
    schedule = SessionSchedule([equity_day(0)])

    # Act
    expiry = schedule.day_order_expiry(21 * H, extended=False)

    # Assert
    assert expiry is None
    assert SessionSchedule().day_order_expiry(0, extended=True) is None


def test_next_open_is_strictly_after() -> None:
    # Arrange
    schedule = SessionSchedule([equity_day(0), equity_day(1)])

    # Act
    opens = [schedule.next_open(t) for t in (5 * H, 9 * H, 12 * H, 24 * H + 9 * H)]

    # Assert
    assert opens == [9 * H, 24 * H + 9 * H, 24 * H + 9 * H, None]


def test_next_boundary_skips_touching_sessions_of_the_same_phase() -> None:
    # Arrange
    schedule = SessionSchedule([contiguous_day(0), contiguous_day(1), contiguous_day(2)])

    # Act
    boundaries = [schedule.next_boundary(t) for t in (-1, 0, 30 * H, 3 * DAY)]

    # Assert
    assert boundaries == [0, 3 * DAY, 3 * DAY, None]


@pytest.mark.parametrize(
    ("hour", "extended", "expected"),
    [(3, True, False), (5, False, False), (5, True, True), (12, False, True), (17, True, True)],
)
def test_is_tradable(hour: int, extended: bool, expected: bool) -> None:
    # Arrange
    schedule = SessionSchedule([equity_day(0)])

    # Act
    tradable = schedule.is_tradable(hour * H, extended)

    # Assert
    assert tradable is expected


def test_empty_schedule_is_always_closed() -> None:
    # Arrange
    schedule = SessionSchedule()

    # Act / Assert
    assert schedule.phase_at(123) is CLOSED
    assert schedule.session_at(123) is None
    assert schedule.next_open(123) is None
    assert schedule.next_boundary(123) is None


def test_rejects_overlapping_sessions() -> None:
    # Arrange
    clash = equity_day(0)._replace(
        open_ns=18 * H, close_ns=22 * H, pre_open_ns=None, post_close_ns=None
    )

    # Act / Assert
    with pytest.raises(ValueError, match="overlapping"):
        SessionSchedule([equity_day(0), clash])


def test_rejects_inconsistent_bounds() -> None:
    # Arrange
    bad = equity_day(0)._replace(close_ns=8 * H)

    # Act / Assert
    with pytest.raises(ValueError, match="inconsistent"):
        SessionSchedule([bad])


def test_rejects_loader_returning_another_year() -> None:
    # Arrange
    schedule = SessionSchedule(loader=lambda year: [equity_day(0)])

    # Act / Assert
    with pytest.raises(ValueError, match="loader"):
        schedule.phase_at(0)


def test_loader_is_called_lazily_per_year() -> None:
    # Arrange
    monday = day_index(2013, 10, 7)
    calls: list[int] = []
    schedule = SessionSchedule(loader=by_year_loader([equity_day(monday)], calls))

    # Act
    phase = schedule.phase_at(monday * DAY + 12 * H)
    schedule.phase_at(monday * DAY + 13 * H)

    # Assert
    assert phase is REGULAR
    assert sorted(calls) == [2012, 2013, 2014]


def test_loader_cache_does_not_leak_across_unloaded_years() -> None:
    # Arrange: sessions in 2013 and 2020; query 2013, then 2026, then 2020 (never queried yet).
    sessions = [contiguous_day(day_index(2013, 6, 3)), contiguous_day(day_index(2020, 6, 3))]
    schedule = SessionSchedule(loader=by_year_loader(sessions))

    # Act
    schedule.phase_at(day_index(2013, 12, 31) * DAY)
    schedule.phase_at(day_index(2026, 1, 1) * DAY)
    phase_2020 = schedule.phase_at(day_index(2020, 6, 3) * DAY + H)

    # Assert
    assert phase_2020 is REGULAR
    assert schedule.next_open(day_index(2013, 7, 1) * DAY) is None  # 2020 is past the horizon
    assert schedule.next_open(day_index(2019, 7, 1) * DAY) == day_index(2020, 6, 3) * DAY


# ------------------------------------------------------------------------------------ properties

_segment = st.integers(min_value=0, max_value=4)


@st.composite
def session_lists(draw: st.DrawFn, unit: int, max_gap: int = 4) -> list[TradingSession]:
    """Random sorted, non-overlapping sessions on a coarse grid so boundaries collide."""
    sessions = []
    t = draw(st.integers(min_value=0, max_value=3)) * unit
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        t += draw(st.integers(min_value=0, max_value=max_gap)) * unit
        pre = draw(st.none() | _segment)
        t_open = t + (pre or 0) * unit
        t_close = t_open + draw(st.integers(min_value=1, max_value=4)) * unit
        gap = draw(st.none() | _segment)
        post = draw(st.none() | _segment) if gap is None else draw(_segment)
        post_open = None if gap is None else t_close + gap * unit
        post_close = None
        if post is not None:
            post_close = (post_open if post_open is not None else t_close) + post * unit
        day = datetime.fromtimestamp(t_open // 10**9, UTC).date().isoformat()
        sessions.append(
            TradingSession(day, t_open, t_close, None if pre is None else t, post_close, post_open)
        )
        t = sessions[-1].end_ns
    return sessions


def _probes(sessions: list[TradingSession], unit: int, raw: list[int]) -> list[int]:
    span = max((s.end_ns for s in sessions), default=0) + 2 * unit
    return [r % span - unit for r in raw]


@settings(max_examples=300, deadline=None)
@given(
    sessions=session_lists(unit=H),
    raw=st.lists(st.integers(min_value=0, max_value=2**40), max_size=60),
    monotone=st.booleans(),
)
def test_phase_at_matches_brute_force(
    sessions: list[TradingSession], raw: list[int], monotone: bool
) -> None:
    # Arrange
    schedule = SessionSchedule(sessions)
    probes = _probes(sessions, H, raw)
    probes += [p + d for s in sessions for p in s if isinstance(p, int) for d in (-1, 0, 1)]
    if monotone:
        probes.sort()

    # Act
    got = [schedule.phase_at(t) for t in probes]

    # Assert
    assert got == [brute_phase(sessions, t) for t in probes]
    for t in probes:
        assert schedule.session_at(t) == brute_session(sessions, t)
        assert schedule.next_boundary(t) == brute_next_boundary(sessions, t)


@settings(max_examples=150, deadline=None)
@given(
    sessions=session_lists(unit=30 * DAY, max_gap=55),
    raw=st.lists(st.integers(min_value=0, max_value=2**62), max_size=40),
    monotone=st.booleans(),
)
def test_lazily_loaded_phase_at_matches_brute_force(
    sessions: list[TradingSession], raw: list[int], monotone: bool
) -> None:
    # Arrange: sessions spread over years (gaps up to ~4.5 years), served one year at a time.
    # The loader's contract (domain/sessions.py): a session reaches at most into the years
    # before and after its day's; at 30 days a unit, a session's 12 units after its open and 4
    # before stay within that (at 41 days one could run two New Years past its day).
    schedule = SessionSchedule(loader=by_year_loader(sessions))
    probes = _probes(sessions, 30 * DAY, raw)
    if monotone:
        probes.sort()

    # Act
    got = [schedule.phase_at(t) for t in probes]

    # Assert
    assert got == [brute_phase(sessions, t) for t in probes]
    assert [schedule.session_at(t) for t in probes] == [brute_session(sessions, t) for t in probes]
