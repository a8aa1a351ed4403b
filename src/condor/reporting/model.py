"""What a report is built from: the engine's events of one run and the labels of its orders.

Invariant: plain data only. Prices are int ticks and quantities int lots of ``instrument``;
times are int ns UTC; ``tags`` maps every order id that appears in ``events`` to an object with
``tag``, ``placement``, ``group_id``, ``kind`` and ``role`` (``condor.backtest.runner.OrderTag``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from condor.domain.instruments import Instrument

_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


@dataclass(frozen=True)
class ReportInput:
    """``events``: engine events (ExecutionReport, CommandRejected, TrailUpdated) in order;
    ``prices``: the touch path ``[(ts_ns, ticks)]``; ``last_price``: ticks to mark open
    positions to (None: not marked); ``tz``: zone of the local times written."""

    instrument: Instrument
    tz: ZoneInfo
    events: list
    tags: dict
    prices: list[tuple[int, int]]
    last_price: int | None


def local_time(ts_ns: int, tz: ZoneInfo) -> str:
    """ISO local time with offset, millisecond precision (e.g. ``2013-10-07T10:00:00.000-04:00``)."""
    dt = (_EPOCH + timedelta(microseconds=ts_ns // 1000)).astimezone(tz)
    return dt.isoformat(timespec="milliseconds")
