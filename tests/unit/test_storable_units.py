"""Orders carry only what the journal stores exactly (domain.values.MAX_UNITS, CL_ORD_ID_MAX):
a price, a quantity or an order value past 64-bit ticks and lots, or a ClOrdID with a control
character or over 128 characters, is refused at admission with its field, from every command
that can carry one, and changes nothing."""

from __future__ import annotations

import pytest

from condor.domain.market import QuoteTick
from condor.domain.orders.commands import ModifyOrder, SubmitBlockTrade, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce
from condor.domain.orders.events import CommandRejected
from condor.domain.values import MAX_UNITS

import builders

IBM = builders.IBM
T0 = 1_700_000_000_000_000_000


def _refused(events) -> tuple[str, str]:
    assert len(events) == 1 and isinstance(events[0], CommandRejected), events
    return events[0].field, events[0].text


def _sell(qty: int, price: int | None, **kw) -> SubmitOrder:
    ot = OrdType.LIMIT if price is not None else OrdType.MARKET
    return SubmitOrder("A", "IBM", Side.SELL, ot, qty, price=price, tif=TimeInForce.GTC, **kw)


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (_sell(1, MAX_UNITS + 1), "price"),
        (_sell(MAX_UNITS + 1, 1), "quantity"),
        (_sell(2, MAX_UNITS // 2 + 1), "quantity"),  # the order's value: 2 x price
        (_sell(1, 10_000, cl_ord_id="a\x00b"), "cl_ord_id"),
        (_sell(1, 10_000, cl_ord_id="x" * 129), "cl_ord_id"),
    ],
)
def test_a_value_past_the_journals_integers_is_refused_with_its_field(make_engine, cmd, field):
    # Arrange
    e = make_engine(builders.account("A", positions={"IBM": (MAX_UNITS, "1", IBM)}))
    # Act / Assert
    assert _refused(e.handle(cmd))[0] == field
    assert not e.live


def test_the_longest_printable_cl_ord_id_is_accepted(make_engine):
    e = make_engine(builders.account("A", positions={"IBM": (10, "1", IBM)}))
    e.handle(_sell(1, 10_000, cl_ord_id="é" * 128))
    assert len(e.live) == 1


def test_a_market_order_is_valued_at_the_feeds_price(make_engine):
    # Arrange: the feed quotes 100.00 / 100.01
    e = make_engine(builders.account("A", positions={"IBM": (MAX_UNITS, "1", IBM)}))
    e.on_quote(QuoteTick("IBM", T0, 10_000, 10_001, 1, 1))
    # Act: a market sell whose quantity x 100.01 would pass 64 bits
    field, text = _refused(e.handle(_sell(MAX_UNITS // 10_001 + 1, None)))
    # Assert
    assert field == "quantity" and "order value too large" in text


def test_a_modify_and_a_block_trade_past_64_bits_are_refused(make_engine):
    # Arrange: a resting sell of 1 @ 100.00
    e = make_engine(
        builders.account("A", positions={"IBM": (MAX_UNITS, "1", IBM)}),
        builders.account("B"),
    )
    oid = e.handle(_sell(1, 10_000))[0].order_id
    # Act / Assert: raising the quantity so that its value passes 64 bits changes nothing
    assert _refused(e.handle(ModifyOrder(oid, qty=MAX_UNITS // 10_000 + 1, account="A")))[0] == (
        "quantity"
    )
    assert (e.orders[oid].qty, e.orders[oid].price) == (1, 10_000)
    block = SubmitBlockTrade("B", "A", "IBM", 2, MAX_UNITS // 2 + 1)
    assert _refused(e.handle(block))[0] == "quantity"
