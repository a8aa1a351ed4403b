"""Events: immutable, past tense, each with a global sequence number and a cause.

Invariant: ``seq`` increases by one per event across the whole engine; ``ts_ns`` is the engine
clock (integer ns UTC) when the event happened; ``cause`` says what produced it: the user
command, the market-data event, the session/timer, or the group rule together with the event
that fired it (so ``explain`` can walk the chain back to its root: spec section 3).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple

from condor.domain.errors import RejectReason
from condor.domain.orders.enums import (
    ExecType,
    OrdStatus,
    OrdType,
    Side,
    TimeInForce,
    TriggerBasis,
)


class CauseKind(str, Enum):
    COMMAND = "command"
    MARKET = "market"
    RULE = "rule"
    TIMER = "timer"


class Cause(NamedTuple):
    """What produced an event.

    COMMAND: ``command_id`` (engine-assigned id of the user command).
    MARKET: ``market`` (the QuoteTick/TradeTick), ``basis`` (which price crossed, for stops).
    TIMER: ``timer`` ("session_close", "expire_time", "session_<phase>" on a phase change,
    "closing_auction" for a CLS order's auction).
    RULE: ``group_id``, ``rule`` (template or rule name), ``trigger`` (the event that fired it),
    ``command_id`` of the root command where the chain started from one.
    """

    kind: CauseKind
    command_id: int | None = None
    market: Any = None
    basis: TriggerBasis | None = None
    trigger: Any = None
    group_id: str | None = None
    rule: str | None = None
    timer: str | None = None

    def shallow(self) -> dict:
        """A flat, JSON-ready description (the trigger by its ``seq`` only)."""
        d: dict = {"kind": self.kind.value}
        if self.command_id is not None:
            d["command_id"] = self.command_id
        if self.market is not None:
            m = self.market
            d["market"] = {"type": type(m).__name__, **m._asdict()}
            if "aggressor" in d["market"]:
                d["market"]["aggressor"] = m.aggressor.value
        if self.basis is not None:
            d["basis"] = self.basis.value
        if self.trigger is not None:
            d["trigger_seq"] = self.trigger.seq
        if self.group_id is not None:
            d["group_id"] = self.group_id
            d["rule"] = self.rule
        if self.timer is not None:
            d["timer"] = self.timer
        return d


class ExecutionReport(NamedTuple):
    """FIX 35=8. One change of one order: acceptance, fill, cancel, trigger, amend...

    Units: quantities lots, prices ticks (None when absent), ``cum_cost`` ticks x lots (AvgPx
    = cum_cost / cum_qty), ``last_*`` the fill of this report (0/None when not a fill).
    ``liquidity``: "maker" / "taker" against another client order, "external" against the
    feed's liquidity. ``water``: a trailing stop's water mark (ticks) after this event.
    ``orig_order_id``: the order this one replaced (cancel/replace with a new id).
    """

    seq: int
    ts_ns: int
    exec_type: ExecType
    order_id: int
    cl_ord_id: str | None
    account: str
    symbol: str
    side: Side
    ord_type: OrdType
    tif: TimeInForce
    ord_status: OrdStatus
    order_qty: int
    price: int | None
    stop_price: int | None
    cum_qty: int
    leaves_qty: int
    cum_cost: int
    last_qty: int = 0
    last_px: int | None = None
    trade_id: int | None = None
    liquidity: str | None = None
    reason: RejectReason | None = None
    text: str | None = None
    water: int | None = None
    orig_order_id: int | None = None
    cause: Cause | None = None


class TrailUpdated(NamedTuple):
    """A trailing stop's water mark and stop price moved (ticks); the order stays working."""

    seq: int
    ts_ns: int
    order_id: int
    account: str
    symbol: str
    water: int
    stop_price: int
    cause: Cause | None = None


class CommandRejected(NamedTuple):
    """A command was refused before it changed anything: reason, field at fault and text.

    ``order_id``/``cl_ord_id`` name the target where the command had one (cancel, modify).
    """

    seq: int
    ts_ns: int
    command: str
    reason: RejectReason
    field: str | None
    text: str
    account: str | None = None
    order_id: int | None = None
    cl_ord_id: str | None = None
    cause: Cause | None = None


Event = ExecutionReport | TrailUpdated | CommandRejected
