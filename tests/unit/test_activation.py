"""Activation conditions (engine/activation.py): a Held order released when its price chain
or its time holds; nothing else releases it; a refused spec changes nothing."""

from __future__ import annotations

from condor.domain.errors import RejectReason
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.activation import ActivationSpec, PriceCondition
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side, TriggerBasis
from condor.domain.orders.enums import TriggerCondition as TC
from condor.domain.orders.events import CommandRejected, ExecutionReport
from condor.store.codec import decode, encode

from builders import IBM, IBM_FINE, engine, px

SEC = 1_000_000_000


def limit(spec: ActivationSpec, price: str = "100.00") -> SubmitOrder:
    return SubmitOrder("A", "IBM", Side.BUY, OrdType.LIMIT, 10, px(IBM, price), activation=spec)


def gt(price: str, symbol: str = "IBMX", or_previous: bool = False) -> PriceCondition:
    inst = IBM_FINE if symbol == "IBMX" else IBM
    return PriceCondition(symbol, TriggerBasis.LAST, TC.MORE, px(inst, price), or_previous)


def test_held_until_another_symbols_trade_crosses_then_works():
    # Arrange
    e = engine(instruments=(IBM, IBM_FINE))
    e.handle(limit(ActivationSpec(prices=(gt("300.00"),))))
    o = e.orders[1]
    assert o.status is OrdStatus.HELD
    # Act
    e.on_market(TradeTick("IBMX", e.now + SEC, px(IBM_FINE, "300.00"), 100))
    still = o.status
    out = e.on_market(TradeTick("IBMX", e.now + SEC, px(IBM_FINE, "300.01"), 100))
    # Assert
    assert still is OrdStatus.HELD
    assert o.status is OrdStatus.NEW
    assert any(type(x) is ExecutionReport and x.order_id == 1 for x in out)
    assert not e.activations and not e._act_watch
    e.check_invariants()


def test_and_or_chain_left_to_right():
    # Arrange: (IBMX > 300 AND IBM bid > 200) OR IBMX > 400
    e = engine(instruments=(IBM, IBM_FINE))
    spec = ActivationSpec(
        prices=(
            gt("300.00"),
            PriceCondition("IBM", TriggerBasis.BID, TC.MORE, px(IBM, "200.00")),
            gt("400.00", or_previous=True),
        )
    )
    e.handle(limit(spec))
    # Act / Assert
    e.on_market(TradeTick("IBMX", e.now + SEC, px(IBM_FINE, "350.00"), 100))
    assert e.orders[1].status is OrdStatus.HELD
    e.on_market(QuoteTick("IBM", e.now + SEC, px(IBM, "210.00"), px(IBM, "210.05"), 5, 5))
    assert e.orders[1].status is not OrdStatus.HELD
    e.check_invariants()


def test_time_condition_releases_at_its_instant():
    # Arrange
    e = engine()
    at = e.now + 60 * SEC
    e.handle(limit(ActivationSpec(at_ns=at)))
    # Act
    e.on_market(TradeTick("IBM", at - 1, px(IBM, "150.00"), 100))
    before = e.orders[1].status
    e.on_market(TradeTick("IBM", at + 1, px(IBM, "150.00"), 100))
    # Assert
    assert before is OrdStatus.HELD
    assert e.orders[1].status is OrdStatus.NEW
    e.check_invariants()


def test_condition_already_true_works_at_once():
    e = engine()
    e.handle(limit(ActivationSpec(at_ns=e.now)))
    assert e.orders[1].status is OrdStatus.NEW


def test_canceled_while_held_is_never_released():
    # Arrange
    e = engine(instruments=(IBM, IBM_FINE))
    e.handle(limit(ActivationSpec(prices=(gt("300.00"),))))
    e.handle(CancelOrder(1, "A"))
    # Act
    e.on_market(TradeTick("IBMX", e.now + SEC, px(IBM_FINE, "301.00"), 100))
    # Assert
    assert e.orders[1].status is OrdStatus.CANCELED
    assert not e.activations
    e.check_invariants()


def test_bad_spec_refused_and_nothing_created():
    # Arrange
    e = engine()
    bad = ActivationSpec(prices=(gt("300.00", symbol="NOPE"),))
    # Act
    out = e.handle(limit(bad))
    five = e.handle(limit(ActivationSpec(prices=tuple(gt("1.00", "IBM") for _ in range(5)))))
    # Assert
    assert [type(x) for x in out] == [CommandRejected]
    assert out[0].reason is RejectReason.UNKNOWN_INSTRUMENT and out[0].field == "activation"
    assert five[0].reason is RejectReason.INVALID_FIELD
    assert not e.live and not e.activations


def test_journal_codec_round_trips_the_spec():
    cmd = limit(ActivationSpec(at_ns=5, prices=(gt("300.00"), gt("1.00", "IBM", True))))
    assert decode(encode(cmd)) == cmd
    assert repr(decode(encode(cmd))) == repr(cmd)
