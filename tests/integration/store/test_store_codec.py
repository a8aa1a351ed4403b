"""Codec round trips: every input and event of the scenario (nested causes included) and
hand-built values of every registered type survive encode/decode exactly."""

from __future__ import annotations

import pytest

from condor.domain.groups.commands import CreateGroup, DeleteGroup, EditGroup, MemberSpec
from condor.domain.groups.model import Rule, RuleAction, RuleEvent
from condor.domain.groups.templates import GroupKind
from condor.domain.market import Aggressor, BookSide, L2Delta, L2Snapshot, TradeTick
from condor.domain.orders.commands import ReplaceOrder, SubmitBlockTrade, SubmitOrder, TrailSpec
from condor.domain.orders.enums import (
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.store import codec

from store_fixtures import build_engine, run, scenario


def test_scenario_inputs_and_events_round_trip():
    # Arrange
    inputs = scenario()
    events = run(build_engine(), inputs)
    # Act / Assert
    for x in [*inputs, *events]:
        back = codec.decode(codec.encode(x))
        assert back == x and repr(back) == repr(x)


def test_event_payload_is_the_encoding_without_cause():
    # Arrange: events with every kind of cause (command, market, rule, timer)
    events = run(build_engine(), scenario())
    assert len({e.cause.kind for e in events if e.cause is not None}) >= 3
    # Act / Assert: the stored payload is exactly the event with cause=None, encoded
    for ev in events:
        text = codec.encode_without_cause(ev)
        assert text == codec.encode(ev._replace(cause=None))
        assert codec.decode(text) == ev._replace(cause=None)


@pytest.mark.parametrize(
    "value",
    [
        SubmitOrder(
            "A",
            "IBM",
            Side.SELL_SHORT,
            OrdType.TRAILING_STOP_LIMIT,
            7,
            price=None,
            stop_price=123,
            tif=TimeInForce.GTD,
            expire_ns=2**62,
            extended=True,
            display_qty=3,
            cl_ord_id="c-1",
            trail=TrailSpec(TrailKind.PERCENT, 5000, 10, 2),
            basis=TriggerBasis.MID,
            condition=TriggerCondition.MORE,
            activate=False,
            position_effect=PositionEffect.CLOSE,
            owner="u",
            text="é ünïcode",
        ),
        ReplaceOrder(5, qty=3, activate=True),
        SubmitBlockTrade("A", "B", "IBM", 10, 10000),
        CreateGroup(
            GroupKind.CUSTOM,
            (
                MemberSpec(order_id=1, role="x"),
                MemberSpec(SubmitOrder("A", "IBM", Side.BUY, OrdType.MARKET, 1)),
            ),
            rules=(Rule(RuleEvent.FILL, RuleAction.REDUCE, (0,), None, "r", True, None, True),),
            validators=("same_account",),
            group_id="g-1",
        ),
        EditGroup("g-1", members=(), kind=GroupKind.OCO),
        DeleteGroup("g-1", owner="o"),
        TradeTick("IBM", 1, 2, 3, None, Aggressor.SELLER),
        L2Snapshot("IBM", 1, ((10, 1), (9, 2)), ()),
        L2Delta("IBM", 1, BookSide.ASK, 11, 0),
        TradeTick("IBM", 2**70, 1, 1),  # beyond 64 bits: exact through the slow path
    ],
)
def test_values_round_trip(value):
    back = codec.decode(codec.encode(value))
    assert back == value and repr(back) == repr(value)


def test_unknown_type_is_refused():
    with pytest.raises(codec.CodecError):
        codec.encode(1.5)
    with pytest.raises(codec.CodecError):
        codec.decode('{"@": "DropTables"}')


@pytest.mark.parametrize(
    "doc", [{"b": 1, "a": [None, True]}, {"text": "Übergabe €"}, {"cash": 10**25, "z": {"y": 1}}]
)
def test_state_json_is_sorted_compact_ascii(doc):
    import json

    from condor.store.rows import _json

    assert _json(doc) == json.dumps(doc, sort_keys=True, separators=(",", ":"))
