"""The runtime's per-account order index (api/order_index.py) answers exactly what a scan of
``Engine.orders`` would: newest first over several accounts, by ClOrdID the newest kept order,
orders the engine forgot (retention) left out, and it is rebuilt to the engine's size once it
files more than twice what the engine keeps."""

from __future__ import annotations

from condor.api.order_index import SLACK, OrderIndex
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce

import builders

IBM = builders.IBM
P = lambda s: builders.px(IBM, s)  # noqa: E731


def _engine(keep):
    accounts = [builders.account(a, "alice", usd=10**9) for a in ("A", "B", "C")]
    return builders.engine(*accounts, retain_terminal=keep)


def _place(e, account: str, code: str | None = None) -> int:
    cmd = SubmitOrder(account, "IBM", Side.BUY, OrdType.LIMIT, 1, price=P("90"),
                      tif=TimeInForce.GTC, cl_ord_id=code)  # fmt: skip
    return e.handle(cmd)[0].order_id


def _scan(e, accounts) -> list[int]:
    return [oid for oid in sorted(e.orders, reverse=True) if e.orders[oid].account in accounts]


def test_newest_first_over_accounts_and_by_code_agree_with_a_scan():
    # Arrange
    e, index = _engine(None), OrderIndex()
    first = _place(e, "A", "x")
    _place(e, "B")
    e.handle(CancelOrder(first))
    assert [o.order_id for o in index.newest_first(e, ["A", "B"])] == _scan(e, {"A", "B"})
    # Act: more orders after the index first caught up, one reusing the finished order's code
    again = _place(e, "A", "x")
    _place(e, "C")
    _place(e, "B")
    # Assert
    for accounts in (["A"], ["B", "A"], ["C"], ["A", "B", "C"], ["Z"]):
        got = [o.order_id for o in index.newest_first(e, accounts)]
        assert got == _scan(e, set(accounts))
    assert index.by_code(e, "A", "x").order_id == again
    assert index.by_code(e, "B", "x") is None and index.by_code(e, "A", "y") is None


def test_forgotten_orders_are_skipped_and_the_index_shrinks_with_the_engine():
    # Arrange: an engine that keeps 2 finished orders
    e, index = _engine(2), OrderIndex()
    old = _place(e, "A", "old")
    index.newest_first(e, ["A"])  # filed
    e.handle(CancelOrder(old))
    for _ in range(SLACK + 50):
        e.handle(CancelOrder(_place(e, "B")))
    live = _place(e, "A", "live")
    # Act
    got = [o.order_id for o in index.newest_first(e, ["A"])]
    # Assert: the forgotten order is gone, as from the engine; the index was rebuilt
    assert old not in e.orders
    assert got == _scan(e, {"A"}) == [live]
    assert index.by_code(e, "A", "old") is None and index.by_code(e, "A", "live").order_id == live
    assert index._size <= 2 * len(e.orders) + SLACK
