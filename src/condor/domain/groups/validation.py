"""Creation checks for groups, each naming the member and the rule it breaks (spec section 2,
"Validation at creation").

Invariant: a validator reads orders (or the SubmitOrder commands about to create them) and raises
``DomainError(GROUP_INVALID | GROUP_MEMBER_INVALID, text, field="members[i]")``; it changes
nothing. Members are given as ``MemberView`` so new and existing orders are checked alike.
"""

from __future__ import annotations

from typing import NamedTuple

from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders.enums import OrdStatus, OrdType, PositionEffect, Side, TimeInForce

R = RejectReason


class MemberView(NamedTuple):
    """What validators look at: account, symbol, side, type, qty (lots), limit/stop (ticks),
    tif, position effect, status (None for a member about to be created), owner, role."""

    account: str
    symbol: str
    side: Side
    ord_type: OrdType
    qty: int
    price: int | None
    stop_price: int | None
    tif: TimeInForce
    position_effect: PositionEffect | None
    status: OrdStatus | None
    owner: str | None
    role: str


def _fail(i: int, text: str, reason: R = R.GROUP_MEMBER_INVALID):
    raise DomainError(reason, f"member {i}: {text}", f"members[{i}]")


def live_members(ms: list[MemberView], owner: str | None) -> None:
    """Existing members must not be Filled, Canceled or otherwise ended (Alor seed)."""
    for i, m in enumerate(ms):
        if m.status is not None and m.status.is_terminal:
            _fail(i, f"order is {m.status.value}; only live orders can join a group")


def owned(ms: list[MemberView], owner: str | None) -> None:
    """Members must belong to the caller (Alor seed: "must be authorized")."""
    for i, m in enumerate(ms):
        if owner is not None and m.owner is not None and m.owner != owner:
            _fail(i, "order belongs to another user", R.NOT_AUTHORIZED)


def same_account_instrument(ms: list[MemberView], owner: str | None) -> None:
    """Sway: orders in a group share account and instrument."""
    for i, m in enumerate(ms[1:], 1):
        if m.account != ms[0].account:
            _fail(i, "orders in a group must have the same account")
        if m.symbol != ms[0].symbol:
            _fail(i, "orders in a group must have the same instrument")


def sway_oco(ms: list[MemberView], owner: str | None) -> None:
    """Sway OCO: OPEN position effect and equal non-zero quantity for every order."""
    same_account_instrument(ms, owner)
    if len(ms) < 2:
        _fail(0, "OCO needs at least two orders", R.GROUP_INVALID)
    for i, m in enumerate(ms):
        if m.position_effect is not PositionEffect.OPEN:
            _fail(i, "OCO orders must have OPEN position effect")
        if m.qty <= 0:
            _fail(i, "OCO orders must have a non-zero quantity")
        if m.qty != ms[0].qty:
            _fail(i, "OCO orders must have equal quantities")


def sway_if_then(ms: list[MemberView], owner: str | None) -> None:
    """Sway IF-THEN: parent OPEN with quantity; THEN orders CLOSE, zero or absent quantity,
    opposite side, GTC only."""
    same_account_instrument(ms, owner)
    if len(ms) < 2:
        _fail(0, "IF-THEN needs a parent and at least one THEN order", R.GROUP_INVALID)
    p = ms[0]
    if p.position_effect is not PositionEffect.OPEN:
        _fail(0, "the IF order must have OPEN position effect")
    if p.qty <= 0:
        _fail(0, "the IF order must have a non-zero quantity")
    for i, m in enumerate(ms[1:], 1):
        if m.position_effect is not PositionEffect.CLOSE:
            _fail(i, "THEN orders must have CLOSE position effect")
        if m.qty != 0:
            _fail(i, "THEN orders must have zero or absent quantity (position attached)")
        if m.side.is_buy == p.side.is_buy:
            _fail(i, "THEN orders must have the opposite side of the IF order")
        if m.tif is not TimeInForce.GTC:
            _fail(i, "THEN orders must be GTC")


def ts_brk(ms: list[MemberView], owner: str | None) -> None:
    """TradeStation BRK: same symbol and side; closing orders (Sell or BuyToCover)."""
    for i, m in enumerate(ms):
        if m.symbol != ms[0].symbol:
            _fail(i, "BRK orders must have the same symbol")
        if m.side is not ms[0].side:
            _fail(i, "BRK orders must have the same side")
        if m.side not in (Side.SELL, Side.BUY_TO_COVER):
            _fail(i, "BRK orders must close a position (Sell or BuyToCover)")


def bracket_prices(ms: list[MemberView], owner: str | None) -> None:
    """Bracket price sanity: buy entry -> take-profit above stop-loss; sell -> the reverse."""
    entry = next((m for m in ms if m.role == "entry"), None)
    if entry is None:
        return
    for i, tp in enumerate(ms):
        if tp.role != "take_profit" or tp.price is None:
            continue
        for j, sl in enumerate(ms):
            if sl.role != "stop_loss" or sl.stop_price is None:
                continue
            ok = tp.price > sl.stop_price if entry.side.is_buy else tp.price < sl.stop_price
            if not ok:
                side = "above" if entry.side.is_buy else "below"
                _fail(i, f"take-profit must be {side} the stop-loss (member {j})")
        if entry.price is not None:
            ok = tp.price > entry.price if entry.side.is_buy else tp.price < entry.price
            if not ok:
                _fail(i, "take-profit is on the wrong side of the entry price")


def inactive_stops(ms: list[MemberView], owner: str | None) -> None:
    """Alor TriggerBracketOrders (seed 003): its stops (every member but the ``limit``) must be
    inactive (Held, ``activate: false``) so that only the limit's fill activates them."""
    for i, m in enumerate(ms):
        if m.role != "limit" and m.status is not None and m.status is not OrdStatus.HELD:
            _fail(i, "a TriggerBracketOrders stop must be inactive (activate: false)")


VALIDATORS = {
    "live": live_members,
    "owned": owned,
    "same_account_instrument": same_account_instrument,
    "sway_oco": sway_oco,
    "sway_if_then": sway_if_then,
    "ts_brk": ts_brk,
    "bracket_prices": bracket_prices,
    "inactive_stops": inactive_stops,
}
"""Validators by name, as ``CreateGroup.validators`` lists them. ``live`` and ``owned`` always run."""


def validate(names: tuple[str, ...], ms: list[MemberView], owner: str | None) -> None:
    """Run ``live``, ``owned`` and the named validators. Raises DomainError; unknown name ->
    DomainError(GROUP_INVALID)."""
    if not ms:
        raise DomainError(R.GROUP_INVALID, "a group needs members", "members")
    seen = set()
    for name in ("live", "owned", *names):
        fn = VALIDATORS.get(name)
        if fn is None:
            raise DomainError(R.GROUP_INVALID, f"unknown validator {name!r}", "validators")
        if name in seen:
            continue
        seen.add(name)
        fn(ms, owner)
