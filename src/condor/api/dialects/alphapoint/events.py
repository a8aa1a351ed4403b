"""AlphaPoint APEX event subscriptions over the WebSocket gateway (spec section 4.8).

Invariants:
- events come from the runtime's stream hub (``StreamHub``), never from the engine directly:
  they are published only once durable, in engine order, and each session sees only what its
  principal may see. One hub subscriber per session, registered synchronously when the first
  subscription is made (so nothing published after the reply is missed).
- a stream ``order`` message becomes ``OrderStateEvent`` (full Order object with the state of
  that report; PendingNew reports are not sent), ``execution`` becomes ``OrderTradeEvent``,
  ``position`` becomes ``AccountPositionEvent`` for the instrument (and one for the
  instrument's currency, read when the message is translated), ``rejected`` becomes
  ``NewOrderRejectEvent`` / ``CancelOrderRejectEvent`` / ``CancelReplaceOrderRejectEvent`` /
  ``CancelAllOrdersRejectEvent`` by command (bodies: ``rejects``).
- ``SubscribeAccountEvents`` delivers all of these for the account; ``SubscribeOrderStateEvents``
  only OrderStateEvent (optionally of one instrument). Frames are m=3 with a per-session
  counter ``i``. A session whose queue overflows is closed (code 4008), never silently thinned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal

from condor.api import wire_json
from condor.api.dialects.alphapoint import objects as O
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.rejects import RequestEcho, reject_event
from condor.domain.orders.enums import ExecType
from condor.domain.values import cash_to_decimal

log = logging.getLogger("condor.api.alphapoint")

ACCOUNT = "account"
ORDER_STATE = "orderstate"
KINDS = frozenset({"order", "execution", "position", "rejected"})
CLOSE_SLOW = 4008


class EventPump:
    """The event side of one WebSocket session. ``send(text)`` writes one frame; ``echo`` the
    app's requests that reject events echo (``rejects``)."""

    def __init__(
        self, rt, principal, send: Callable[[str], Awaitable[None]], close,
        echo: RequestEcho | None = None,
    ) -> None:  # fmt: skip
        self.rt = rt
        self.echo = echo
        self._pids: dict[str, int] | None = None
        self.principal = principal
        self.send = send
        self.close = close
        self.subs: dict[tuple[str, str], int | None] = {}  # (account, kind) -> instrument
        self.hub_sub = None
        self.task: asyncio.Task | None = None
        self.counter = 0

    # -- subscriptions ----------------------------------------------------------------------
    def add(self, account: str, kind: str, instrument_id: int | None = None) -> bool:
        """Subscribe; False when already subscribed (909)."""
        if (account, kind) in self.subs:
            return False
        self.subs[(account, kind)] = instrument_id
        if self.hub_sub is None:
            self.hub_sub, _ = self.rt.hub.subscribe(self.principal, None, KINDS)
            self.task = asyncio.create_task(self._run(), name="alphapoint-events")
        return True

    def remove(self, account: str, kind: str) -> bool:
        return self.subs.pop((account, kind), False) is not False

    async def stop(self) -> None:
        if self.hub_sub is not None:
            self.rt.hub.unsubscribe(self.hub_sub)
            self.hub_sub.closed = True
            self.hub_sub.event.set()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    # -- the pump -----------------------------------------------------------------------------
    async def _run(self) -> None:
        sub = self.hub_sub
        while True:
            await sub.event.wait()
            sub.event.clear()
            if sub.closed:
                return
            while sub.queue:
                _, text = sub.queue.popleft()
                for name, body in self.translate(wire_json.loads(text)):
                    self.counter += 1
                    await self.send(W.frame(W.EVENT, self.counter, name, body))
            if sub.overflow:
                log.warning("alphapoint session too slow; closing")
                await self.close(CLOSE_SLOW)
                return

    def _wants(self, account: str, kind: str, instrument_id: int | None = None) -> bool:
        if (account, kind) not in self.subs:
            return False
        want = self.subs[(account, kind)]
        return not want or instrument_id is None or want == instrument_id

    def translate(self, msg: dict) -> list[tuple[str, dict]]:
        """One stream message -> the APEX events this session subscribed to."""
        kind, data = msg["type"], msg["data"]
        account = data.get("account")
        if account is None:
            return []
        with self.rt.read() as e:
            if kind == "order":
                if data["exec_type"] == ExecType.PENDING_NEW.value:
                    return []
                o = e.orders.get(data["order_id"])
                if o is None:
                    return []
                iid = o.inst.instrument_id
                if self._wants(account, ACCOUNT) or self._wants(account, ORDER_STATE, iid):
                    ev = O.order_event(o, e, data, self.rt.auth.users, self.rt.order)
                    return [("OrderStateEvent", ev)]
                return []
            if not self._wants(account, ACCOUNT):
                return []
            if kind == "execution":
                inst = e.instruments.get(data["symbol"])
                o = e.orders.get(data["order_id"])
                orig = O.orig_ids(o, self.rt.order) if o is not None else None
                return [("OrderTradeEvent", O.trade_event(data, inst, orig, data["seq"]))]
            if kind == "position":
                return self._positions(e, account, data)
            if kind == "rejected":
                out = reject_event(data, self.rt.order, self.echo)
                return [out] if out is not None else []
        return []

    def _product_ids(self, e) -> dict[str, int]:
        """``objects.product_ids``, computed once: accounts and instruments are configuration."""
        if self._pids is None:
            self._pids = O.product_ids(e)
        return self._pids

    def _positions(self, e, account: str, data: dict) -> list[tuple[str, dict]]:
        inst = e.instruments.get(data["symbol"])
        pids = self._product_ids(e)
        held = Decimal(data["held_long"]) + Decimal(data["held_short"])
        out = [
            (
                "AccountPositionEvent",
                O.position_out(account, inst.symbol, pids.get(inst.symbol, 0),
                               Decimal(data["quantity"]), held),
            )
        ]  # fmt: skip
        a = e.accounts.get(account)
        if a is not None:
            ccy = inst.currency
            out.append(
                (
                    "AccountPositionEvent",
                    O.position_out(account, ccy, pids.get(ccy, 0),
                                   cash_to_decimal(a.cash.get(ccy, 0)),
                                   cash_to_decimal(a.held_cash.get(ccy, 0))),
                )
            )  # fmt: skip
        return out
