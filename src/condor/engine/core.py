"""The engine: the single writer of Condor's state.

Invariant: every state change happens inside one call of ``handle`` / ``on_market`` and is
reported by events with consecutive global sequence numbers; a call returns exactly the events
it produced, in order. Given the same instruments, accounts, start time and the same sequence
of commands and market data, the event stream is identical (no wall time, no randomness, no
iteration over unordered sets in the write path).

Cascades (spec section 3, Liquibook style): an order event of a group member is turned by the
group book into actions (cancel, reduce, release, remove_member). They are queued and drained at
safe points (after each fill and at the end of each command or market event) through the same
handlers as user commands. Actions produced while draining go to the FRONT of the queue, so the
consequences of an event are complete before older queued actions run (depth-first); an action
on a terminal order does nothing, so every cascade ends, cycles included.
"""

from __future__ import annotations

import typing
from collections import deque
from collections.abc import Callable, Iterable

from condor.domain.accounts.account import Account
from condor.domain.book.external import FillModel
from condor.domain.book.queue import QueueFill
from condor.domain.errors import DomainError
from condor.domain.groups import commands as G
from condor.domain.groups.book import GroupBook
from condor.domain.instruments import InstrumentRegistry
from condor.domain.market import L2Delta, L2Snapshot, QuoteTick, TradeTick
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdStatus, Side
from condor.domain.orders.events import (
    Cause,
    CauseKind,
    CommandRejected,
    ExecutionReport,
    TrailUpdated,
)
from condor.domain.orders.order import Order
from condor.domain.sessions import SessionSchedule
from condor.engine.activation import ActivationRules
from condor.engine.clock import SimClock
from condor.engine.explain import explain_chain
from condor.engine.groups import GroupHandlers
from condor.engine.handlers import OrderHandlers
from condor.engine.matching import Matching
from condor.engine.queue_fills import apply_queue_fill
from condor.engine.retention import Retention
from condor.engine.sessions import SessionTimers
from condor.engine.stops import StopTriggers
from condor.engine.venue import Venue

_EMPTY: tuple = ()
_new_report = tuple.__new__  # all 26 fields given: skips NamedTuple's keyword handling


class Engine(
    OrderHandlers, Matching, StopTriggers, SessionTimers, GroupHandlers, ActivationRules, Retention
):
    """Deterministic single-writer engine.

    Args: ``instruments`` (InstrumentRegistry), ``accounts`` (iterable of Account), ``clock``
    (SimClock by default; anything with ``now_ns()``/``advance_to(ns)``), ``schedules``
    (callable calendar id -> SessionSchedule; None = every instrument always in its regular
    session), ``fill_model`` (FillModel for resting orders against the feed), ``keep_history``
    (keep the last rule/market-caused report per order for ``explain``), ``retain_terminal``
    (how many finished orders and closed groups stay in memory, newest first; None: all; see
    ``engine/retention.py``).

    Use ``handle(command)`` for commands and ``on_market(event)`` for market data; both return
    the list of events produced. ``listeners`` are called with each batch (journal, streams).
    """

    def __init__(
        self,
        instruments: InstrumentRegistry,
        accounts: Iterable[Account] = (),
        clock=None,
        schedules: Callable[[str], SessionSchedule] | None = None,
        fill_model: FillModel = FillModel.TOUCH,
        keep_history: bool = True,
        retain_terminal: int | None = None,
    ) -> None:
        self.instruments = instruments
        self.clock = clock if clock is not None else SimClock()
        self.accounts: dict[str, Account] = {a.account_id: a for a in accounts}
        self.orders: dict[int, Order] = {}
        self.live: dict[int, Order] = {}
        self.cl_index: dict[tuple[str, str], int] = {}
        self.groups = GroupBook()
        self.venues: dict[str, Venue] = {}
        self.schedules = schedules
        self.fill_model = fill_model
        self.keep_history = keep_history
        self.history: dict[int, ExecutionReport] = {}
        self.listeners: list[Callable[[list], None]] = []
        self.seq = 0
        self.cmd_seq = 0
        self.order_seq = 0
        self.trade_seq = 0
        self._prio = 0  # time priority of the book, part of the engine's state
        self._out: list = []
        self._queue: deque = deque()
        self._draining = False
        # lots each fill has taken from an order through group reductions, while the cascade
        # it started runs: (fill report seq, order id) -> lots (``GroupHandlers._once_per_fill``)
        self._reduced: dict[tuple[int, int], int] = {}
        self._timers: list = []
        self._timer_seq = 0
        self.next_timer = 1 << 62
        self.activations: dict = {}  # Held order id -> ActivationSpec (engine/activation.py)
        self._act_watch: dict[str, dict[int, None]] = {}
        self._init_retention(retain_terminal)
        for inst in instruments:
            self.add_venue(inst)

    # -- set-up -------------------------------------------------------------------------
    def add_venue(self, inst) -> Venue:
        sched = self.schedules(inst.calendar) if self.schedules is not None else None
        v = Venue(inst, sched, self.fill_model)
        self.venues[inst.symbol] = v
        if sched is not None:
            self._init_session(v)
        return v

    def add_account(self, account: Account) -> None:
        if account.account_id in self.accounts:
            raise ValueError(f"account {account.account_id} exists")
        self.accounts[account.account_id] = account

    @property
    def now(self) -> int:
        return self.clock.now_ns()

    # -- entry points -------------------------------------------------------------------
    def handle(self, cmd) -> list:
        """Apply one command; return the events it produced (also sent to listeners)."""
        if len(self._done) > self._keep:
            self._forget_finished()
        self._out = out = []
        self.cmd_seq += 1
        cause = Cause(CauseKind.COMMAND, command_id=self.cmd_seq)
        now = self.clock.now_ns()
        if now >= self.next_timer:
            self._fire_timers(now)
        handler = self._dispatch.get(type(cmd))
        if handler is None:
            raise TypeError(f"not a command: {cmd!r}")
        handler(self, cmd, cause)
        self._drain()
        self._publish(out)
        return out

    def on_market(self, ev) -> list | tuple:
        """Apply one market-data event (QuoteTick, TradeTick, L2Snapshot, L2Delta, QueueFill); then
        release the Held orders whose activation conditions read its symbol and now hold."""
        if len(self._done) > self._keep:
            self._forget_finished()
        out = self._on_market(ev)
        if self._act_watch and ev.symbol in self._act_watch:
            return self._activations_after_market(ev, out)
        return out

    def _on_market(self, ev) -> list | tuple:
        t = type(ev)
        if t is QuoteTick:
            return self.on_quote(ev)
        if t is TradeTick:
            return self.on_trade(ev)
        if t is L2Snapshot or t is L2Delta:
            return self._on_l2(ev)
        if t is QueueFill:
            return apply_queue_fill(self, ev)
        raise TypeError(f"not market data: {ev!r}")

    def submit(self, cmd: C.SubmitOrder) -> list:
        """Shorthand for ``handle(SubmitOrder)``."""
        return self.handle(cmd)

    def _publish(self, out: list) -> None:
        if out and self.listeners:
            for fn in self.listeners:
                fn(out)

    # -- events -------------------------------------------------------------------------
    def _report(
        self,
        o: Order,
        exec_type: ExecType,
        cause: Cause,
        last_qty: int = 0,
        last_px: int | None = None,
        trade_id: int | None = None,
        liquidity: str | None = None,
        reason=None,
        text: str | None = None,
        orig_order_id: int | None = None,
    ) -> ExecutionReport:
        """Emit an ExecutionReport of ``o``'s current state and feed it to its groups."""
        self.seq += 1
        st = o.status
        r = _new_report(
            ExecutionReport,
            (
                self.seq,
                self.clock.now_ns(),
                exec_type,
                o.order_id,
                o.cl_ord_id,
                o.account,
                o.inst.symbol,
                o.side,
                o.ord_type,
                o.tif,
                st,
                o.qty,
                o.price,
                o.stop_price,
                o.cum_qty,
                0 if st.is_terminal else o.qty - o.cum_qty,
                o.cum_cost,
                last_qty,
                last_px,
                trade_id,
                liquidity,
                reason,
                text,
                o.trail.water if o.trail is not None else None,
                orig_order_id,
                cause,
            ),
        )
        self._out.append(r)
        if self.keep_history and cause.kind is not CauseKind.COMMAND:
            self.history[o.order_id] = r
        if o.groups is not None:
            self._on_member_event(r, o)
        return r

    def _trail_updated(self, o: Order, cause: Cause) -> None:
        self.seq += 1
        self._out.append(
            TrailUpdated(
                self.seq,
                self.clock.now_ns(),
                o.order_id,
                o.account,
                o.inst.symbol,
                o.trail.water,
                o.stop_price,
                cause,
            )
        )

    def _reject(self, cmd_name: str, err: DomainError, cause: Cause, **ids) -> CommandRejected:
        self.seq += 1
        ev = CommandRejected(
            self.seq, self.clock.now_ns(), cmd_name, err.reason, err.field, err.text,
            cause=cause, **ids,
        )  # fmt: skip
        self._out.append(ev)
        return ev

    # -- cascade queue ------------------------------------------------------------------
    def _enqueue_front(self, actions: list) -> None:
        """Queue actions ahead of older ones, keeping their own order (depth-first)."""
        q = self._queue
        for a in reversed(actions):
            q.appendleft(a)

    def _drain(self) -> None:
        """Run queued actions until none is left (re-entrant: nested calls return at once)."""
        if self._draining or not self._queue:
            return
        self._draining = True
        try:
            q = self._queue
            while q:
                self._run_action(q.popleft())
        finally:
            self._draining = False
            self._reduced.clear()

    # -- queries ------------------------------------------------------------------------
    def order(self, order_id: int) -> Order | None:
        return self.orders.get(order_id)

    def order_by_cl_ord_id(self, account: str, cl_ord_id: str) -> Order | None:
        oid = self.cl_index.get((account, cl_ord_id))
        return self.orders.get(oid) if oid is not None else None

    def explain(self, order_id: int) -> list[dict]:
        """The causal chain of ``order_id``'s latest decisive event, newest first, back to the
        user command or market-data event that started it (spec section 3). Raises KeyError
        for an unknown order."""
        return explain_chain(self, order_id)

    def check_invariants(self) -> None:
        """Assert every venue's book and trigger index and the engine's indexes agree."""
        for v in self.venues.values():
            v.check_invariants()
        for a in self.accounts.values():
            a.check_invariants()
        for oid, o in self.live.items():
            assert not o.status.is_terminal, f"terminal order {oid} in live index"
            assert 0 <= o.cum_qty <= o.qty or o.status is OrdStatus.HELD
        for o in self.orders.values():
            assert o.cum_qty <= max(o.qty, 0), f"order {o.order_id} overfilled"
            if o.status.is_terminal:
                assert not (o.hold_cash or o.hold_pos or o.hold_net), (
                    f"ended order {o.order_id} still holds"
                )
        self._check_holds()
        if not self._queue:  # between inputs every queued group reduction has run
            for g in self.groups:
                assert not g.pending, f"group {g.group_id} owes reductions {g.pending}"

    def _check_holds(self) -> None:
        """Two-phase holds reconcile (issue 2, accounts): an account's held cash per currency
        is the sum of its live orders' cash holds; per symbol, held long (short) lots are the
        sum of its live sells' (buys') position holds, and the lots short sales (buys) will
        sell (buy) beyond the position the sum of their net holds."""
        cash: dict[tuple[str, str], int] = {}
        pos: dict[tuple[str, str], list[int]] = {}
        for o in self.live.values():
            k = (o.account, o.inst.currency)
            cash[k] = cash.get(k, 0) + o.hold_cash
            p = pos.setdefault((o.account, o.inst.symbol), [0, 0, 0, 0])
            p[1 if o.side.is_buy else 0] += o.hold_pos
            if o.side is Side.SELL_SHORT:
                p[2] += o.hold_net
            elif o.side is Side.BUY:
                p[3] += o.hold_net
        held = {(aid, c): v for aid, a in self.accounts.items() for c, v in a.held_cash.items()}
        for k in held.keys() | cash.keys():
            assert held.get(k, 0) == cash.get(k, 0), f"{k[0]} held {k[1]} {held.get(k, 0)}"
        have = {(aid, sym): [p.held_long, p.held_short, p.shorting, p.buying]
                for aid, a in self.accounts.items() for sym, p in a.positions.items()}  # fmt: skip
        zero = [0, 0, 0, 0]
        for k in have.keys() | pos.keys():
            got = have.get(k, zero)
            assert got == pos.get(k, zero), f"{k[0]} {k[1]} holds {got}"

    _dispatch: typing.ClassVar[dict] = {}


Engine._dispatch = {
    C.SubmitOrder: OrderHandlers._submit,
    C.CancelOrder: OrderHandlers._cancel_cmd,
    C.ModifyOrder: OrderHandlers._modify,
    C.ReplaceOrder: OrderHandlers._replace,
    C.ActivateOrder: OrderHandlers._activate_cmd,
    C.CancelAllOrders: OrderHandlers._cancel_all,
    C.SubmitBlockTrade: OrderHandlers._block_trade,
    C.AdvanceClock: SessionTimers._advance_clock,
    C.SetRetention: Retention._set_retention_cmd,
    G.CreateGroup: GroupHandlers._create_group,
    G.EditGroup: GroupHandlers._edit_group,
    G.DeleteGroup: GroupHandlers._delete_group,
}
