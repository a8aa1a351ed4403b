"""A strict Alor comparison (More, Less) on the Mid basis fires at the first half-tick mid past
the stop: the mid is compared doubled (bid + ask), so "More 100.00" holds at a mid of 100.005
(spec section 1, "Triggers"; ``condor.domain.book.triggers``)."""

from __future__ import annotations

import pytest

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import SubmitOrder
from condor.domain.orders.enums import (
    ExecType,
    OrdType,
    Side,
    TimeInForce,
    TriggerBasis,
    TriggerCondition,
)

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _px(s: str) -> int:
    return builders.px(IBM, s)


def _engine(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (100, "90", IBM)}))
    e.on_quote(QuoteTick("IBM", T0, _px("99.00"), _px("99.02")))  # mid 99.01
    return e


def _mid_stop(e, side: Side, stop: str, condition: TriggerCondition) -> int:
    return e.handle(
        SubmitOrder("A", "IBM", side, OrdType.STOP_MARKET, 1, stop_price=_px(stop),
                    tif=TimeInForce.GTC, basis=TriggerBasis.MID, condition=condition)
    )[0].order_id  # fmt: skip


@pytest.mark.parametrize(
    ("side", "stop", "condition", "at", "past"),
    [
        # More 100.00: a mid of exactly 100.00 does not hold, 100.005 does
        (Side.BUY, "100.00", TriggerCondition.MORE, ("99.99", "100.01"), ("100.00", "100.01")),
        # Less 98.00: a mid of exactly 98.00 does not hold, 97.995 does
        (Side.SELL, "98.00", TriggerCondition.LESS, ("97.99", "98.01"), ("97.99", "98.00")),
    ],
)
def test_a_strict_mid_stop_fires_at_the_first_half_tick_past_it(
    make_engine, side, stop, condition, at, past
):
    e = _engine(make_engine)
    oid = _mid_stop(e, side, stop, condition)
    # Act: the mid reaches the stop exactly, then moves half a tick past it
    at_stop = e.on_quote(QuoteTick("IBM", T0 + 1, _px(at[0]), _px(at[1])))
    half_past = e.on_quote(QuoteTick("IBM", T0 + 2, _px(past[0]), _px(past[1])))
    # Assert
    assert not [ev for ev in at_stop if ev.order_id == oid]
    assert [ev.exec_type for ev in half_past if ev.order_id == oid][:1] == [ExecType.TRIGGERED]


def test_a_strict_mid_stop_already_half_a_tick_past_fires_on_arrival(make_engine):
    # Arrange: mid 100.005
    e = _engine(make_engine)
    e.on_quote(QuoteTick("IBM", T0 + 1, _px("100.00"), _px("100.01")))
    # Act
    oid = _mid_stop(e, Side.BUY, "100.00", TriggerCondition.MORE)
    # Assert
    assert e.orders[oid].triggered and e.orders[oid].cum_qty == 1


def test_a_non_strict_mid_stop_fires_at_its_price(make_engine):
    e = _engine(make_engine)
    oid = _mid_stop(e, Side.BUY, "100.00", TriggerCondition.MORE_OR_EQUAL)
    e.on_quote(QuoteTick("IBM", T0 + 1, _px("99.99"), _px("100.01")))  # mid 100.00
    assert e.orders[oid].triggered
