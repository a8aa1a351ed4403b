"""L3Book behaviour: FIFO queues, priority rules, errors, and a model-based state machine."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from condor.domain.market import BookSide
from condor.marketdata.errors import BookError, DuplicateOrderError, UnknownOrderError
from condor.marketdata.l3book import L3Book

BID, ASK = BookSide.BID, BookSide.ASK


def book_with(*orders: tuple[int, BookSide, int, int]) -> L3Book:
    book = L3Book()
    for oid, side, price, size in orders:
        book.add(oid, side, price, size)
    return book


def test_fifo_queue_and_queue_ahead() -> None:
    # Arrange
    book = book_with((1, BID, 100, 5), (2, BID, 100, 3), (3, BID, 100, 7), (4, BID, 99, 1))

    # Act
    ahead = [book.queue_ahead(BID, 100, oid) for oid in (1, 2, 3)]

    # Assert
    assert ahead == [0, 5, 8]
    assert book.orders_at(BID, 100) == ((1, 5), (2, 3), (3, 7))
    assert book.best_bid() == (100, 15) and book.best_ask() is None
    book.validate()


@pytest.mark.parametrize(
    ("new_price", "new_size", "kept", "queue"),
    [
        (100, 2, True, ((1, 5), (2, 2), (3, 7))),  # size down: keeps its place
        (100, 3, True, ((1, 5), (2, 3), (3, 7))),  # no change
        (100, 4, False, ((1, 5), (3, 7), (2, 4))),  # size up: to the back
        (101, 3, False, ((1, 5), (3, 7))),  # price change: leaves the level
    ],
)
def test_modify_priority_rules(new_price: int, new_size: int, kept: bool, queue: tuple) -> None:
    # Arrange
    book = book_with((1, BID, 100, 5), (2, BID, 100, 3), (3, BID, 100, 7))

    # Act
    result = book.modify(2, new_price, new_size)

    # Assert
    assert result is kept
    assert book.orders_at(BID, 100) == queue
    book.validate()


def test_partial_cancel_and_execute_keep_priority() -> None:
    # Arrange
    book = book_with((1, ASK, 200, 5), (2, ASK, 200, 3))

    # Act
    left_cancel = book.cancel(1, 2)
    side, price, left_exec = book.execute(1, 1)

    # Assert
    assert (left_cancel, side, price, left_exec) == (3, ASK, 200, 2)
    assert book.orders_at(ASK, 200) == ((1, 2), (2, 3))
    assert book.queue_ahead(ASK, 200, 2) == 2
    book.validate()


def test_full_removal_deletes_empty_level() -> None:
    # Arrange
    book = book_with((1, ASK, 200, 5), (2, ASK, 201, 3))

    # Act
    book.cancel(1)

    # Assert
    assert book.best_ask() == (201, 3) and book.depth(ASK, 5) == ((201, 3),)
    assert 1 not in book and len(book) == 1
    book.validate()


def test_errors() -> None:
    # Arrange
    book = book_with((1, BID, 100, 5))

    # Act / Assert
    with pytest.raises(UnknownOrderError):
        book.cancel(9)
    with pytest.raises(DuplicateOrderError):
        book.add(1, BID, 100, 1)
    with pytest.raises(BookError):
        book.cancel(1, 6)
    with pytest.raises(BookError):
        book.add(2, BID, 100, 0)
    with pytest.raises(UnknownOrderError):
        book.queue_ahead(BID, 101, 1)


def test_depth_and_checksum_format() -> None:
    # Arrange
    book = book_with((1, BID, 100, 5), (2, BID, 98, 1), (3, ASK, 103, 2), (4, ASK, 101, 4))

    # Act
    bids, asks = book.depth(BID, 5), book.depth(ASK, 1)

    # Assert
    assert bids == ((100, 5), (98, 1)) and asks == ((101, 4),)
    expected = zlib.crc32(repr((((100, 5),), ((101, 4),))).encode("ascii"))
    assert book.checksum(1) == expected


class BookMachine(RuleBasedStateMachine):
    """Random adds, cancels, modifies and executions against a tiny priority-stamp model."""

    def __init__(self) -> None:
        super().__init__()
        self.book = L3Book()
        self.model: dict[int, list] = {}  # id -> [side, price, size, stamp]
        self.next_id = 1
        self.stamp = 0

    def _stamp(self) -> int:
        self.stamp += 1
        return self.stamp

    @rule(side=st.sampled_from([BID, ASK]), price=st.integers(95, 105), size=st.integers(1, 9))
    def add(self, side: BookSide, price: int, size: int) -> None:
        self.book.add(self.next_id, side, price, size)
        self.model[self.next_id] = [side, price, size, self._stamp()]
        self.next_id += 1

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(sorted(self.model)))
        size = data.draw(st.integers(1, self.model[oid][2]))
        left = self.book.cancel(oid, size)
        self.model[oid][2] -= size
        assert left == self.model[oid][2]
        if not left:
            del self.model[oid]

    @precondition(lambda self: self.model)
    @rule(data=st.data(), price=st.integers(95, 105), size=st.integers(1, 9))
    def modify(self, data: st.DataObject, price: int, size: int) -> None:
        oid = data.draw(st.sampled_from(sorted(self.model)))
        m = self.model[oid]
        kept = self.book.modify(oid, price, size)
        assert kept == (price == m[1] and size <= m[2])
        if not kept:
            m[3] = self._stamp()
        m[1], m[2] = price, size

    @invariant()
    def matches_model(self) -> None:
        self.book.validate()
        for side in (BID, ASK):
            levels: dict[int, list] = {}
            for oid, (s, p, z, stamp) in self.model.items():
                if s is side:
                    levels.setdefault(p, []).append((stamp, oid, z))
            prices = sorted(levels, reverse=side is BID)
            assert self.book.depth(side, 20) == tuple(
                (p, sum(z for _, _, z in levels[p])) for p in prices
            )
            for p in prices:
                queue = tuple((oid, z) for _, oid, z in sorted(levels[p]))
                assert self.book.orders_at(side, p) == queue
                ahead = 0
                for oid, z in queue:
                    assert self.book.queue_ahead(side, p, oid) == ahead
                    ahead += z


TestBookMachine = BookMachine.TestCase
TestBookMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
