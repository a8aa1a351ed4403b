"""Alor WebSockets (wire-formats section 2.10): ``/ws`` order subscriptions and ``/cws``
order commands.

``/ws``: ``{"opcode": "OrdersGetAndSubscribeV2" | "StopOrdersGetAndSubscribeV2", "portfolio",
"exchange", "format", "guid", "token", "orderStatuses", "skipHistory"}`` -> an ack
``{"requestGuid", "httpCode": 200, "message": "Handled successfully"}``, then the snapshot
(``existing: true``) unless ``skipHistory``, then every change (``existing: false``), each as
``{"data": <order>, "guid": <guid>}``; ``{"opcode": "unsubscribe", "guid"}`` stops one.

``/cws``: ``{"opcode": "authorize", "guid", "token"}`` -> ``{"requestGuid", "httpCode": 200,
"message": "The connection has been initialized."}``; then ``create:<kind>``,
``update:<kind>`` (with ``orderId``) and ``delete:<kind>`` (``orderId``, ``exchange``,
``user.portfolio``) with the REST bodies; replies ``{"requestGuid", "httpCode", "message",
"orderNumber"}``. A command's ``guid`` is its request id unless ``checkDuplicates`` is false.
``/ws`` takes these command frames too: the npm client ``alor-api`` 1.0.66 (clients.md) sends
its ``ordersWss`` commands to its ``wssEndpoint``, the ``/ws`` URL.

Invariants: changes come from the native ``StreamHub`` (durable, in engine order): a
subscription registers with the hub and takes its snapshot in one step of the event loop, so
nothing falls between them (an order changed meanwhile may be sent twice, never missed). An
event carries the order as it stands when sent. Commands run through ``commands`` (the
runtime). A slow consumer whose hub queue overflows gets an error frame and its subscription
ends (never a silent gap).
"""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from condor.api.auth import Principal
from condor.api.dialects.alor import commands
from condor.api.dialects.alor import mapping as M
from condor.api.dialects.alor import tokens as T
from condor.api.dialects.alor.errors import AlorError, from_api_error
from condor.api.dialects.alor.jsonio import dumps
from condor.api.dialects.alor.reads import listed, view
from condor.api.dialects.alor.schemas import normalise_keys, parse_body
from condor.api.errors import ApiError

router = APIRouter(tags=["alor"])

SUBSCRIBE = {"ordersgetandsubscribev2": "orders", "stopordersgetandsubscribev2": "stoporders"}


class _Socket:
    """One client socket: serialised sends."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.principal: Principal | None = None  # the command caller, set by ``authorize``

    async def send(self, obj) -> None:
        async with self.lock:
            await self.ws.send_text(dumps(obj))

    async def status(self, guid, code: int, message: str, **extra) -> None:
        await self.send({"requestGuid": guid, "httpCode": code, "message": message, **extra})


def _decode(text: str) -> dict | None:
    try:
        v = parse_body(text.encode())
    except ValueError:
        return None
    return normalise_keys(v) if isinstance(v, dict) else None


def _error(e: Exception) -> tuple[int, str]:
    if isinstance(e, ApiError):
        e = from_api_error(e)
    if isinstance(e, AlorError):
        return e.status, e.message
    raise e


class _Subscription:
    """One ``*GetAndSubscribeV2`` of a socket."""

    def __init__(self, rt, sock: _Socket, p: Principal, msg: dict, what: str) -> None:
        self.rt, self.sock, self.p, self.what = rt, sock, p, what
        self.guid = msg.get("guid")
        self.portfolio = msg.get("portfolio")
        self.exchange = str(msg.get("exchange") or "MOEX").upper()
        self.fmt = str(msg.get("format") or "simple").lower()
        st = msg.get("orderStatuses")
        ok = isinstance(st, list) and st
        self.statuses = frozenset(s.lower() for s in st if isinstance(s, str)) if ok else None
        self.skip = bool(msg.get("skipHistory"))
        self.hub_sub = None
        self.task: asyncio.Task | None = None

    def wants(self, o) -> bool:
        return (
            o.account == self.portfolio
            and M.alor_exchange(o.inst) == self.exchange
            and listed(o, self.what)
            and (self.statuses is None or M.STATUS_OUT[o.status] in self.statuses)
        )

    def frame(self, o, existing: bool) -> dict:
        return {"data": view(o, self.what, self.fmt, existing), "guid": self.guid}

    async def start(self) -> None:
        """Validate, register with the hub and take the snapshot in one step, then ack."""
        if not isinstance(self.portfolio, str):
            raise AlorError(400, "portfolio is required", "MissingField", "portfolio")
        if self.fmt not in M.FORMATS:
            raise AlorError(400, f"Unknown format {self.fmt!r}", "InvalidField", "format")
        with self.rt.read() as e:
            if self.portfolio not in e.accounts or not self.p.may_see(self.portfolio):
                raise AlorError(403, f"No rights on portfolio {self.portfolio!r}", "Forbidden")
            self.hub_sub, _ = self.rt.hub.subscribe(self.p, None, frozenset({"order"}))
            snapshot = [] if self.skip else [
                self.frame(o, True)
                for o in sorted(e.orders.values(), key=lambda x: x.order_id)
                if self.wants(o)
            ]  # fmt: skip
        await self.sock.status(self.guid, 200, "Handled successfully")
        for f in snapshot:
            await self.sock.send(f)
        self.task = asyncio.create_task(self._forward())

    async def _forward(self) -> None:
        sub = self.hub_sub
        while True:
            await sub.event.wait()
            sub.event.clear()
            frames = []
            with self.rt.read() as e:
                while sub.queue:
                    _, text = sub.queue.popleft()
                    data = orjson.loads(text)["data"]
                    o = e.orders.get(data.get("order_id"))
                    if o is not None and self.wants(o):
                        frames.append(self.frame(o, False))
            for f in frames:
                await self.sock.send(f)
            if sub.overflow:
                await self.sock.status(self.guid, 500, "slow consumer: subscription dropped")
                return

    async def stop(self) -> None:
        if self.hub_sub is not None:
            self.rt.hub.unsubscribe(self.hub_sub)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task


@router.websocket("/ws")
async def data_socket(ws: WebSocket) -> None:
    """Order and stop-order subscriptions (see the module doc)."""
    rt = ws.app.state.runtime
    await ws.accept()
    sock = _Socket(ws)
    subs: dict[str, _Subscription] = {}
    try:
        while True:
            msg = _decode(await ws.receive_text())
            if msg is None:
                await sock.status(None, 400, "the message is not a JSON object")
                continue
            guid, opcode = msg.get("guid"), str(msg.get("opcode") or "")
            if is_command(opcode):
                await _command_frame(rt, sock, msg)
                continue
            if opcode.lower() == "unsubscribe":
                s = subs.pop(guid, None)
                if s is not None:
                    await s.stop()
                await sock.status(guid, 200 if s else 404,
                                  "Handled successfully" if s else "Unknown subscription")  # fmt: skip
                continue
            what = SUBSCRIBE.get(opcode.lower())
            if what is None:
                await sock.status(guid, 400, f"Unsupported opcode {opcode!r}")
                continue
            s = None
            try:
                p = T.principal(rt, msg.get("token"))
                s = _Subscription(rt, sock, p, msg, what)
                if guid in subs:
                    await subs.pop(guid).stop()
                await s.start()
                subs[guid] = s
            except (AlorError, ApiError) as e:
                if s is not None:
                    await s.stop()
                code, text = _error(e)
                await sock.status(guid, code, text)
    except WebSocketDisconnect:
        pass
    finally:
        for s in subs.values():
            await s.stop()


@router.websocket("/cws")
async def command_socket(ws: WebSocket) -> None:
    """Order commands over a socket (see the module doc)."""
    rt = ws.app.state.runtime
    await ws.accept()
    sock = _Socket(ws)
    try:
        while True:
            msg = _decode(await ws.receive_text())
            if msg is None:
                await sock.status(None, 400, "the message is not a JSON object")
                continue
            await _command_frame(rt, sock, msg)
    except WebSocketDisconnect:
        pass


COMMAND_VERBS = frozenset({"create", "update", "delete"})


def is_command(opcode: str) -> bool:
    """``authorize``, ``create:<kind>``, ``update:<kind>`` or ``delete:<kind>`` (any casing):
    a command-socket opcode."""
    verb, colon, _ = opcode.partition(":")
    v = verb.lower()
    return v == "authorize" or (bool(colon) and v in COMMAND_VERBS)


async def _command_frame(rt, sock: _Socket, msg: dict) -> None:
    """One command-socket frame: ``authorize`` binds the socket's caller (``sock.principal``);
    a command runs as that caller, or as its own ``token``'s; the reply or error is sent."""
    guid = msg.get("guid")
    verb, _, kind = str(msg.get("opcode") or "").partition(":")
    try:
        if verb.lower() == "authorize":
            sock.principal = T.principal(rt, msg.get("token"))
            await sock.status(guid, 200, "The connection has been initialized.")
            return
        if msg.get("token"):
            sock.principal = T.principal(rt, msg.get("token"))
        if sock.principal is None:
            raise AlorError(401, "authorize first", "Unauthorized")
        await _command(rt, sock, sock.principal, verb.lower(), kind, guid, msg)
    except (AlorError, ApiError) as e:
        code, text = _error(e)
        await sock.status(guid, code, text)


async def _command(rt, sock: _Socket, p: Principal, verb: str, kind: str, guid, msg) -> None:
    body = {k: v for k, v in msg.items() if k not in ("opcode", "guid", "token")}
    reqid = str(guid) if guid is not None and msg.get("checkDuplicates", True) else None
    if verb == "create":
        r = await commands.create(rt, p, kind, body, reqid)
    elif verb == "update":
        r = await commands.modify(rt, p, kind, body.get("orderId"), body, reqid)
    elif verb == "delete":
        commands.order_kind(kind)
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        portfolio = user.get("portfolio") or body.get("portfolio")
        await commands.cancel(rt, p, body.get("orderId"), portfolio)
        await sock.status(guid, 200, "success", orderNumber=str(body.get("orderId")))
        return
    else:
        raise AlorError(400, f"Unsupported opcode {verb}:{kind}", "BadRequest")
    if r.status != 200:
        await sock.status(guid, r.status, r.body["message"], oldResponse=r.body["oldResponse"])
        return
    await sock.status(guid, 200, r.body["message"], orderNumber=r.body["orderNumber"])
