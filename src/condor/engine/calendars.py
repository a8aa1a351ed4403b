"""Session schedules for the calendars instruments name (``Instrument.calendar``).

Invariant: every schedule is a ``condor.domain.sessions.SessionSchedule`` fed by a per-year
loader, so a year's sessions are built only when a timestamp needs them (a 2013 replay and a
2026 live run both work in one process). All bounds are UTC epoch ns; local wall-clock times are
converted with the stdlib ``zoneinfo`` database, so DST is honoured. Holidays and early closes
come from ``exchange_calendars``, built over whole decades (``start=``/``end=`` passed
explicitly, never the library's rolling default bounds) and cached. This module does no file or
network I/O of its own. Source: contingency spec §4.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pandas as pd

from condor.domain.sessions import SessionSchedule, TradingSession

__all__ = ["CALENDAR_IDS", "schedule_for"]

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
_ONE_US = timedelta(microseconds=1)
_NEW_YORK = "America/New_York"
_MOSCOW = "Europe/Moscow"


def _local_ns(day: date, hh: int, mm: int, tz: str) -> int:
    """UTC epoch ns of wall-clock ``hh:mm`` on ``day`` in ``tz`` (exact, no float)."""
    local = datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(tz))
    return (local - _UTC_EPOCH) // _ONE_US * 1000


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    count = (date(year + 1, 1, 1) - first).days
    return [first + timedelta(days=i) for i in range(count)]


@cache
def _decade_schedule(name: str, decade: int) -> pd.DataFrame:
    """exchange_calendars schedule (index: session date, columns open/close UTC) of a decade."""
    with warnings.catch_warnings():
        # exchange_calendars 4.13 trips a pandas deprecation inside its own constructor.
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = xcals.get_calendar(name, start=f"{decade}-01-01", end=f"{decade + 9}-12-31")
    return cal.schedule


def _xc_sessions(name: str, year: int) -> list[tuple[date, int, int]]:
    """``(day, open_ns, close_ns)`` of calendar ``name`` for sessions whose day is in ``year``."""
    sched = _decade_schedule(name, year // 10 * 10)
    rows = sched.loc[f"{year}-01-01" : f"{year}-12-31"]
    return [
        (label.date(), int(o.value), int(c.value))
        for label, o, c in zip(rows.index, rows["open"], rows["close"], strict=True)
    ]


def _weekday_dates(year: int) -> list[date]:
    return [d for d in _days(year) if d.weekday() < 5]


@cache
def _first_available(*names: str) -> str | None:
    available = set(xcals.get_calendar_names())
    return next((n for n in names if n in available), None)


# ------------------------------------------------------------------------------------ loaders


def _us_equity(year: int) -> list[TradingSession]:
    """XNYS regular sessions; pre 04:00-09:30, post 16:00-20:00 New York (to 17:00 after an
    early close)."""
    out = []
    for day, open_ns, close_ns in _xc_sessions("XNYS", year):
        early = close_ns < _local_ns(day, 16, 0, _NEW_YORK)
        post_end = _local_ns(day, 17 if early else 20, 0, _NEW_YORK)
        out.append(
            TradingSession(
                day=day.isoformat(),
                open_ns=open_ns,
                close_ns=close_ns,
                pre_open_ns=min(_local_ns(day, 4, 0, _NEW_YORK), open_ns),
                post_close_ns=max(post_end, close_ns),
            )
        )
    return out


def _fx_24x5(year: int) -> list[TradingSession]:
    """Monday..Friday, 17:00 New York of the previous calendar day to 17:00 of the day; no
    session on 25 Dec and 1 Jan."""
    out = []
    for day in _weekday_dates(year):
        if (day.month, day.day) in ((12, 25), (1, 1)):
            continue
        out.append(
            TradingSession(
                day=day.isoformat(),
                open_ns=_local_ns(day - timedelta(days=1), 17, 0, _NEW_YORK),
                close_ns=_local_ns(day, 17, 0, _NEW_YORK),
                pre_open_ns=None,
                post_close_ns=None,
            )
        )
    return out


def _crypto_24x7(year: int) -> list[TradingSession]:
    """One session per UTC calendar day, 00:00 to 24:00."""
    return [
        TradingSession(
            day=day.isoformat(),
            open_ns=_local_ns(day, 0, 0, "UTC"),
            close_ns=_local_ns(day + timedelta(days=1), 0, 0, "UTC"),
            pre_open_ns=None,
            post_close_ns=None,
        )
        for day in _days(year)
    ]


def _moex(year: int) -> list[TradingSession]:
    """XMOS session days (weekdays if absent); pre 09:50, main 10:00-18:40 Moscow (REGULAR),
    evening 19:05-23:50 (POST; 18:40-19:05 is CLOSED)."""
    name = _first_available("XMOS")
    days = [d for d, _, _ in _xc_sessions(name, year)] if name else _weekday_dates(year)
    return [
        TradingSession(
            day=day.isoformat(),
            open_ns=_local_ns(day, 10, 0, _MOSCOW),
            close_ns=_local_ns(day, 18, 40, _MOSCOW),
            pre_open_ns=_local_ns(day, 9, 50, _MOSCOW),
            post_close_ns=_local_ns(day, 23, 50, _MOSCOW),
            post_open_ns=_local_ns(day, 19, 5, _MOSCOW),
        )
        for day in days
    ]


def _cme_globex(year: int) -> list[TradingSession]:
    """CMES session days (us_futures, then weekdays, if absent); equity-index hours: 18:00 New
    York on the evening before the day to 17:00 on the day, or the calendar's earlier close."""
    name = _first_available("CMES", "us_futures")
    if name:
        rows = [(d, c) for d, _, c in _xc_sessions(name, year)]
    else:
        rows = [(d, None) for d in _weekday_dates(year)]
    out = []
    for day, xc_close in rows:
        close_ns = _local_ns(day, 17, 0, _NEW_YORK)
        if xc_close is not None:
            close_ns = min(close_ns, xc_close)
        out.append(
            TradingSession(
                day=day.isoformat(),
                open_ns=_local_ns(day - timedelta(days=1), 18, 0, _NEW_YORK),
                close_ns=close_ns,
                pre_open_ns=None,
                post_close_ns=None,
            )
        )
    return out


_LOADERS: dict[str, Callable[[int], list[TradingSession]]] = {
    "us-equity": _us_equity,
    "fx-24x5": _fx_24x5,
    "crypto-24x7": _crypto_24x7,
    "moex": _moex,
    "cme-globex": _cme_globex,
}

CALENDAR_IDS: tuple[str, ...] = tuple(_LOADERS)
"""The calendar ids ``schedule_for`` accepts."""


@cache
def schedule_for(calendar_id: str) -> SessionSchedule:
    """The lazily loaded schedule of ``calendar_id`` (one shared instance per id).

    Ids: ``us-equity`` (XNYS + pre/post), ``fx-24x5``, ``crypto-24x7``, ``moex`` (XMOS),
    ``cme-globex`` (CMES). Raises KeyError naming the known ids for any other id.
    """
    try:
        loader = _LOADERS[calendar_id]
    except KeyError:
        raise KeyError(
            f"unknown calendar id {calendar_id!r}; known ids: {', '.join(CALENDAR_IDS)}"
        ) from None
    return SessionSchedule(loader=loader)
