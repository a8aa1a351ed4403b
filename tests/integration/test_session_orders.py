"""Orders against the real calendars (exchange_calendars + zoneinfo): DAY expiry on early-close
days, holidays, weekends and across DST, orders that wait for their session, OPG and CLS
auctions (US equities on the real IBM tape, FX 24x5, crypto 24x7). Times are exact UTC ns.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick
from condor.domain.orders.commands import AdvanceClock, SubmitOrder
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce
from condor.engine.calendars import schedule_for
from condor.engine.clock import SimClock
from condor.marketdata.csv_feed import CsvTradeReader

import builders

IBM, USDJPY, BTC = builders.IBM, builders.USDJPY, builders.BTC
NEW_YORK = ZoneInfo("America/New_York")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ns(year: int, month: int, day: int, hh: int = 0, mm: int = 0, tz=NEW_YORK) -> int:
    """UTC epoch ns of a wall-clock time in ``tz`` (New York unless told)."""
    local = datetime(year, month, day, hh, mm, tzinfo=tz)
    return (local - _EPOCH) // timedelta(microseconds=1) * 1000


def session_engine(make_engine, start_ns: int, instruments=(IBM,)):
    """Alice (cash in USD, JPY and USDT, long 1,000 IBM) on the real calendars at ``start_ns``."""
    alice = builders.account(
        "A", "alice", usd=10_000_000, jpy=10**9, usdt=10**7, positions={"IBM": (1000, "100", IBM)}
    )
    return make_engine(
        alice, instruments=instruments, schedules=schedule_for, clock=SimClock(start_ns)
    )


def order(symbol="IBM", side=Side.BUY, tif=TimeInForce.DAY, price="50", qty=10, **kw):
    inst = {"IBM": IBM, "USDJPY": USDJPY, "BTCUSDT": BTC}[symbol]
    px = None if price is None else builders.px(inst, price)
    ord_type = OrdType.MARKET if px is None else OrdType.LIMIT
    return SubmitOrder("A", symbol, side, ord_type, qty, price=px, tif=tif, **kw)


def reports(events, exec_type: ExecType):
    return [e for e in events if getattr(e, "exec_type", None) is exec_type]


# ------------------------------------------------------------------------- DAY orders, holidays


@pytest.mark.parametrize(
    "day", [(2013, 11, 29), (2013, 12, 24), (2019, 7, 3), (2024, 11, 29)], ids=str
)
def test_early_close_day_ends_day_orders_at_1300_and_day_plus_at_1700(make_engine, day):
    # Arrange: 10:00 New York on an early-close day
    e = session_engine(make_engine, ns(*day, 10))
    regular = e.handle(order())[-1].order_id
    extended = e.handle(order(extended=True))[-1].order_id

    # Act: 13:30 is post-market; then the post-market ends at 17:00
    at_1330 = e.handle(AdvanceClock(ns(*day, 13, 30)))
    refused = e.handle(order())
    post_day_plus = e.handle(order(extended=True))[-1].order_id
    at_1700 = e.handle(AdvanceClock(ns(*day, 17)))

    # Assert
    assert e.orders[regular].expire_ns == ns(*day, 13)
    assert [(r.order_id, r.ts_ns) for r in reports(at_1330, ExecType.EXPIRED)] == [
        (regular, ns(*day, 13))
    ]
    assert refused[0].reason is RejectReason.NO_DAY_ORDERS_AFTER_CLOSE
    assert [(r.order_id, r.ts_ns) for r in reports(at_1700, ExecType.EXPIRED)] == [
        (extended, ns(*day, 17)),
        (post_day_plus, ns(*day, 17)),
    ]


@pytest.mark.parametrize(
    ("sent", "next_close"),
    [
        (ns(2013, 10, 5, 12), ns(2013, 10, 7, 16)),  # Saturday -> Monday
        (ns(2013, 12, 25, 12), ns(2013, 12, 26, 16)),  # Christmas
        (ns(2019, 1, 1, 12), ns(2019, 1, 2, 16)),  # New Year's Day
        (ns(2019, 4, 19, 12), ns(2019, 4, 22, 16)),  # Good Friday -> Monday
        (ns(2013, 10, 7, 21), ns(2013, 10, 8, 16)),  # after the post-market
    ],
    ids=["saturday", "christmas", "new-year", "good-friday", "after-post"],
)
def test_order_sent_while_closed_waits_says_so_and_ends_at_the_next_close(
    make_engine, sent, next_close
):
    # Arrange
    e = session_engine(make_engine, sent)

    # Act
    new = e.handle(order())[-1]
    ended = e.handle(AdvanceClock(next_close))

    # Assert
    assert new.exec_type is ExecType.NEW
    assert new.text == "waiting for the regular session"
    assert e.orders[new.order_id].expire_ns == next_close
    assert [(r.order_id, r.ts_ns) for r in reports(ended, ExecType.EXPIRED)] == [
        (new.order_id, next_close)
    ]


def test_gtc_order_waits_over_the_dst_weekend_then_works_at_the_open(make_engine):
    # Arrange: Friday 2013-11-01 21:00 EDT; DST ends on Sunday 2013-11-03, so the next open is
    # Monday 2013-11-04 09:30 EST (14:30 UTC)
    e = session_engine(make_engine, ns(2013, 11, 1, 21))
    gtc = e.handle(order(tif=TimeInForce.GTC))[-1]
    quote = QuoteTick("IBM", ns(2013, 11, 4, 9, 29), builders.px(IBM, "49.00"),
                      builders.px(IBM, "49.50"), 100, 100)  # fmt: skip

    # Act: a pre-market quote, then the first regular instant
    before = e.on_market(quote)
    at_open = e.on_market(quote._replace(ts_ns=ns(2013, 11, 4, 9, 30)))

    # Assert
    assert gtc.text == "waiting for the regular session"
    assert before == ()
    fill = reports(at_open, ExecType.TRADE)[0]
    assert (fill.order_id, fill.ts_ns, fill.last_px) == (gtc.order_id, 1383575400000000000, 4950)


def test_day_orders_sent_before_the_dst_change_expire_on_local_wall_time(make_engine):
    # Arrange: Friday 2019-03-08 21:00 EST; clocks go forward on Sunday 2019-03-10
    e = session_engine(make_engine, ns(2019, 3, 8, 21))

    # Act
    day = e.handle(order())[-1].order_id
    day_plus = e.handle(order(extended=True))[-1].order_id

    # Assert: Monday 16:00 and 20:00 EDT (UTC-4)
    assert e.orders[day].expire_ns == 1552334400000000000  # 2019-03-11 20:00 UTC
    assert e.orders[day_plus].expire_ns == 1552348800000000000  # 2019-03-12 00:00 UTC


# ------------------------------------------------------------------------------------- GTD


def test_gtd_expiring_now_is_refused_and_one_nanosecond_later_expires_exactly(make_engine):
    # Arrange
    now = ns(2013, 10, 7, 10)
    e = session_engine(make_engine, now)

    # Act
    at_now = e.handle(order(tif=TimeInForce.GTD, expire_ns=now))
    later = e.handle(order(tif=TimeInForce.GTD, expire_ns=now + 1))[-1].order_id
    ended = e.handle(AdvanceClock(now + 1))

    # Assert
    assert at_now[0].reason is RejectReason.EXPIRE_TIME_IN_PAST
    assert [(r.order_id, r.ts_ns) for r in reports(ended, ExecType.EXPIRED)] == [(later, now + 1)]


# ------------------------------------------------------------------------------ OPG and CLS


def test_opg_and_cls_execute_at_the_first_and_last_regular_prints_of_the_real_ibm_tape(
    make_engine, shared_data
):
    # Arrange: 2013-10-07 03:00 New York, before the pre-market; the tape has no quotes
    e = session_engine(make_engine, ns(2013, 10, 7, 3))
    opg_buy = e.handle(order(tif=TimeInForce.OPG, price=None, qty=500))[-1]
    opg_sell = e.handle(order(side=Side.SELL, tif=TimeInForce.OPG, price="181.00"))[-1]
    opg_low = e.handle(order(tif=TimeInForce.OPG, price="181.00"))[-1]
    cls_sell = e.handle(order(side=Side.SELL, tif=TimeInForce.CLS, price=None, qty=300))[-1]
    tape = CsvTradeReader(shared_data / "ibm-us-equity-trades-20131007.csv", IBM)

    # Act
    events = [ev for t in tape for ev in e.on_market(t)]

    # Assert: the first regular print is 181.90 at 09:30:00.072 (the opening print is
    # smaller than the order: an auction fills whole); the last regular print before 16:00
    # is 182.00
    assert [r.text for r in (opg_buy, opg_sell, opg_low, cls_sell)] == [
        "waiting for the opening auction",
        "waiting for the opening auction",
        "waiting for the opening auction",
        "waiting for the closing auction",
    ]
    fills = [(r.order_id, r.ts_ns, r.last_qty, r.last_px) for r in reports(events, ExecType.TRADE)]
    assert fills == [
        (opg_buy.order_id, 1381152600072000000, 500, 18190),
        (opg_sell.order_id, 1381152600072000000, 10, 18190),
        (cls_sell.order_id, 1381176000000000000, 300, 18200),
    ]
    expired = reports(events, ExecType.EXPIRED)
    assert [(r.order_id, r.ts_ns, r.text) for r in expired] == [
        (opg_low.order_id, 1381152600072000000, "no auction price within limit")
    ]
    assert e.accounts["A"].positions["IBM"].qty == 1000 + 500 - 10 - 300


def test_opg_that_meets_no_price_expires_at_the_close(make_engine):
    # Arrange
    e = session_engine(make_engine, ns(2013, 10, 7, 8))
    opg = e.handle(order(tif=TimeInForce.OPG, price=None))[-1].order_id

    # Act
    ended = e.handle(AdvanceClock(ns(2013, 10, 7, 16)))

    # Assert
    assert [(r.order_id, r.ts_ns) for r in reports(ended, ExecType.EXPIRED)] == [
        (opg, ns(2013, 10, 7, 16))
    ]


@pytest.mark.parametrize(
    ("symbol", "sent", "close", "bid", "ask"),
    [
        ("USDJPY", ns(2019, 1, 2, 10), ns(2019, 1, 2, 17), "109.001", "109.005"),  # 17:00 NY
        ("BTCUSDT", ns(2024, 8, 8, 10), ns(2024, 8, 9, tz=UTC), "60000.00", "60000.10"),
    ],
    ids=["fx", "crypto"],
)
def test_cls_on_touching_sessions_executes_at_that_days_close(
    make_engine, symbol, sent, close, bid, ask
):
    # Arrange: a Wednesday (FX) / Thursday (crypto); the next session starts at the close
    inst = {"USDJPY": USDJPY, "BTCUSDT": BTC}[symbol]
    e = session_engine(make_engine, sent, instruments=(inst,))
    cls = e.handle(order(symbol, tif=TimeInForce.CLS, price=None, qty=1000))[-1]
    quote = QuoteTick(symbol, sent + 1, builders.px(inst, bid), builders.px(inst, ask))
    e.on_market(quote)

    # Act
    at_close = e.handle(AdvanceClock(close))

    # Assert
    fill = reports(at_close, ExecType.TRADE)[0]
    assert (fill.order_id, fill.ts_ns, fill.last_px) == (
        cls.order_id,
        close,
        builders.px(inst, ask),
    )
    assert e.orders[cls.order_id].status is OrdStatus.FILLED
