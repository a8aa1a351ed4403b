"""QueueTracker (domain/book/queue.py): a resting client order fills only once the external
volume ahead of it has gone; scenario tables in the exchange-core style."""

from __future__ import annotations

import pytest

from condor.domain.book.queue import QueueTracker

# (step, call, args, expected fills or lots ahead of order 1)
SCENARIO = [
    ("joins behind 30 + 20 at 100", "join", (1, True, 100, 10, [(901, 30), (902, 20)]), 50),
    ("an order behind it adds: not ahead", "ahead", (), 50),
    ("901 executes 25: the queue moves", "execute", (901, True, 100, 25), []),
    ("still 5 + 20 ahead", "ahead", (), 25),
    ("903 (behind) executes while 25 are ahead: nothing", "execute", (903, True, 100, 4), []),
    ("902 partly cancels 15", "reduce", (902, 15), None),
    ("901 deleted", "reduce", (901, None), None),
    ("5 ahead", "ahead", (), 5),
    ("902 executes 5: the queue is empty", "execute", (902, True, 100, 5), []),
    ("903 (behind) executes 4: they go to order 1", "execute", (903, True, 100, 4), [(1, 4)]),
    (
        "a bid below executes 9: the seller went through 100",
        "execute",
        (950, True, 99, 9),
        [(1, 6)],
    ),
]


def test_queue_position_scenario():
    # Arrange
    t = QueueTracker()
    leaves = 10
    for step, call, args, want in SCENARIO:
        # Act / Assert
        if call == "join":
            t.join(*args)
            assert t.ahead(1) == want, step
        elif call == "ahead":
            assert t.ahead(1) == want, step
        elif call == "reduce":
            t.on_reduce(*args)
        else:
            fills = t.on_execute(*args)
            assert fills == want, step
            for oid, q in fills:
                leaves -= q
                t.set_leaves(oid, leaves)
    assert 1 not in t and leaves == 0  # filled: no longer tracked


def test_better_price_first_then_joining_order_and_lots_handed_out_once():
    # Arrange: three client asks; an external ask at 105 executes 7 lots
    t = QueueTracker()
    t.join(1, False, 104, 3, [])
    t.join(2, False, 103, 2, [])
    t.join(3, False, 104, 5, [])
    # Act
    fills = t.on_execute(77, False, 105, 7)
    # Assert: 103 first, then 104 in joining order, 7 lots in all
    assert fills == [(2, 2), (1, 3), (3, 2)]


def test_other_side_and_worse_levels_are_untouched():
    # Arrange
    t = QueueTracker()
    t.join(1, True, 100, 5, [])
    t.join(2, True, 98, 5, [])
    # Act: a bid at 99 executes (only order 1 is above it), then an ask executes
    bid = t.on_execute(5, True, 99, 10)
    ask = t.on_execute(6, False, 99, 10)
    # Assert
    assert bid == [(1, 5)] and ask == []


def test_leave_and_set_leaves_zero_stop_tracking_and_bad_joins_raise():
    # Arrange
    t = QueueTracker()
    t.join(1, True, 100, 5, [(9, 1)])
    t.join(2, True, 100, 5, [])
    # Act
    t.leave(1)
    t.set_leaves(2, 0)
    # Assert
    assert len(t) == 0
    with pytest.raises(ValueError):
        t.join(3, True, 100, 0, [])
    t.join(3, True, 100, 1, [])
    with pytest.raises(ValueError):
        t.join(3, True, 100, 1, [])
