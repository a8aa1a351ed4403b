"""AlphaPoint APEX transports: the WebSocket gateway ``/WSGateway/`` and HTTP ``/AP/<Function>``
(spec sections 4.2-4.4).

Invariants:
- WebSocket: one session per socket; frames are handled one at a time in arrival order, each
  answered by one m=1 frame echoing ``i`` and ``n`` (unknown function: m=5 with the plain
  string ``Endpoint Not Found``; non-JSON text: no reply; a payload ``o`` that is not JSON:
  the generic error 100). Frame keys match case-insensitively. Events (m=3) are written by the
  session's ``EventPump``; a lock keeps frames whole.
- HTTP: GET (query parameters) or POST (JSON body) with the same payloads; the reply is the
  bare payload JSON with status 200 (errors in the body, as APEX), 404 for an unknown function.
  Calls authenticate with ``aptoken`` (session token) or ``APIKey``/``Signature``/``UserId``/
  ``Nonce`` headers; ``AuthenticateUser`` also takes those headers or HTTP Basic.
- paths are matched case-insensitively by ``CaseInsensitivePrefix`` (``__init__``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

from condor.api.auth import Principal
from condor.api.dialects.alphapoint import errors as X
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint import session as S
from condor.api.dialects.alphapoint.functions import UnknownFunction, call
from condor.api.dialects.alphapoint.session import Session

router = APIRouter(tags=["alphapoint"], include_in_schema=False)

NOT_FOUND = "Endpoint Not Found"
AUTH_FUNCTIONS = frozenset({"authenticateuser", "authenticate", "webauthenticateuser"})


def _fold(frame: dict) -> dict:
    return {str(k).lower(): v for k, v in frame.items()}


def _payload(o: Any) -> Any:
    """The frame's ``o``: a JSON string (or, leniently, an object). Raises ValueError."""
    if o is None or o == "":
        return {}
    if isinstance(o, str):
        return W.loads(o)
    return o


def _echo(app):
    """The app's RequestEcho (``install``); None in an app that did not install it."""
    return getattr(app.state, "alphapoint_echo", None)


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


@router.websocket("/wsgateway")
@router.websocket("/wsgateway/")
async def gateway(ws: WebSocket) -> None:
    """The APEX WebSocket gateway."""
    rt = ws.app.state.runtime
    await ws.accept()
    lock = asyncio.Lock()

    async def send(text: str) -> None:
        async with lock:
            await ws.send_text(text)

    async def close(code: int) -> None:
        with contextlib.suppress(Exception):
            await ws.close(code)

    s = Session(extra={"send": send, "close": close}, echo=_echo(ws.app))
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            text = msg.get("text") if msg.get("text") is not None else msg.get("bytes")
            if text is None:
                continue
            await _handle(rt, s, text, send)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        if s.events is not None:
            await s.events.stop()


async def _handle(rt, s: Session, text: str | bytes, send) -> None:
    try:
        f = W.loads(text)
    except ValueError:
        return  # non-JSON text: no reply (section 4.3)
    if not isinstance(f, dict):
        return
    f = _fold(f)
    i = _int(f.get("i"))
    name = str(f.get("n") or "")
    try:
        payload = _payload(f.get("o"))
    except ValueError:
        body = X.generic(False, X.INVALID_REQUEST, "o is not a JSON payload")
        await send(W.frame(W.REPLY, i, name, body))
        return
    try:
        reply = await call(rt, s, name, payload)
    except UnknownFunction:
        await send(W.frame(W.ERROR, i, name, NOT_FOUND))
        return
    await send(W.frame(W.REPLY, i, name, reply))


# -- HTTP -----------------------------------------------------------------------------------
def _header_credentials(request: Request) -> dict:
    h = request.headers
    out = {k: h[k] for k in ("APIKey", "Signature", "UserId", "Nonce") if k in h}
    auth = h.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, pw = "", ""
        out.update(UserName=user, Password=pw)
    return out


def _http_principal(rt, request: Request) -> Principal | None:
    token = request.headers.get("aptoken")
    if token:
        return S.principal_of_token(rt, token)
    creds = _header_credentials(request)
    if "APIKey" in creds:
        user = S.check_api_key(rt, W.parse(W.AuthIn, creds))
        if user is not None:
            return Principal(user.username, user.role, user.accounts, user.user_id)
    return None


async def _http_payload(request: Request) -> Any:
    body = await request.body()
    if body.strip():
        return W.loads(body)
    return dict(request.query_params)


def _json(body: Any, status: int = 200) -> Response:
    return Response(W.dumps(body), status_code=status, media_type="application/json")


@router.api_route("/ap/{function}", methods=["GET", "POST"])
async def http_function(function: str, request: Request) -> Response:
    """``/AP/<Function>``: the same functions and payloads as the WebSocket gateway."""
    rt = request.app.state.runtime
    s = Session(http=True, echo=_echo(request.app))
    try:
        payload = await _http_payload(request)
    except ValueError:
        return _json(X.generic(False, X.INVALID_REQUEST, "body is not JSON"))
    if function.lower() in AUTH_FUNCTIONS:
        creds = _header_credentials(request)
        if creds and isinstance(payload, dict):
            payload = {**payload, **creds}
    else:
        try:
            s.principal = _http_principal(rt, request)
        except X.ApError as e:
            return _json(X.error_body(e))
    try:
        reply = await call(rt, s, function, payload)
    except UnknownFunction:
        return _json(X.generic(False, X.NOT_FOUND, NOT_FOUND), 404)
    return _json(reply)
