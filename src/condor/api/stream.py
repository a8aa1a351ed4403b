"""The event stream: a sequenced hub with a replay ring, and the WebSocket ``/api/v1/stream``.

Invariants:
- every message the hub publishes gets the next stream sequence number (``seq``, from 1, no
  gaps across the whole hub); the last ``buffer_size`` messages stay in a ring for replay.
  A restarted journaled server ``resume``s at the head its journal recorded, so numbers never
  repeat across restarts; messages before the restart are not replayable (4410).
- a caller sees exactly the messages it may see (``visible``): market data is public; order,
  execution, position and group messages only for the caller's accounts (or groups it owns);
  Operators see everything. A client that connects with ``since=N`` receives every visible
  message with ``seq > N`` in order, then the live ones, with none lost in between: the backlog
  is taken and the live queue registered in one synchronous step of the event loop.
- a client's live queue is bounded (``queue_size``); when it is full the client is closed with
  code 4008 and a reason naming the last ``seq`` delivered, never dropped silently: what was
  queued is sent first while the client keeps reading. A client that stopped reading (its
  socket takes no more frames, so a send waits) is not waited for: when its queue fills, the
  send is abandoned (never half-written), the subscription and its queue are freed at once,
  and the 4008 close is tried for ``CLOSE_WAIT_S`` seconds. So a stalled client holds at most
  ``queue_size`` messages, and neither the hub nor other clients ever wait on it. A ``since``
  older than the ring closes with 4410, one ahead of the head with 4409, a bad token with 4401,
  a bad query parameter (``since`` not a whole number, an unknown ``types`` entry) with 4400
  naming the parameter.
- a connection lives no longer than its token: when the token expires, or is revoked (logout
  in any dialect), the stream closes with 4401 and a reason naming the last ``seq`` delivered;
  the client reconnects with a new token and ``since=<seq>`` and misses nothing.

Wire: every message is ``{"seq": n, "type": t, "data": {...}}`` with ``type`` one of
``order``, ``execution``, ``trail``, ``position``, ``group``, ``rejected``, ``quote``,
``trade``; the first frame is ``{"type": "welcome", "head": n}`` (not sequenced).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import orjson
from fastapi import APIRouter, WebSocket

from condor.api.auth import Principal
from condor.api.errors import ApiError

Scope = tuple[frozenset[str] | None, str | None] | None
"""None: public; else (accounts, owner) of the message."""

CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_SLOW = 4008
CLOSE_GAP = 4410
CLOSE_AHEAD = 4409
CLOSE_WAIT_S = 5.0
"""How long a stalled client's 4008 close frame may wait for its socket (seconds)."""

TYPES = ("order", "execution", "trail", "position", "group", "rejected", "quote", "trade")
"""Every message ``type`` the stream publishes (the ``types`` filter names some of them)."""


def visible(p: Principal, scope: Scope) -> bool:
    if scope is None or p.is_operator:
        return True
    accounts, owner = scope
    if owner is not None and owner == p.username:
        return True
    return bool(accounts) and not accounts.isdisjoint(p.accounts)


class StreamGap(Exception):
    """``since`` cannot be served gap-free; ``code`` is the WebSocket close code."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code


class Subscriber:
    """One connection's live queue (at most ``limit`` messages) and its sender's state:
    ``sender`` the task that sends its frames, ``sending`` while a send waits for the socket,
    ``stalled`` once its queue overflowed during such a wait (the send is then abandoned),
    ``ending`` the (close code, reason) the server ends it with (token expired or revoked)."""

    __slots__ = (
        "closed", "ending", "event", "last_sent", "limit", "overflow", "principal", "queue",
        "sender", "sending", "stalled", "types",
    )  # fmt: skip

    def __init__(self, principal: Principal, limit: int, types: frozenset[str] | None) -> None:
        self.principal = principal
        self.limit = limit
        self.types = types
        self.queue: deque[tuple[int, str]] = deque()
        self.event = asyncio.Event()
        self.overflow = False
        self.closed = False
        self.last_sent = 0
        self.sender: asyncio.Task | None = None
        self.sending = False
        self.stalled = False
        self.ending: tuple[int, str] | None = None

    def end(self, code: int, why: str) -> None:
        """Close this connection with ``code`` (reason ``why``, then the ``since=`` to resume
        from) as soon as its sender wakes; what is still queued is not sent."""
        if self.ending is None:
            self.ending = (code, why)
            self.event.set()

    def wants(self, kind: str, scope: Scope) -> bool:
        return (self.types is None or kind in self.types) and visible(self.principal, scope)

    def push(self, seq: int, text: str) -> None:
        """Queue a message; past ``limit``, mark the overflow (the sender closes with 4008
        after what is queued), and if the sender is waiting for a socket that takes nothing
        more, abandon its send and free the queue (``stalled``)."""
        if self.stalled:
            return
        if self.overflow or len(self.queue) >= self.limit:
            self.overflow = True
            if self.sending and self.sender is not None:
                self.stalled = True
                self.queue.clear()
                self.sender.cancel()
        else:
            self.queue.append((seq, text))
        self.event.set()


class StreamHub:
    """Sequencer, replay ring and fan-out. Call only from the event loop's thread."""

    def __init__(self, buffer_size: int = 100_000, queue_size: int = 10_000) -> None:
        self.seq = 0
        self.base = 0  # the head this process started from (resume)
        self.queue_size = queue_size
        self.ring: deque[tuple[int, str, Scope, str]] = deque(maxlen=buffer_size)
        self.subs: set[Subscriber] = set()

    def resume(self, head: int) -> None:
        """Continue numbering after ``head`` (the journaled head of a restarted server);
        call before anything is published."""
        if self.ring:
            raise RuntimeError("resume after messages were published")
        self.seq = self.base = head

    def publish(self, kind: str, scope: Scope, data: dict) -> int:
        self.seq += 1
        seq = self.seq
        text = orjson.dumps({"seq": seq, "type": kind, "data": data}).decode()
        self.ring.append((seq, kind, scope, text))
        for s in self.subs:
            if s.wants(kind, scope):
                s.push(seq, text)
        return seq

    def subscribe(
        self, p: Principal, since: int | None, types: frozenset[str] | None = None
    ) -> tuple[Subscriber, list[tuple[int, str]]]:
        """Register a subscriber and return it with the backlog of visible messages after
        ``since`` (empty for None). Raises StreamGap when the ring no longer holds them."""
        sub = Subscriber(p, self.queue_size, types)
        sub.last_sent = self.seq if since is None else since  # where a resume starts from
        backlog: list[tuple[int, str]] = []
        if since is not None:
            if since > self.seq:
                raise StreamGap(CLOSE_AHEAD, f"since={since} is ahead of the head {self.seq}")
            oldest = self.ring[0][0] if self.ring else self.seq + 1
            if since < self.base and oldest == self.base + 1:
                raise StreamGap(
                    CLOSE_GAP,
                    f"since={since} precedes the server's restart at seq {self.base}; "
                    "messages before it are not replayable",
                )
            if since < oldest - 1:
                raise StreamGap(
                    CLOSE_GAP, f"since={since} is older than the replay buffer (oldest {oldest})"
                )
            start = len(self.ring) - (self.seq - since)
            for i in range(max(start, 0), len(self.ring)):
                seq, kind, scope, text = self.ring[i]
                if sub.wants(kind, scope):
                    backlog.append((seq, text))
        self.subs.add(sub)
        return sub, backlog

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subs.discard(sub)

    def end_token(self, jti: str) -> None:
        """Close every connection authenticated by the token ``jti`` (revoked: logged out)
        with 4401 (``Authenticator.revoke_listeners``)."""
        for s in self.subs:
            if s.principal.jti == jti:
                s.end(CLOSE_UNAUTHORIZED, "token revoked")


router = APIRouter()


def _token(ws: WebSocket, token: str | None) -> str | None:
    if token:
        return token
    h = ws.headers.get("authorization", "")
    return h[7:] if h.lower().startswith("bearer ") else None


def _query(since: str | None, types: str | None) -> tuple[int | None, frozenset[str] | None]:
    """(``since``, ``types``) of the query; raises ValueError naming the parameter (closed
    with 4400)."""
    n = None
    if since is not None:
        if not since.isascii() or not since.isdigit():
            raise ValueError(f"since: {since[:40]!r} is not a seq (a whole number, 0 or more)")
        n = int(since)
    kinds = None
    if types is not None:
        kinds = frozenset(t.strip() for t in types.split(",") if t.strip())
        unknown = sorted(kinds.difference(TYPES))
        if unknown or not kinds:
            bad = f"unknown type {unknown[0][:20]!r}" if unknown else "no type named"
            raise ValueError(f"types: {bad}; one or more of {','.join(TYPES)}")
    return n, kinds


@router.websocket("/api/v1/stream")
async def stream(
    ws: WebSocket, since: str | None = None, token: str | None = None, types: str | None = None
) -> None:
    """Events the caller may see, sequenced; ``since=<seq>`` replays what it missed.
    Authenticate with ``?token=<jwt>`` or an ``Authorization: Bearer`` header; ``types``
    filters by message type (comma-separated, of ``TYPES``). Close codes: 4400 bad query
    parameter, 4401 bad, expired or revoked token, 4008 slow consumer, 4409 ``since`` ahead of
    the head, 4410 ``since`` no longer replayable (module doc)."""
    rt = ws.app.state.runtime
    await ws.accept()
    tok = _token(ws, token)
    try:
        if tok is None:
            raise ApiError(401, "missing token")
        p = rt.auth.decode(tok)
    except ApiError as e:
        await ws.close(CLOSE_UNAUTHORIZED, e.detail)
        return
    try:
        start, kinds = _query(since, types)
    except ValueError as e:
        await ws.close(CLOSE_BAD_REQUEST, str(e)[:120])
        return
    try:
        sub, backlog = rt.hub.subscribe(p, start, kinds)
    except StreamGap as e:
        await ws.close(e.code, str(e))
        return
    receiver = asyncio.create_task(_watch_close(ws, sub))
    sub.sender = asyncio.current_task()
    expiry = None
    if p.exp is not None:  # the token lapses: so does the connection
        expiry = asyncio.get_running_loop().call_later(
            max(p.exp - time.time(), 0.0), sub.end, CLOSE_UNAUTHORIZED, "token expired"
        )
    try:
        await _send(ws, sub, 0, orjson.dumps({"type": "welcome", "head": rt.hub.seq}).decode())
        for seq, text in backlog:
            if sub.ending is not None:
                break
            await _send(ws, sub, seq, text)
        while True:
            if sub.ending is None:
                await sub.event.wait()
                sub.event.clear()
            if sub.closed:
                break
            if sub.ending is not None:
                code, why = sub.ending
                await ws.close(code, f"{why}; reconnect with since={sub.last_sent}")
                break
            while sub.queue:
                seq, text = sub.queue.popleft()
                await _send(ws, sub, seq, text)
            if sub.overflow:
                await ws.close(CLOSE_SLOW, _slow_reason(sub))
                break
    except asyncio.CancelledError:
        if not sub.stalled:
            raise
        asyncio.current_task().uncancel()  # the hub abandoned the stalled send, not a shutdown
        rt.hub.unsubscribe(sub)
        with contextlib.suppress(Exception):  # TimeoutError: the socket is still full
            await asyncio.wait_for(ws.close(CLOSE_SLOW, _slow_reason(sub)), CLOSE_WAIT_S)
    except Exception:  # the client went away mid-send
        pass
    finally:
        if expiry is not None:
            expiry.cancel()
        rt.hub.unsubscribe(sub)
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver


async def _send(ws: WebSocket, sub: Subscriber, seq: int, text: str) -> None:
    """Send one frame and note its ``seq`` as delivered; ``sending`` is true only while the
    send waits for the socket, which ``Subscriber.push`` cancels when the queue overflows
    meanwhile. uvicorn waits before it writes a frame, so a cancelled send wrote nothing; a
    server that writes first then waits would make the close reason's ``since`` one frame
    early (a duplicate on resume, never a gap)."""
    sub.sending = True
    try:
        await ws.send_text(text)
    finally:
        sub.sending = False
    if seq:
        sub.last_sent = seq


def _slow_reason(sub: Subscriber) -> str:
    reason = f"slow consumer: queue of {sub.limit} full; reconnect with since={sub.last_sent}"
    return reason[:120]


async def _watch_close(ws: WebSocket, sub: Subscriber) -> None:
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
    finally:
        sub.closed = True
        sub.event.set()
