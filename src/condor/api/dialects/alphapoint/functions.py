"""AlphaPoint APEX functions by name: the one dispatch table both transports use.

Invariant: a function name matches case-insensitively; ``call`` returns the reply payload or
raises ``UnknownFunction`` (WebSocket: m=5 "Endpoint Not Found"; HTTP: 404). Any ApError
becomes the generic error response (section 4.9); nothing else escapes as a server error
except a real bug (102 Server Error, logged).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from condor.api.dialects.alphapoint import errors as X
from condor.api.dialects.alphapoint import mapping as M
from condor.api.dialects.alphapoint import orders, reads, trades
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint import session as S
from condor.api.dialects.alphapoint.errors import ApError
from condor.api.dialects.alphapoint.events import ACCOUNT, ORDER_STATE, EventPump
from condor.api.dialects.alphapoint.session import Session

log = logging.getLogger("condor.api.alphapoint")

Fn = Callable[[Any, Session, Any], Awaitable[Any]]


class UnknownFunction(Exception):
    pass


# -- authentication -------------------------------------------------------------------------
async def authenticate_user(rt, s: Session, payload: Any) -> dict:
    """AuthenticateUser: user name + password, or API key + verified signature (4.4)."""
    a = W.parse(W.AuthIn, payload)
    user = await S.login(rt, a)
    if user is None:
        return S.authenticate_failed()
    return S.authenticate_reply(rt, user, S.open_session(rt, s, user))


async def web_authenticate_user(rt, s: Session, payload: Any) -> dict:
    """WebAuthenticateUser: user name + password or SessionToken; capitalized reply (4.4)."""
    a = W.parse(W.AuthIn, payload)
    user = await S.login(rt, a)
    if user is None:
        return {"Authenticated": False, "errormsg": S.BAD_LOGIN}
    token = S.open_session(rt, s, user)
    return {"Authenticated": True, "SessionToken": token, "UserId": user.user_id or 0,
            "errormsg": None}  # fmt: skip


async def log_out(rt, s: Session, payload: Any) -> dict:
    """LogOut: revoke the session token and unbind the session."""
    if s.principal is not None:
        rt.auth.revoke(s.principal)
    s.principal = None
    s.token = None
    if s.events is not None:
        await s.events.stop()
        s.events = None
    return X.generic()


async def ping(rt, s: Session, payload: Any) -> dict:
    return {"msg": "PONG"}


# -- subscriptions (WebSocket only) ---------------------------------------------------------
def _pump(rt, s: Session) -> EventPump:
    if s.http:
        raise ApError(X.NOT_SUPPORTED, "subscriptions need the WebSocket gateway")
    p = s.require()
    if s.events is None:
        s.events = EventPump(rt, p, s.extra["send"], s.extra["close"], s.echo)
    return s.events


def _subscribe(kind: str):
    async def fn(rt, s: Session, payload: Any) -> dict:
        a = W.parse(W.AccountIn, payload)
        M.check_oms(a.OMSId)
        acc = s.account(a.AccountId)
        if not _pump(rt, s).add(acc, kind, a.InstrumentId if kind == ORDER_STATE else None):
            raise ApError(X.ALREADY_SUBSCRIBED, "Already Subscribed.")
        return {"Subscribe": True, "Subscribed": True}

    return fn


def _unsubscribe(kind: str):
    async def fn(rt, s: Session, payload: Any) -> dict:
        a = W.parse(W.AccountIn, payload)
        M.check_oms(a.OMSId)
        acc = s.account(a.AccountId)
        removed = s.events is not None and s.events.remove(acc, kind)
        return {"Unsubscribe": removed, "Unsubscribed": removed}

    return fn


FUNCTIONS: dict[str, Fn] = {
    "ping": ping,
    "authenticateuser": authenticate_user,
    "authenticate": authenticate_user,
    "webauthenticateuser": web_authenticate_user,
    "logout": log_out,
    "getinstruments": reads.get_instruments,
    "getinstrument": reads.get_instrument,
    "getproducts": reads.get_products,
    "getuseraccounts": reads.get_user_accounts,
    "getaccountpositions": reads.get_account_positions,
    "sendorder": orders.send_order,
    "sendorderlist": orders.send_order_list,
    "cancelorder": orders.cancel_order,
    "cancelallorders": orders.cancel_all_orders,
    "cancelreplaceorder": orders.cancel_replace_order,
    "modifyorder": orders.modify_order,
    "getopenorders": reads.get_open_orders,
    "getorderstatus": reads.get_order_status,
    "getorderhistory": reads.get_order_history,
    "getordershistory": reads.get_order_history,
    "getorderhistorybyorderid": reads.get_order_history_by_order_id,
    "gettradeshistory": trades.get_trades_history,
    "subscribeaccountevents": _subscribe(ACCOUNT),
    "unsubscribeaccountevents": _unsubscribe(ACCOUNT),
    "subscribeorderstateevents": _subscribe(ORDER_STATE),
    "unsubscribeorderstateevents": _unsubscribe(ORDER_STATE),
}
"""Lower-case function name -> handler ``(runtime, session, payload) -> reply payload``."""


PUBLIC = frozenset(
    {"ping", "authenticateuser", "authenticate", "webauthenticateuser", "logout",
     "getinstruments", "getinstrument", "getproducts", "sendorder", "sendorderlist"}
)  # fmt: skip
"""Functions callable before authentication (SendOrder answers its own Rejected form)."""


async def call(rt, s: Session, name: str, payload: Any) -> Any:
    """Run function ``name``; returns its reply (an error becomes the generic response).
    Raises UnknownFunction. Functions outside ``PUBLIC`` need an authenticated session
    (else 20 Not Authorized, before the payload is even read)."""
    key = name.lower()
    fn = FUNCTIONS.get(key)
    if fn is None:
        raise UnknownFunction(name)
    try:
        if key not in PUBLIC:
            s.require()
        return await fn(rt, s, payload)
    except ApError as e:
        return X.error_body(e)
    except Exception:
        log.exception("alphapoint %s failed", name)
        return X.generic(False, X.SERVER_ERROR, "internal error")
