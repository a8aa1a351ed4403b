"""A tiny APEX WebSocket client for the dialect's tests: frames ``{m, i, n, o}`` over a real
socket (``websockets``), replies matched by ``i``, events (m=3) kept in arrival order."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from websockets.sync.client import connect

from server_fixtures import api_settings, running

CHANGE_REASONS = {
    "NewInputAccepted", "NewInputRejected", "OtherRejected", "Expired", "Trade",
    "SystemCanceled_NoMoreMarket", "SystemCanceled_BelowMinimum", "SystemCanceled_PriceCollar",
    "SystemCanceled_MarginFailed", "UserModified", "NoChange",
}  # fmt: skip
"""ChangeReason values of spec section 4.5."""


def loads(text: str):
    return json.loads(text, parse_float=Decimal)


class ApWs:
    def __init__(self, port: int, path: str = "/WSGateway/") -> None:
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", open_timeout=5).__enter__()
        self.i = 0
        self.events: list[dict] = []

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> ApWs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send_raw(self, text: str) -> None:
        self.ws.send(text)

    def recv_frame(self, timeout: float = 5.0) -> dict:
        f = loads(self.ws.recv(timeout=timeout))
        if f["m"] == 3:
            self.events.append(f)
        return f

    def frame(self, n: str, o, m: int = 0) -> dict:
        """Send one request; return its reply frame (m=1 or m=5), keeping events aside."""
        self.i += 2
        i = self.i
        payload = o if isinstance(o, str) else json.dumps(o)
        self.ws.send(json.dumps({"m": m, "i": i, "n": n, "o": payload}))
        while True:
            f = self.recv_frame()
            if f["m"] != 3:
                assert f["i"] == i, f
                return f

    def call(self, n: str, o=None, m: int = 0):
        """The decoded reply payload of function ``n``."""
        f = self.frame(n, o if o is not None else {}, m)
        assert f["m"] == 1, f
        assert f["n"] == n
        return loads(f["o"])

    def login(self, user: str = "demo", password: str = "demo") -> dict:
        r = self.call("AuthenticateUser", {"UserName": user, "Password": password})
        assert r["authenticated"] is True, r
        return r

    def event(self, pred, timeout: float = 5.0) -> dict:
        """The first event (decoded ``o`` with ``_n`` = its name) satisfying ``pred``."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            while seen < len(self.events):
                f = self.events[seen]
                seen += 1
                body = {**loads(f["o"]), "_n": f["n"]}
                if pred(body):
                    return body
            left = deadline - time.monotonic()
            assert left > 0, f"no matching event; got {[e['n'] for e in self.events]}"
            self.recv_frame(timeout=left)

    def decoded_events(self) -> list[dict]:
        return [{**loads(f["o"]), "_n": f["n"], "_i": f["i"]} for f in self.events]


def send_order(ws: ApWs, **fields) -> dict:
    body = {"InstrumentId": 4, "OMSId": 1, "AccountId": 9, "TimeInForce": 1, "ClientOrderId": 0,
            "OrderIdOCO": 0, "UseDisplayQuantity": False, "Side": 0, "Quantity": 1,
            "OrderType": 2, "PegPriceType": 3, "LimitPrice": 100}  # fmt: skip
    body.update(fields)
    return ws.call("SendOrder", body)


@pytest.fixture(scope="module")
def srv():
    """A real server with only the AlphaPoint dialect, one per test module."""
    with running(api_settings(dialects=["alphapoint"])) as s:
        yield s
