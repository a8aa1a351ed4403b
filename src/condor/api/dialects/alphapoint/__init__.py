"""AlphaPoint APEX dialect (seed 004, spec section 4): the WebSocket gateway ``/WSGateway/``
and the HTTP flavour ``/AP/<Function>``.

Modules: ``schemas`` (frame codec, request payloads), ``mapping`` (APEX enums/ids <-> engine
commands), ``objects`` (Order, Instrument, Product, position and event objects out),
``session`` (authentication), ``orders``, ``reads`` and ``trades`` (the functions), ``events``
(subscriptions fed by the stream hub), ``functions`` (dispatch by name), ``routes`` (the two
transports), ``errors`` (generic response, codes). See docs/dialects/alphapoint.md.
"""

from __future__ import annotations

from fastapi import FastAPI

PREFIXES = frozenset({"wsgateway", "ap"})


class CaseInsensitivePrefix:
    """Pure ASGI middleware: lower-cases the first path segment when it is ``WSGateway`` or
    ``AP`` in any case (``/WSGateway/``, ``/AP/SendOrder``); path parameters (the function
    name) are left as sent."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            path: str = scope.get("path", "")
            head, sep, rest = path[1:].partition("/")
            low = head.lower()
            if low in PREFIXES and head != low:
                scope = dict(scope)
                scope["path"] = f"/{low}{sep}{rest}"
                raw = scope.get("raw_path")
                if raw:  # the head is ASCII: same length in the encoded path
                    scope["raw_path"] = b"/" + low.encode() + raw[1 + len(head) :]
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Mount the gateway and the ``/AP/`` routes, with case-insensitive prefixes; the app's
    ``RequestEcho`` (the requests reject events echo) is ``app.state.alphapoint_echo``."""
    from condor.api.dialects.alphapoint.rejects import RequestEcho
    from condor.api.dialects.alphapoint.routes import router

    app.state.alphapoint_echo = RequestEcho()
    app.include_router(router)
    app.add_middleware(CaseInsensitivePrefix)
