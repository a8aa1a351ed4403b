"""Per-instrument venue state the engine works on.

Invariant: every working, non-Held order of the instrument is in exactly one of: the book
(resting limit, visible > 0), the trigger index (pending stop), ``pending_markets`` (a market
order waiting for liquidity), or ``parked`` (waiting for its session to open, or an OPG/CLS
order for its auction). ``opening`` holds the parked OPG orders whose open has come and that
wait for the session's first price (``engine/sessions.py``); entries of orders that have ended
since are dropped when next looked at.
"""

from __future__ import annotations

from condor.domain.book.book import OrderBook
from condor.domain.book.external import Depth, ExternalMarket, FillModel
from condor.domain.book.triggers import TriggerIndex
from condor.domain.instruments import Instrument
from condor.domain.sessions import SessionPhase, SessionSchedule


class Venue:
    """Book, triggers and external market of one instrument, plus its session schedule."""

    __slots__ = (
        "book",
        "ext",
        "fill_model",
        "inst",
        "l2",
        "l2_top",
        "opening",
        "parked",
        "pending_markets",
        "phase",
        "schedule",
        "triggers",
    )

    def __init__(
        self, inst: Instrument, schedule: SessionSchedule | None, fill_model: FillModel
    ) -> None:
        self.inst = inst
        self.book = OrderBook()
        self.triggers = TriggerIndex()
        self.ext = ExternalMarket()
        self.pending_markets: list = []
        self.parked: dict[int, object] = {}
        self.opening: dict[int, object] = {}
        self.schedule = schedule
        self.phase = SessionPhase.REGULAR if schedule is None else SessionPhase.CLOSED
        self.fill_model = fill_model
        self.l2 = Depth()
        self.l2_top: tuple = (None, None, None, None)

    def check_invariants(self) -> None:
        self.book.check_invariants()
        self.triggers.check_invariants()
