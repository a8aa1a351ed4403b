"""The order status transition table (spec section 1): legal rows move, missing rows raise."""

from __future__ import annotations

import pytest

from condor.domain.errors import IllegalTransition
from condor.domain.orders.enums import TERMINAL_STATUSES, OrdStatus
from condor.domain.orders.status import TRANSITIONS, Transition, is_allowed, next_status


@pytest.mark.parametrize(
    ("status", "transition", "after"), [(s, t, a) for (s, t), a in TRANSITIONS.items()]
)
def test_every_row_applies(status, transition, after):
    assert next_status(status, transition) is after


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES, key=lambda s: s.value))
@pytest.mark.parametrize("transition", list(Transition))
def test_terminal_statuses_have_no_way_out(status, transition):
    assert not is_allowed(status, transition)
    with pytest.raises(IllegalTransition):
        next_status(status, transition)


def test_happy_path_pending_new_to_filled():
    s = OrdStatus.PENDING_NEW
    for t in (Transition.ACCEPT, Transition.PARTIAL_FILL, Transition.PARTIAL_FILL, Transition.FILL):
        s = next_status(s, t)
    assert s is OrdStatus.FILLED


def test_held_cannot_fill():
    with pytest.raises(IllegalTransition):
        next_status(OrdStatus.HELD, Transition.FILL)
