"""Accounts and positions with two-phase holds (exchange-core RiskEngine style).

Invariants:
- cash is exact: ``cash[ccy]`` in cash units (1e-10); it changes only by fills (``apply_fill``).
- holds: ``held_cash[ccy]`` is the sum of the live orders' ``hold_cash``; ``Position.held_long``
  / ``held_short`` the lots reserved by live Sell / BuyToCover orders. A hold is taken on accept
  and released on fill (pro rata; a short sale's cash only as its short lots fill) or on the
  order's end (the rest).
- ``Position.qty`` (signed lots) equals the signed sum of fills; ``cost`` is the cash paid for
  the open quantity (signed: long positive); ``realized`` accumulates closed P&L (average cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from condor.domain.errors import DomainError, RejectReason
from condor.domain.orders.enums import Side
from condor.domain.values import cash_to_decimal


class Position:
    """Net position of one account in one instrument. Units: lots, cash units."""

    __slots__ = (
        "buying",
        "cost",
        "held_long",
        "held_short",
        "qty",
        "realized",
        "shorting",
        "symbol",
    )

    def __init__(self, symbol: str, qty: int = 0, cost: int = 0) -> None:
        self.symbol = symbol
        self.qty = qty
        self.cost = cost
        self.realized = 0
        self.held_long = 0
        self.held_short = 0
        self.shorting = 0  # lots live short sales will sell that no long lots cover
        self.buying = 0  # lots live buys will buy that no short lots cover

    def apply_fill(self, signed_qty: int, notional: int) -> int:
        """Add a fill (signed lots; notional cash units >= 0); return the realized P&L it made.

        Average-cost accounting: a reducing fill realizes (fill value - share of cost); the
        share is rounded toward zero and the rounding stays in ``cost``, so the total realized
        over a full close is exact.
        """
        q = self.qty
        if q == 0 or (q > 0) == (signed_qty > 0):
            self.qty = q + signed_qty
            self.cost += notional if signed_qty > 0 else -notional
            return 0
        closing = min(abs(signed_qty), abs(q))
        # notional = px * |signed_qty| * cash_per_tick_lot, so this division is exact.
        fill_value_closing = notional * closing // abs(signed_qty)
        if closing == abs(q):
            cost_share = self.cost
        else:  # rounded toward zero; the remainder stays in cost
            share = abs(self.cost) * closing // abs(q)
            cost_share = share if self.cost >= 0 else -share
        if q > 0:  # selling out of a long
            pnl = fill_value_closing - cost_share
        else:  # buying back a short (cost is negative: proceeds received)
            pnl = -cost_share - fill_value_closing
        self.cost -= cost_share
        self.qty = q + signed_qty
        self.realized += pnl
        rest = abs(signed_qty) - closing
        if rest:
            rest_value = notional - fill_value_closing
            self.cost = rest_value if signed_qty > 0 else -rest_value
        return pnl


_HOLDS_LONG = frozenset({Side.SELL, Side.SELL_SHORT})


@dataclass(slots=True)
class Account:
    """A trading account. ``cash`` and ``held_cash`` by currency in cash units; ``positions``
    by symbol; ``owner`` the user id that trades it; ``leverage`` divides the cash a buy or a
    short sale must hold (1 = cash account); ``position_based`` marks accounts on which
    order groups may be built (Sway)."""

    account_id: str
    owner: str | None = None
    cash: dict[str, int] = field(default_factory=dict)
    held_cash: dict[str, int] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    leverage: int = 1
    position_based: bool = True
    name: str = ""

    def position(self, symbol: str) -> Position:
        p = self.positions.get(symbol)
        if p is None:
            p = self.positions[symbol] = Position(symbol)
        return p

    def available_cash(self, ccy: str) -> int:
        return self.cash.get(ccy, 0) - self.held_cash.get(ccy, 0)

    # -- pre-trade: take holds ----------------------------------------------------------
    def reserve(
        self, order, ref_ticks: int | None, shared_pos: int = 0, shared_cash: tuple = (0, 0)
    ) -> None:
        """Take the holds ``order`` needs for its leaves quantity at ``ref_ticks`` (the limit,
        stop or current touch price; None when no price is known: no cash hold is taken).
        ``shared_pos`` lots of position already held by exclusive siblings (OCO/OUO exits of
        the same position) may be used again without a second hold; likewise a BuyToCover
        shares the cash of its exclusive BuyToCover siblings, ``shared_cash`` = (cash units
        they hold, the largest cash any of them needs): only one of them executes, so together
        they hold what the dearest needs (the account never pays for both).

        Raises DomainError: NO_LONG_POSITION (Sell beyond the free long position),
        NO_SHORT_POSITION (BuyToCover beyond the free short), INSUFFICIENT_FUNDS.
        Position holds: Sell and SellShort hold long lots they will sell (``held_long``);
        BuyToCover and Buy hold short lots they will buy back (``held_short``).
        """
        lots = order.qty - order.cum_qty
        side = order.side
        inst = order.inst
        pos = self.positions.get(inst.symbol)
        if side is Side.SELL:
            free = (pos.qty - pos.held_long - pos.shorting if pos else 0) + shared_pos
            if lots > free:
                raise DomainError(
                    RejectReason.NO_LONG_POSITION,
                    f"sell {lots} exceeds the free long position {max(free, 0)}",
                    "quantity",
                )
            hold = lots - min(lots, shared_pos)
            self.position(inst.symbol).held_long += hold
            order.hold_pos = hold
            return
        if side is Side.BUY_TO_COVER:
            free = (-pos.qty - pos.held_short - pos.buying if pos else 0) + shared_pos
            if lots > free:
                raise DomainError(
                    RejectReason.NO_SHORT_POSITION,
                    f"buy to cover {lots} exceeds the free short position {max(free, 0)}",
                    "quantity",
                )
            pos_part = lots - min(lots, shared_pos)
        elif side is Side.SELL_SHORT:
            # A short sale first sells the free long shares: it holds them so that no Sell
            # counts on them too, and needs margin only for the part that goes short. It may
            # not sell long shares that open Sell orders hold.
            pos_part = min(lots, max((pos.qty - pos.held_long - pos.shorting) if pos else 0, 0))
            if pos is not None and pos.held_long and lots > pos_part and pos.qty > 0:
                raise DomainError(
                    RejectReason.POSITION_HELD,
                    "short sale would sell long shares held by open Sell orders",
                    "quantity",
                )
        else:  # BUY: buying back the free short first, holding it against BuyToCover orders
            pos_part = min(lots, max((-pos.qty - pos.held_short - pos.buying) if pos else 0, 0))
            if pos is not None and pos.held_short and lots > pos_part and pos.qty < 0:
                raise DomainError(
                    RejectReason.POSITION_HELD,
                    "buy would cover short shares held by open BuyToCover orders",
                    "quantity",
                )
        cash_lots = lots - pos_part if side is Side.SELL_SHORT else lots
        if ref_ticks is None or ref_ticks <= 0:
            hold = 0
        else:
            hold = inst.notional(ref_ticks, cash_lots) // self.leverage
        if side is Side.BUY_TO_COVER and shared_cash[0]:
            held_by_siblings, dearest = shared_cash
            hold = max(max(hold, dearest) - held_by_siblings, 0)
        ccy = inst.currency
        if hold > self.available_cash(ccy):
            raise DomainError(
                RejectReason.INSUFFICIENT_FUNDS,
                f"order needs {cash_to_decimal(hold)} {ccy}, "
                f"{cash_to_decimal(self.available_cash(ccy))} {ccy} available",
                "quantity",
            )
        p = self.position(inst.symbol)
        if side is not Side.BUY_TO_COVER:
            # the rest of a short sale goes short and of a buy goes long: later Sell and
            # BuyToCover orders may not count on the lots these fills will take first
            net = lots - pos_part
            if side is Side.SELL_SHORT:
                p.shorting += net
            else:
                p.buying += net
            order.hold_net = net
        if pos_part:
            if side is Side.SELL_SHORT:
                p.held_long += pos_part
            else:
                p.held_short += pos_part
            order.hold_pos = pos_part
        order.hold_cash = hold
        self.held_cash[ccy] = self.held_cash.get(ccy, 0) + hold

    def restore(self, order, hold_cash: int, hold_pos: int, hold_net: int = 0) -> None:
        """Put back exactly the holds ``order`` had before a refused change (no checks: they
        were valid when taken). The order must hold nothing now."""
        self.release(order)
        if hold_net:
            p = self.position(order.inst.symbol)
            if order.side is Side.SELL_SHORT:
                p.shorting += hold_net
            else:
                p.buying += hold_net
            order.hold_net = hold_net
        if hold_cash:
            ccy = order.inst.currency
            self.held_cash[ccy] = self.held_cash.get(ccy, 0) + hold_cash
            order.hold_cash = hold_cash
        if hold_pos:
            p = self.position(order.inst.symbol)
            if order.side in _HOLDS_LONG:
                p.held_long += hold_pos
            else:
                p.held_short += hold_pos
            order.hold_pos = hold_pos

    def release(self, order) -> None:
        """Release every hold ``order`` still has (it ended, or it is being re-reserved)."""
        if order.hold_net:
            p = self.position(order.inst.symbol)
            if order.side is Side.SELL_SHORT:
                p.shorting -= order.hold_net
            else:
                p.buying -= order.hold_net
            order.hold_net = 0
        if order.hold_cash:
            ccy = order.inst.currency
            self.held_cash[ccy] -= order.hold_cash
            order.hold_cash = 0
        if order.hold_pos:
            pos = self.position(order.inst.symbol)
            if order.side in _HOLDS_LONG:
                pos.held_long -= order.hold_pos
            else:
                pos.held_short -= order.hold_pos
            order.hold_pos = 0

    # -- fills --------------------------------------------------------------------------
    def apply_fill(self, order, qty: int, px: int, leaves_before: int) -> int:
        """Book a fill of ``qty`` lots at ``px`` ticks for ``order`` (whose leaves were
        ``leaves_before``): release the matching share of its holds, move cash and position.
        Returns the realized P&L (cash units)."""
        inst = order.inst
        ccy = inst.currency
        side = order.side
        pos = self.position(inst.symbol)
        used = take = 0
        net_before = order.hold_net
        if order.hold_pos:
            used = min(order.hold_pos, qty)
            order.hold_pos -= used
            if side in _HOLDS_LONG:
                pos.held_long -= used
            else:
                pos.held_short -= used
        if net_before:  # the lots past the held position come out of shorting/buying
            take = min(net_before, qty - used)
            order.hold_net = net_before - take
            if side is Side.SELL_SHORT:
                pos.shorting -= take
            else:
                pos.buying -= take
        if order.hold_cash:
            # a short sale holds cash only for the lots that go short (``hold_net``), sold
            # after the long lots it holds: release the share of those its fill took
            done, of = (take, net_before) if side is Side.SELL_SHORT else (qty, leaves_before)
            part = order.hold_cash if done >= of else order.hold_cash * done // of
            order.hold_cash -= part
            self.held_cash[ccy] -= part
        notional = inst.notional(px, qty)
        sign = side.sign
        self.cash[ccy] = self.cash.get(ccy, 0) - sign * notional
        return pos.apply_fill(sign * qty, notional)

    def check_invariants(self) -> None:
        """Holds are never negative and never exceed the position they reserve."""
        for ccy, held in self.held_cash.items():
            assert held >= 0, f"{self.account_id}: negative cash hold in {ccy}"
        for sym, p in self.positions.items():
            assert 0 <= p.held_long <= max(p.qty, 0), f"{self.account_id} {sym}: held_long"
            assert 0 <= p.held_short <= max(-p.qty, 0), f"{self.account_id} {sym}: held_short"
            assert p.shorting >= 0 and p.buying >= 0, f"{self.account_id} {sym}: net holds"
