"""Real calendars (exchange_calendars + zoneinfo) behind ``schedule_for``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from condor.domain.sessions import SessionPhase
from condor.engine.calendars import CALENDAR_IDS, schedule_for

NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ns(year: int, month: int, day: int, hh: int = 0, mm: int = 0, ss: int = 0, tz=NEW_YORK) -> int:
    """UTC epoch ns of a wall-clock time in ``tz`` (New York unless told)."""
    local = datetime(year, month, day, hh, mm, ss, tzinfo=tz)
    return (local - _EPOCH) // timedelta(microseconds=1) * 1000


# ------------------------------------------------------------------------------------ us-equity


def test_ibm_day_regular_session_is_0930_to_1600_edt() -> None:
    # Arrange
    schedule = schedule_for("us-equity")

    # Act
    session = schedule.session_at(ns(2013, 10, 7, 12))

    # Assert
    assert session is not None
    assert session.day == "2013-10-07"
    assert session.open_ns == ns(2013, 10, 7, 13, 30, tz=UTC)
    assert session.close_ns == ns(2013, 10, 7, 20, 0, tz=UTC)
    assert session.pre_open_ns == ns(2013, 10, 7, 4)
    assert session.post_close_ns == ns(2013, 10, 7, 20)


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        ((2013, 10, 7, 3, 59, 59), SessionPhase.CLOSED),
        ((2013, 10, 7, 4, 0, 30), SessionPhase.PRE),
        ((2013, 10, 7, 9, 30, 0), SessionPhase.REGULAR),
        ((2013, 10, 7, 15, 59, 59), SessionPhase.REGULAR),
        ((2013, 10, 7, 16, 5, 0), SessionPhase.POST),
        ((2013, 10, 7, 20, 0, 1), SessionPhase.CLOSED),
        ((2013, 10, 5, 12, 0, 0), SessionPhase.CLOSED),  # Saturday
        ((2013, 11, 28, 12, 0, 0), SessionPhase.CLOSED),  # Thanksgiving
        ((2013, 11, 29, 13, 30, 0), SessionPhase.POST),  # after the 13:00 early close
        ((2013, 11, 29, 17, 0, 0), SessionPhase.CLOSED),  # early-close post ends at 17:00
    ],
)
def test_us_equity_phases(wall: tuple[int, ...], expected: SessionPhase) -> None:
    # Arrange
    schedule = schedule_for("us-equity")

    # Act
    phase = schedule.phase_at(ns(*wall))

    # Assert
    assert phase is expected


def test_black_friday_closes_early_at_1300() -> None:
    # Arrange
    schedule = schedule_for("us-equity")

    # Act
    session = schedule.session_at(ns(2013, 11, 29, 12))

    # Assert
    assert session is not None
    assert session.close_ns == ns(2013, 11, 29, 13)
    assert session.post_close_ns == ns(2013, 11, 29, 17)


def test_day_order_after_the_close_expires_at_next_close_unless_extended() -> None:
    # Arrange
    schedule = schedule_for("us-equity")
    accepted = ns(2013, 10, 7, 16, 5)

    # Act
    regular = schedule.day_order_expiry(accepted, extended=False)
    extended = schedule.day_order_expiry(accepted, extended=True)

    # Assert
    assert regular == ns(2013, 10, 8, 16)
    assert extended == ns(2013, 10, 7, 20)


def test_day_order_on_friday_evening_expires_monday_and_opg_targets_monday_open() -> None:
    # Arrange
    schedule = schedule_for("us-equity")
    friday_evening = ns(2013, 10, 4, 21)

    # Act
    expiry = schedule.day_order_expiry(friday_evening, extended=False)
    next_open = schedule.next_open(friday_evening)
    boundary = schedule.next_boundary(friday_evening)

    # Assert
    assert expiry == ns(2013, 10, 7, 16)
    assert next_open == ns(2013, 10, 7, 9, 30)
    assert boundary == ns(2013, 10, 7, 4)


def test_us_equity_works_in_2026_and_across_dst() -> None:
    # Arrange
    schedule = schedule_for("us-equity")

    # Act
    session = schedule.session_at(ns(2026, 3, 9, 12))  # Monday after the DST change

    # Assert
    assert session is not None
    assert session.day == "2026-03-09"
    assert session.open_ns == ns(2026, 3, 9, 13, 30, tz=UTC)
    assert schedule.phase_at(ns(2026, 3, 6, 10)) is SessionPhase.REGULAR  # Friday, EST
    assert schedule.is_tradable(ns(2026, 3, 9, 8), extended=True)
    assert not schedule.is_tradable(ns(2026, 3, 9, 8), extended=False)


# ------------------------------------------------------------------------------------ others


def test_fx_week_opens_sunday_1700_new_york() -> None:
    # Arrange
    schedule = schedule_for("fx-24x5")

    # Act
    before = schedule.phase_at(ns(2013, 10, 6, 16, 59))
    at_open = schedule.phase_at(ns(2013, 10, 6, 17, 0))

    # Assert
    assert before is SessionPhase.CLOSED
    assert at_open is SessionPhase.REGULAR
    assert schedule.session_at(ns(2013, 10, 6, 17, 0)).day == "2013-10-07"
    assert schedule.next_boundary(ns(2013, 10, 7, 12)) == ns(2013, 10, 11, 17)  # Friday close
    assert schedule.phase_at(ns(2013, 12, 25, 12)) is SessionPhase.CLOSED


@pytest.mark.parametrize(
    "wall",
    [(2013, 10, 5, 12, 0), (2013, 12, 31, 23, 59), (2014, 1, 1, 0, 0), (2026, 6, 14, 3, 0)],
)
def test_crypto_is_always_regular(wall: tuple[int, ...]) -> None:
    # Arrange
    schedule = schedule_for("crypto-24x7")

    # Act
    phase = schedule.phase_at(ns(*wall, tz=UTC))

    # Assert
    assert phase is SessionPhase.REGULAR
    assert schedule.next_boundary(ns(*wall, tz=UTC)) is None


@pytest.mark.parametrize("year", [2013, 2026])
def test_moex_main_and_evening_sessions_in_moscow_time(year: int) -> None:
    # Arrange: 2013-10-07 and 2026-10-07 are working days (Moscow was UTC+4, now UTC+3).
    schedule = schedule_for("moex")

    # Act
    phases = [
        schedule.phase_at(ns(year, 10, 7, hh, mm, tz=MOSCOW))
        for hh, mm in ((9, 55), (10, 0), (18, 45), (19, 5), (23, 50))
    ]

    # Assert
    assert phases == [
        SessionPhase.PRE,
        SessionPhase.REGULAR,
        SessionPhase.CLOSED,
        SessionPhase.POST,
        SessionPhase.CLOSED,
    ]


def test_cme_globex_session_runs_from_sunday_1800_to_monday_1700() -> None:
    # Arrange
    schedule = schedule_for("cme-globex")

    # Act
    session = schedule.session_at(ns(2013, 10, 7, 3))

    # Assert
    assert session is not None
    assert session.day == "2013-10-07"
    assert session.open_ns == ns(2013, 10, 6, 18)
    assert session.close_ns == ns(2013, 10, 7, 17)
    assert schedule.phase_at(ns(2013, 10, 7, 17, 30)) is SessionPhase.CLOSED


def test_schedules_are_cached_per_id_and_unknown_ids_raise() -> None:
    # Arrange
    known = CALENDAR_IDS

    # Act
    first, again = schedule_for("us-equity"), schedule_for("us-equity")

    # Assert
    assert first is again
    assert set(known) == {"us-equity", "fx-24x5", "crypto-24x7", "moex", "cme-globex"}
    with pytest.raises(KeyError, match="unknown calendar id 'nasdaq-moon'"):
        schedule_for("nasdaq-moon")
