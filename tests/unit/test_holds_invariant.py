"""``Engine.check_invariants`` reconciles two-phase holds (issue 2, accounts): an account's held
cash is the sum of its live orders' cash holds, its held lots the sum of their position holds,
and an ended order holds nothing. A hold changed behind the engine's back is caught."""

from __future__ import annotations

import pytest

from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdStatus, OrdType, Side

from builders import IBM, account, engine, px


def submit(e, acct: str, side: Side, qty: int, price: str) -> int:
    evs = e.handle(SubmitOrder(account=acct, symbol="IBM", side=side, ord_type=OrdType.LIMIT,
                               qty=qty, price=px(IBM, price)))  # fmt: skip
    assert evs[0].ord_status is OrdStatus.NEW, evs
    return evs[0].order_id


def test_holds_of_live_orders_reconcile_through_a_life():
    # Arrange: A buys (cash hold), B sells part of a long position (position hold)
    e = engine(account("A", "alice"), account("B", "bob", positions={"IBM": (100, "100", IBM)}))
    buy = submit(e, "A", Side.BUY, 10, "99.00")
    sell = submit(e, "B", Side.SELL, 30, "101.00")
    e.check_invariants()
    assert e.accounts["A"].held_cash["USD"] > 0
    assert e.accounts["B"].positions["IBM"].held_long == 30
    # Act: cancel both
    e.handle(CancelOrder(order_id=buy, account="A"))
    e.handle(CancelOrder(order_id=sell, account="B"))
    # Assert: nothing held, still consistent
    e.check_invariants()
    assert e.accounts["A"].held_cash.get("USD", 0) == 0
    assert e.accounts["B"].positions["IBM"].held_long == 0


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda e, b, s: e.accounts["A"].held_cash.__setitem__("USD", 1), "A held USD"),
        (lambda e, b, s: setattr(e.orders[b], "hold_cash", 5), "A held USD"),
        (lambda e, b, s: setattr(e.accounts["B"].positions["IBM"], "held_long", 29), "B IBM"),
        (lambda e, b, s: setattr(e.orders[s], "hold_pos", 31), "B IBM"),
    ],
)
def test_a_hold_changed_behind_the_engine_is_caught(tamper, message):
    # Arrange
    e = engine(account("A", "alice"), account("B", "bob", positions={"IBM": (100, "100", IBM)}))
    buy = submit(e, "A", Side.BUY, 10, "99.00")
    sell = submit(e, "B", Side.SELL, 30, "101.00")
    # Act
    tamper(e, buy, sell)
    # Assert
    with pytest.raises(AssertionError, match=message):
        e.check_invariants()


def test_an_ended_order_that_still_holds_is_caught():
    # Arrange: a canceled buy
    e = engine(account("A", "alice"))
    buy = submit(e, "A", Side.BUY, 10, "99.00")
    e.handle(CancelOrder(order_id=buy, account="A"))
    # Act
    e.orders[buy].hold_cash = 1
    # Assert
    with pytest.raises(AssertionError, match=f"ended order {buy} still holds"):
        e.check_invariants()
