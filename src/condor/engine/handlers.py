"""Order command handlers (a mixin of ``Engine``): submit, cancel, modify, replace, activate,
cancel all, block trade.

Invariant: a handler either refuses the command with one ``CommandRejected`` event and no state
change, or applies it completely. Validation runs first, then mutation, then events (Nautilus:
validate, mutate, record). Acting on a terminal order from a cascade is a silent no-op; from a
user it is refused (ORDER_TERMINAL).
"""

from __future__ import annotations

from condor.domain.errors import DomainError, RejectReason
from condor.domain.groups.model import GroupStatus, RuleEvent
from condor.domain.orders import commands as C
from condor.domain.orders.enums import ExecType, OrdStatus, OrdType, Side, TimeInForce, TrailKind
from condor.domain.orders.events import Cause
from condor.domain.orders.order import Order, TrailState
from condor.domain.orders.status import Transition as T
from condor.engine.activation import check_activation
from condor.engine.admission import (
    check_session,
    check_to_market,
    check_units,
    reference_px,
    validate_submit,
)

R = RejectReason


class OrderHandlers:
    # -- submit -------------------------------------------------------------------------
    def _submit(self, cmd: C.SubmitOrder, cause: Cause) -> Order | None:
        try:
            self._account(cmd.account)
            v = self._venue(cmd.symbol)
            inst = v.inst
            now = self.clock.now_ns()
            validate_submit(cmd, inst, now, v.ext)
            if cmd.cl_ord_id is not None and (cmd.account, cmd.cl_ord_id) in self.cl_index:
                raise DomainError(
                    R.DUPLICATE_CL_ORD_ID,
                    f"ClOrdID {cmd.cl_ord_id!r} is already used by an open order",
                    "cl_ord_id",
                )
            check_session(cmd, v.phase if v.schedule is not None else None)
            if cmd.activation is not None:
                check_activation(cmd.activation, self.venues)
        except DomainError as e:
            self.order_seq += 1
            self._reject(
                "SubmitOrder", e, cause, account=cmd.account, order_id=self.order_seq,
                cl_ord_id=cmd.cl_ord_id,
            )  # fmt: skip
            return None
        o = self._new_order(cmd, inst, cause)
        if not cmd.activate or cmd.activation is not None:
            self._register(o)
            o.apply(T.HOLD, o.ts_created)
            self._expire_held(o)
            self._report(o, ExecType.NEW, cause)
            if cmd.activation is not None and cmd.activate:
                self._arm_activation(o, cmd.activation, cause)  # engine/activation.py
            return o
        try:
            self._reserve(o, v)
        except DomainError as e:
            self._reject(
                "SubmitOrder", e, cause, account=cmd.account, order_id=o.order_id,
                cl_ord_id=cmd.cl_ord_id,
            )  # fmt: skip
            return None
        self._register(o)
        self._accept(o, v, cause)
        return o

    def _new_order(
        self, cmd: C.SubmitOrder, inst, cause: Cause, orig_order_id: int | None = None
    ) -> Order:
        self.order_seq += 1
        trail = None
        if cmd.trail is not None:
            t = cmd.trail
            trail = TrailState(t.kind, t.offset, t.activation, t.limit_offset)
        strict = False
        basis = cmd.basis
        if cmd.condition is not None:
            strict = cmd.condition.value in ("More", "Less")
        return Order(
            order_id=self.order_seq,
            account=cmd.account,
            inst=inst,
            side=cmd.side,
            ord_type=cmd.ord_type,
            qty=cmd.qty,
            tif=cmd.tif,
            price=cmd.price,
            stop_price=cmd.stop_price,
            cl_ord_id=cmd.cl_ord_id,
            expire_ns=cmd.expire_ns,
            extended=cmd.extended,
            display_qty=cmd.display_qty,
            basis=basis,
            strict=strict,
            condition=cmd.condition,
            trail=trail,
            position_effect=cmd.position_effect,
            owner=cmd.owner,
            text=cmd.text,
            ts=self.clock.now_ns(),
            cmd_id=cause.command_id or 0,
            price_offset=cmd.price_offset,
            post_only=cmd.post_only,
            orig_order_id=orig_order_id,
        )

    def _register(self, o: Order) -> None:
        self.orders[o.order_id] = o
        self.live[o.order_id] = o
        if o.cl_ord_id is not None:
            self.cl_index[(o.account, o.cl_ord_id)] = o.order_id

    def _accept(self, o: Order, v, cause: Cause) -> None:
        """PendingNew -> New, set its expiry, then work it."""
        self._acknowledge(o, v, cause)
        self._work(o, v, cause)

    def _acknowledge(self, o: Order, v, cause: Cause, orig_order_id: int | None = None) -> None:
        """PendingNew -> New and its expiry, reported (``orig_order_id``: the order a replace
        with a new id ended), without working it (``_accept`` works it next; a group member a
        sibling's cascade acts on before its turn is worked by ``_create_group`` when its turn
        comes; a replacement is worked by ``_replace`` unless it took the old one's place in
        the book, where it may work, so its New never says it waits)."""
        o.apply(T.ACCEPT, self.clock.now_ns())
        self._set_expiry(o, v)
        self._report(
            o, ExecType.NEW, cause, text=self._waiting_text(o, v), orig_order_id=orig_order_id
        )

    # -- cancel -------------------------------------------------------------------------
    def _cancel_cmd(self, cmd: C.CancelOrder, cause: Cause) -> None:
        try:
            o = self._own_live_order(cmd.order_id, cmd.account)
        except DomainError as e:
            self._reject("CancelOrder", e, cause, account=cmd.account, order_id=cmd.order_id)
            return
        self._end(o, T.CANCEL, ExecType.CANCELED, cause)

    def _cancel_all(self, cmd: C.CancelAllOrders, cause: Cause) -> None:
        try:
            self._account(cmd.account)
        except DomainError as e:
            self._reject("CancelAllOrders", e, cause, account=cmd.account)
            return
        targets = [
            o
            for o in self.live.values()
            if o.account == cmd.account and (cmd.symbol is None or o.inst.symbol == cmd.symbol)
        ]
        for o in sorted(targets, key=_by_id):
            self._end(o, T.CANCEL, ExecType.CANCELED, cause)
            self._drain()

    def _end(
        self, o: Order, transition: T, exec_type: ExecType, cause: Cause, reason=None, text=None
    ) -> bool:
        """Finish a live order (cancel, expire). Returns False when it was already terminal."""
        if o.status.is_terminal:
            return False
        self._unplace(o)
        o.apply(transition, self.clock.now_ns())
        self._retire(o)
        self._report(o, exec_type, cause, reason=reason, text=text)
        return True

    def _retire(self, o: Order) -> None:
        """Drop a terminal order from the live indexes and release its holds."""
        self.accounts[o.account].release(o)
        self.live.pop(o.order_id, None)
        if o.cl_ord_id is not None:
            key = (o.account, o.cl_ord_id)
            if self.cl_index.get(key) == o.order_id:
                del self.cl_index[key]
        self._retire_done(o)

    def _unplace(self, o: Order) -> None:
        """Take a live order out of the book, trigger index, market queue or parking."""
        v = self.venues[o.inst.symbol]
        if o.priority:
            v.book.cancel(o)
        v.triggers.remove(o)
        if v.pending_markets and o in v.pending_markets:
            v.pending_markets.remove(o)
        v.parked.pop(o.order_id, None)
        if v.opening:
            v.opening.pop(o.order_id, None)

    def _unplace_alive(self, o: Order, price: int | None = None) -> None:
        """Like ``_unplace`` for an order that keeps living (it will be placed again);
        ``price`` is the level it rests at if ``o.price`` has already changed."""
        v = self.venues[o.inst.symbol]
        if o.priority:
            v.book.remove_now(o, price)
        v.triggers.remove(o)
        if v.pending_markets and o in v.pending_markets:
            v.pending_markets.remove(o)
        v.parked.pop(o.order_id, None)

    # -- modify in place ----------------------------------------------------------------
    def _modify(self, cmd: C.ModifyOrder, cause: Cause) -> None:
        try:
            o = self._own_live_order(cmd.order_id, cmd.account)
            new_qty = o.qty if cmd.qty is None else cmd.qty
            self._check_amend(o, cmd, new_qty)
        except DomainError as e:
            self._reject("ModifyOrder", e, cause, account=cmd.account, order_id=cmd.order_id)
            return
        v = self.venues[o.inst.symbol]
        acct = self.accounts[o.account]
        to_market = cmd.ord_type is not None  # _check_amend allows only MARKET
        price = None if to_market else o.price if cmd.price is None else cmd.price
        stop = None if to_market else o.stop_price if cmd.stop_price is None else cmd.stop_price
        # a larger display shows more at the level: like a quantity increase, it loses priority
        shows_more = cmd.display_qty is not None and (
            o.display_qty is not None and cmd.display_qty > o.display_qty
        )
        keeps_priority = (
            price == o.price and new_qty <= o.qty and stop == o.stop_price and not shows_more
        ) and not to_market
        old = (o.qty, o.price, o.stop_price, o.display_qty, o.trail.offset if o.trail else None)
        old_type = o.ord_type
        held = (o.hold_cash, o.hold_pos, o.hold_net)
        rest_px = o.price
        if o.status is not OrdStatus.HELD:
            acct.release(o)
        o.qty, o.price, o.stop_price = new_qty, price, stop
        if to_market:
            o.ord_type, o.display_qty = OrdType.MARKET, None
        if cmd.display_qty is not None:
            o.display_qty = cmd.display_qty
        if cmd.trail_offset is not None and o.trail is not None:
            o.trail.offset = cmd.trail_offset
        if o.status is not OrdStatus.HELD and new_qty > o.cum_qty:
            try:
                self._reserve(o, v)
            except DomainError as e:
                o.qty, o.price, o.stop_price, o.display_qty = old[:4]
                o.ord_type = old_type
                if o.trail is not None:
                    o.trail.offset = old[4]
                acct.restore(o, *held)
                self._reject("ModifyOrder", e, cause, account=o.account, order_id=o.order_id)
                return
        if new_qty == o.cum_qty and new_qty:  # amended down to what is filled (OrderQty=CumQty)
            self._unplace_alive(o, rest_px)
            o.apply(T.AMEND, self.clock.now_ns())
            o.status = OrdStatus.FILLED
            self._retire(o)
            self._report(o, ExecType.REPLACED, cause)
            return
        o.apply(T.AMEND, self.clock.now_ns())
        if o.status is OrdStatus.HELD:
            self._report(o, ExecType.REPLACED, cause)
            return
        same_trail = cmd.trail_offset is None or cmd.trail_offset == old[4]
        if keeps_priority and (
            o.priority or (same_trail and (_waits(o, v) or o.order_id in v.parked))
        ):
            # a quantity decrease keeps time priority in the book, the trigger index, the
            # market queue and parking (spec section 1; FIX: OrderQty down on 35=G keeps
            # priority; parked orders come back in the order they were parked)
            if o.priority:
                o.visible = min(o.visible, o.qty - o.cum_qty, o.display_qty or o.qty)
            self._report(o, ExecType.REPLACED, cause)
            return
        self._unplace_alive(o, rest_px)  # a trailing stop keeps its water mark (spec 1)
        self._report(o, ExecType.REPLACED, cause)
        self._work(o, v, cause)

    def _check_amend(self, o: Order, cmd, new_qty: int) -> None:
        # a Held position-attached child (quantity 0 until its parent fills, Sway THEN order)
        # may change its prices and stay unsized
        unsized = o.status is OrdStatus.HELD and o.qty == 0 and new_qty == 0
        if not unsized and (new_qty <= 0 or new_qty < o.cum_qty):
            raise DomainError(
                R.MODIFY_NOT_ALLOWED, "new quantity must exceed the filled quantity", "quantity"
            )
        if cmd.ord_type is not None:
            v = self.venues[o.inst.symbol]
            check_to_market(o, cmd, v.phase if v.schedule is not None else None)
            check_units(new_qty, {}, reference_px(v.ext))
            return
        if cmd.price is not None:
            if not o.ord_type.has_limit and o.ord_type is not OrdType.TRAILING_STOP_LIMIT:
                raise DomainError(R.INVALID_FIELD, "order has no limit price", "price")
            if cmd.price <= 0:
                raise DomainError(R.INVALID_FIELD, "limit price must be positive", "price")
            if o.ord_type is OrdType.TRAILING_STOP_LIMIT and not o.triggered:
                # its election sets the limit (stop -/+ limit offset, spec section 1): a price
                # set before would be overwritten then
                raise DomainError(
                    R.INVALID_FIELD,
                    "a trailing stop limit is priced when it triggers (stop and limit offset)",
                    "price",
                )
        if cmd.stop_price is not None:
            if o.ord_type not in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT):
                raise DomainError(R.INVALID_FIELD, "order has no stop price", "stop_price")
            if o.triggered:
                raise DomainError(R.MODIFY_NOT_ALLOWED, "stop already triggered", "stop_price")
            if cmd.stop_price <= 0:
                raise DomainError(R.INVALID_FIELD, "stop price must be positive", "stop_price")
        if cmd.trail_offset is not None and (o.trail is None or cmd.trail_offset <= 0):
            raise DomainError(R.INVALID_FIELD, "bad trailing offset", "trail")
        if (
            cmd.trail_offset is not None
            and o.trail.kind is TrailKind.PERCENT
            and cmd.trail_offset >= 1_000_000
        ):  # as at submission (admission.validate_submit): 100% would put the stop at 0 or below
            raise DomainError(R.INVALID_FIELD, "trailing percent must be below 100", "trail")
        if cmd.display_qty is not None and not 0 < cmd.display_qty <= new_qty:
            raise DomainError(R.INVALID_FIELD, "bad display quantity", "display_qty")
        if cmd.display_qty is not None and not o.ord_type.has_limit:  # as validate_submit
            raise DomainError(
                R.INVALID_FIELD, "display quantity needs a limit order", "display_qty"
            )
        market = o.ord_type is OrdType.MARKET or o.ord_type.is_trailing
        prices = {
            "price": o.price if cmd.price is None else cmd.price,
            "stop_price": o.stop_price if cmd.stop_price is None else cmd.stop_price,
            "trail": cmd.trail_offset,
        }
        check_units(
            new_qty, prices, reference_px(self.venues[o.inst.symbol].ext) if market else None
        )

    # -- cancel/replace with a new id ---------------------------------------------------
    def _replace(self, cmd: C.ReplaceOrder, cause: Cause) -> Order | None:
        try:
            o = self._own_live_order(cmd.order_id, cmd.account)
            new = C.SubmitOrder(
                account=o.account,
                symbol=o.inst.symbol,
                side=o.side,
                ord_type=o.ord_type,
                qty=o.qty - o.cum_qty if cmd.qty is None else cmd.qty,
                price=o.price if cmd.price is None else cmd.price,
                stop_price=o.stop_price if cmd.stop_price is None else cmd.stop_price,
                tif=o.tif,
                expire_ns=o.expire_ns if o.tif is TimeInForce.GTD else None,
                extended=o.extended,
                display_qty=o.display_qty,
                cl_ord_id=cmd.cl_ord_id,
                trail=_trail_spec(o),
                basis=o.basis,
                condition=o.condition,  # an explicit trigger comparison survives (Alor modify)
                activate=(o.status is not OrdStatus.HELD) if cmd.activate is None else cmd.activate,
                position_effect=o.position_effect,
                owner=o.owner,
            )
            if o.ord_type.is_stop and o.triggered:
                raise DomainError(R.MODIFY_NOT_ALLOWED, "stop already triggered", "stop_price")
            validate_submit(new, o.inst, self.clock.now_ns(), self.venues[new.symbol].ext)
            if cmd.cl_ord_id is not None and (o.account, cmd.cl_ord_id) in self.cl_index:
                raise DomainError(R.DUPLICATE_CL_ORD_ID, "ClOrdID already in use", "cl_ord_id")
        except DomainError as e:
            self._reject("ReplaceOrder", e, cause, account=cmd.account, order_id=cmd.order_id)
            return None
        v = self.venues[o.inst.symbol]
        acct = self.accounts[o.account]
        saved = (o.hold_cash, o.hold_pos, o.hold_net)
        acct.release(o)
        n = self._new_order(new, o.inst, cause, orig_order_id=o.order_id)
        carried = self._carry_groups(o, n)
        if new.activate:
            try:
                self._reserve(n, v)
            except DomainError as e:
                self._uncarry(carried, o, n)
                acct.restore(o, *saved)
                self.order_seq -= 1  # the new id was never used
                self._reject("ReplaceOrder", e, cause, account=o.account, order_id=o.order_id)
                return None
        in_place = new.activate and _keeps_place(o, n)
        if in_place:
            v.book.substitute(o, n)
        elif new.activate and _keeps_waiting_place(o, n, v):
            in_place = True  # a waiting stop or market order: n waits where o waited
            if o.order_id in v.triggers.entries:
                v.triggers.substitute(o, n)
            else:
                v.pending_markets[v.pending_markets.index(o)] = n
        else:
            self._unplace(o)
        o.apply(T.REPLACE, self.clock.now_ns())
        self._retire(o)
        self._report(o, ExecType.REPLACED, cause, text=f"replaced by {n.order_id}")
        self._register(n)
        if not new.activate:
            n.apply(T.HOLD, self.clock.now_ns())
            self._expire_held(n)
            self._report(n, ExecType.NEW, cause, orig_order_id=o.order_id)
            self._carried_events(carried, o, cause)
            return n
        self._acknowledge(n, v, cause, orig_order_id=o.order_id)
        self._carried_events(carried, o, cause)
        if not in_place:
            self._work(n, v, cause)
        return n

    def _carry_groups(self, o: Order, n: Order) -> list:
        """Cancel/replace with a new id (spec section 1): in every Active group of ``o`` with
        no rule on its REPLACE event, ``n`` takes ``o``'s place (same position, role and
        release bookkeeping; what ``o`` filled counts for the group), so the group keeps
        working on the new order (a bracket's take-profit moved by Alor PUT still shares the
        stop-loss's position hold). Groups that do react (Alor OnExecuteOrCancel, IgnoreCancel)
        see the replace and keep ``o``. Returns what ``_uncarry`` needs to undo it."""
        carried = []
        for gid in tuple(o.groups or ()):
            g = self.groups.get(gid)
            i = g.position(o.order_id) if g is not None else None
            if i is None or g.listens(i, RuleEvent.REPLACE):
                continue
            m = g.members[i]
            carried.append((g, m, (m.order_id, m.filled_before, g.version)))
            g.substitute(i, n.order_id, o.cum_qty)
            o.remove_group(gid)
            n.add_group(gid)
        return carried

    @staticmethod
    def _uncarry(carried: list, o: Order, n: Order) -> None:
        """Undo ``_carry_groups`` (the replace was refused)."""
        for g, m, (oid, filled_before, version) in carried:
            m.order_id, m.filled_before, g.version = oid, filled_before, version
            n.remove_group(g.group_id)
            o.add_group(g.group_id)

    def _carried_events(self, carried: list, o: Order, cause: Cause) -> None:
        """One GroupUpdated "member_replaced" (``removed``: the replaced id) per carried group."""
        for g, _, _ in carried:
            if g.status is GroupStatus.ACTIVE:
                self._group_event(g, "member_replaced", cause, removed=o.order_id)

    # -- activation of Held orders ------------------------------------------------------
    def _activate_cmd(self, cmd: C.ActivateOrder, cause: Cause) -> None:
        o = self.orders.get(cmd.order_id)
        if o is None or o.status is not OrdStatus.HELD:
            err = DomainError(
                R.UNKNOWN_ORDER if o is None else R.ORDER_NOT_WORKING,
                "no Held order with this id",
                "order_id",
            )
            self._reject("ActivateOrder", err, cause, order_id=cmd.order_id)
            return
        self._activate(o, cmd.qty, cause)

    def _activate(self, o: Order, qty: int | None, cause: Cause) -> bool:
        """Held -> working, optionally sized now (position-attached child). A risk failure
        cancels the order with the reason (it was acknowledged, so it must end visibly)."""
        if o.status is not OrdStatus.HELD:
            return False
        if qty is not None:
            if qty <= 0:
                self._end(o, T.CANCEL, ExecType.CANCELED, cause, R.NON_POSITIVE_QTY,
                          "released with nothing to close")  # fmt: skip
                return False
            # a position-attached child (no quantity yet) takes what is released; a sized one
            # keeps any reduction its group made while it was Held
            o.qty = o.cum_qty + qty if o.qty == 0 else min(o.qty, o.cum_qty + qty)
        if o.qty - o.cum_qty <= 0:
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, R.NON_POSITIVE_QTY,
                      "released without a quantity")  # fmt: skip
            return False
        if o.price_offset is not None and (
            (o.ord_type.has_limit and o.price is None)
            or (o.ord_type in (OrdType.STOP_MARKET, OrdType.STOP_LIMIT) and o.stop_price is None)
        ):  # a price-linked order released without a fill to price it from
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, R.MISSING_FIELD,
                      "released without a price")  # fmt: skip
            return False
        v = self.venues[o.inst.symbol]
        try:
            self._reserve(o, v)
        except DomainError as e:
            self._end(o, T.CANCEL, ExecType.CANCELED, cause, e.reason, e.text)
            return False
        o.apply(T.ACTIVATE, self.clock.now_ns())
        self._set_expiry(o, v)
        self._report(o, ExecType.TRIGGERED, cause, text="activated")
        self._work(o, v, cause)
        return True

    # -- block trade --------------------------------------------------------------------
    def _block_trade(self, cmd: C.SubmitBlockTrade, cause: Cause) -> None:
        try:
            v = self._venue(cmd.symbol)
            buyer = self._account(cmd.buy_account, "buy_account")
            seller = self._account(cmd.sell_account, "sell_account")
            if cmd.qty <= 0:
                raise DomainError(R.NON_POSITIVE_QTY, "quantity must be positive", "quantity")
            if cmd.price <= 0:
                raise DomainError(R.INVALID_FIELD, "price must be positive", "price")
            check_units(cmd.qty, {"price": cmd.price})
            if cmd.buy_account == cmd.sell_account:
                raise DomainError(R.SELF_TRADE, "block trade needs two accounts", "sell_account")
        except DomainError as e:
            self._reject("SubmitBlockTrade", e, cause, account=cmd.buy_account)
            return
        legs = []
        for acct, side in ((buyer, Side.BUY), (seller, Side.SELL)):
            leg = C.SubmitOrder(
                account=acct.account_id, symbol=cmd.symbol, side=side,
                ord_type=OrdType.LIMIT, qty=cmd.qty, price=cmd.price, tif=TimeInForce.IOC,
                owner=cmd.owner, text=cmd.text,
            )  # fmt: skip
            o = self._new_order(leg, v.inst, cause)
            o.ord_type = OrdType.BLOCK_TRADE
            try:
                acct.reserve(o, cmd.price)
            except DomainError as e:
                for prev in legs:
                    self.accounts[prev.account].release(prev)
                self._reject("SubmitBlockTrade", e, cause, account=acct.account_id)
                return
            legs.append(o)
        self.trade_seq += 1
        for o in legs:
            self._register(o)
            o.apply(T.ACCEPT, self.clock.now_ns())
            self._report(o, ExecType.NEW, cause)
        for o in legs:
            self._fill(o, cmd.qty, cmd.price, cause, "block", self.trade_seq)
        self._drain()

    # -- lookups ------------------------------------------------------------------------
    def _account(self, account_id, field: str = "account"):
        a = self.accounts.get(account_id)
        if a is None:
            raise DomainError(R.UNKNOWN_ACCOUNT, f"unknown account {account_id!r}", field)
        return a

    def _venue(self, symbol):
        v = self.venues.get(symbol)
        if v is None:
            raise DomainError(R.UNKNOWN_INSTRUMENT, f"unknown instrument {symbol!r}", "symbol")
        return v

    def _own_live_order(self, order_id: int, account: str | None) -> Order:
        o = self.orders.get(order_id)
        if o is None or (account is not None and o.account != account):
            raise DomainError(R.UNKNOWN_ORDER, f"unknown order {order_id}", "order_id")
        if o.status.is_terminal:
            raise DomainError(R.ORDER_TERMINAL, f"order {order_id} is {o.status.value}", "order_id")
        return o


def _by_id(o: Order) -> int:
    return o.order_id


def _keeps_place(o: Order, n: Order) -> bool:
    """A replace that changes nothing but lowers the quantity keeps time priority (spec
    section 1: "a quantity decrease keeps it"): ``n`` takes ``o``'s place in the queue."""
    return bool(
        o.priority
        and o.status.is_working
        and n.price == o.price
        and n.stop_price == o.stop_price
        and n.display_qty == o.display_qty
        and n.qty <= o.qty - o.cum_qty
    )


def _waits(o: Order, v) -> bool:
    """``o`` waits outside the book: a stop in the trigger index, or a market order in the
    queue of market orders waiting for liquidity."""
    return o.order_id in v.triggers.entries or bool(v.pending_markets and o in v.pending_markets)


def _keeps_waiting_place(o: Order, n: Order, v) -> bool:
    """``_keeps_place`` for an order that ``_waits`` (same stop and limit, no more lots); a
    trailing stop is re-armed instead (its replacement starts its own water mark)."""
    return (
        o.status.is_working and o.trail is None and n.price == o.price
        and n.stop_price == o.stop_price and n.qty <= o.qty - o.cum_qty and _waits(o, v)
    )  # fmt: skip


def _trail_spec(o: Order) -> C.TrailSpec | None:
    t = o.trail
    if t is None:
        return None
    return C.TrailSpec(t.kind, t.offset, t.activation, t.limit_offset)
