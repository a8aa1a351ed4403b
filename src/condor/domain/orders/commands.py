"""Commands: imperative requests to the engine, already in engine units.

Invariant: prices are int ticks (None when absent), quantities int lots, times int ns UTC.
Decimal-to-ticks conversion, with field names in errors, happens at the edge in
``condor.domain.orders.requests``. The engine validates everything else (positivity, grids
of trailing offsets, session rules, accounts) and answers a bad command with a
``CommandRejected`` event, changing nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from condor.domain.orders.activation import ActivationSpec
from condor.domain.orders.enums import (
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)


class TrailSpec(NamedTuple):
    """Trailing stop parameters: ``offset`` in ticks (AMOUNT, TICKS) or parts per million
    (PERCENT); ``activation`` price in ticks; ``limit_offset`` ticks for TrailingStopLimit."""

    kind: TrailKind
    offset: int
    activation: int | None = None
    limit_offset: int | None = None


class SubmitOrder(NamedTuple):
    """Place a new order (FIX 35=D).

    ``qty`` lots (0 is allowed only for a Held position-attached child that a group sizes on
    release); ``price`` limit ticks; ``stop_price`` trigger ticks; ``expire_ns`` for GTD;
    ``activate=False`` creates it Held (inactive stop, Alor ``activate: false``);
    ``condition`` an explicit trigger comparison (Alor); ``basis`` the trigger price (Last,
    Bid, Ask, Mid); ``owner`` the user placing it. ``price_offset`` (signed ticks, Held orders
    only) links the order's price to the fill of the group member that releases it: on
    release its stop price (stop orders) or limit price (limit orders) becomes that member's
    average fill price, rounded to the nearest tick, plus the offset, and the price may be
    omitted at submission (Sway ``priceOffset``/``priceLink`` protection orders, seed 002).
    ``activation`` holds the order Held until its time/price conditions hold, then releases
    it (TradeStation activation rules; ``condor.domain.orders.activation``). ``post_only``
    (Limit orders, not IOC/FOK): the order only adds liquidity; one that would execute on
    arrival is canceled instead (reason POST_ONLY_WOULD_TAKE; FIX ExecInst=6 "participate don't
    initiate", Alor ``bookorcancel``, AlphaPoint ``PostOnly``).
    """

    account: str
    symbol: str
    side: Side
    ord_type: OrdType
    qty: int
    price: int | None = None
    stop_price: int | None = None
    tif: TimeInForce = TimeInForce.DAY
    expire_ns: int | None = None
    extended: bool = False
    display_qty: int | None = None
    cl_ord_id: str | None = None
    trail: TrailSpec | None = None
    basis: TriggerBasis | None = None
    condition: TriggerCondition | None = None
    activate: bool = True
    position_effect: PositionEffect | None = None
    owner: str | None = None
    text: str | None = None
    price_offset: int | None = None
    activation: ActivationSpec | None = None
    post_only: bool = False


class CancelOrder(NamedTuple):
    """Cancel a live order (FIX 35=F). ``account`` when given must match the order's."""

    order_id: int
    account: str | None = None


class ModifyOrder(NamedTuple):
    """Amend in place, same order id (FIX 35=G as TradeStation PUT / AlphaPoint ModifyOrder).

    Fields left None keep their value. A quantity decrease keeps time priority; a price change
    or a quantity increase loses it (spec section 1), and so does a larger ``display_qty`` (it
    shows more at the level), while a smaller one keeps it and caps what is shown at once.
    ``qty`` is the new OrderQty in lots and must exceed CumQty. ``ord_type`` MARKET turns a
    Limit, StopMarket or StopLimit order into a Market order that works at once (FIX 40 on
    35=G; TradeStation PUT, wire-formats section 1.8); no other change of type is allowed.
    """

    order_id: int
    qty: int | None = None
    price: int | None = None
    stop_price: int | None = None
    display_qty: int | None = None
    trail_offset: int | None = None
    account: str | None = None
    ord_type: OrdType | None = None


class ReplaceOrder(NamedTuple):
    """Cancel/replace with a new order id (Alor PUT, AlphaPoint CancelReplaceOrder).

    The old order becomes Replaced; the new one carries the given fields (None = keep) and
    the old one's CumQty is not carried over: the new order's OrderQty is the new quantity.
    """

    order_id: int
    qty: int | None = None
    price: int | None = None
    stop_price: int | None = None
    cl_ord_id: str | None = None
    account: str | None = None
    activate: bool | None = None


class ActivateOrder(NamedTuple):
    """Make a Held order work (Alor inactive stop activated; an OTO child released).

    ``qty`` (lots) sizes a position-attached child that was held without quantity.
    """

    order_id: int
    qty: int | None = None


class CancelAllOrders(NamedTuple):
    """Cancel every live order of ``account`` (optionally one symbol only)."""

    account: str
    symbol: str | None = None


class SubmitBlockTrade(NamedTuple):
    """An off-book trade between two accounts at a stated price (AlphaPoint OrderType 7)."""

    buy_account: str
    sell_account: str
    symbol: str
    qty: int
    price: int
    owner: str | None = None
    text: str | None = None


class AdvanceClock(NamedTuple):
    """Move the simulated clock to ``ts_ns`` (never backward); fires due timers."""

    ts_ns: int


class SetRetention(NamedTuple):
    """Keep the ``retain_terminal`` newest finished orders and closed groups in memory from
    this input on (an int >= 0; None: keep everything; ``engine/retention.py``). An input
    like any other, because what the engine keeps decides how it answers a command naming a
    finished order (ended, or unknown): a journaled server records one when its configured
    limit differs from the journal's, so a replay forgets exactly what the original run did,
    whatever the configuration of the replay. A bad value is refused (CommandRejected,
    ``validation.invalid_field``, field ``retain_terminal``) and changes nothing."""

    retain_terminal: int | None


Command = (
    SubmitOrder
    | CancelOrder
    | ModifyOrder
    | ReplaceOrder
    | ActivateOrder
    | CancelAllOrders
    | SubmitBlockTrade
    | AdvanceClock
    | SetRetention
)
