"""Pure pieces of the AlphaPoint dialect: the frame codec (Decimal in, JSON numbers out),
case-insensitive payloads, the API-key signature, the path middleware."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from condor.api.dialects.alphapoint import CaseInsensitivePrefix
from condor.api.dialects.alphapoint import schemas as W
from condor.api.dialects.alphapoint.errors import ApError
from condor.api.dialects.alphapoint.session import signature


def test_numbers_round_trip_exactly_without_float():
    # Arrange
    data = W.loads('{"p": 0.1, "q": 31000, "r": 1e-8, "s": "2.50"}')
    # Act
    text = W.dumps({**data, "t": Decimal("0.0200000000000000000000000000"), "u": None})
    # Assert
    assert data["p"] == Decimal("0.1") and isinstance(data["p"], Decimal)
    assert text == '{"p":0.1,"q":31000,"r":0.00000001,"s":"2.50","t":0.02,"u":null}'
    assert json.loads(text, parse_float=Decimal)["r"] == Decimal("1e-8")


def test_frame_double_encodes_o_and_keeps_plain_strings():
    f = json.loads(W.frame(W.REPLY, 4, "SendOrder", {"OrderId": 6500}))
    assert f == {"m": 1, "i": 4, "n": "SendOrder", "o": '{"OrderId":6500}'}
    e = json.loads(W.frame(W.ERROR, 26, "NoSuchFunction", "Endpoint Not Found"))
    assert e["o"] == "Endpoint Not Found"


def test_payload_keys_any_case_aliases_and_strings():
    o = W.parse(W.SendOrderIn, {"instrumentid": "9", "OMSID": 1, "accountId": "9", "side": 0,
                                "quantity": "0.5", "OrderType": "2", "LimitPrice": None})  # fmt: skip
    assert (o.InstrumentId, o.AccountId, o.Quantity, o.LimitPrice) == (9, 9, Decimal("0.5"), None)
    c = W.parse(W.CancelIn, {"clientorderid": 1234})
    assert c.ClOrderId == 1234
    a = W.parse(W.AccountIn, {"IntrumentId": 3, "AccountId": 9})
    assert a.InstrumentId == 3
    with pytest.raises(ApError) as err:
        W.parse(W.SendOrderIn, {"InstrumentId": 1})
    assert err.value.code == 100 and err.value.field


def test_signature_is_lowercase_hex_hmac_of_nonce_userid_key():
    want = hmac.new(b"secret", b"224773356296key", hashlib.sha256).hexdigest()
    assert signature("secret", "2247733562", "96", "key") == want == want.lower()


@pytest.mark.parametrize(
    ("path", "seen"),
    [
        ("/WSGateway/", "/wsgateway/"),
        ("/AP/SendOrder", "/ap/SendOrder"),
        ("/Ap/GetOpenOrders", "/ap/GetOpenOrders"),
        ("/api/v1/orders", "/api/v1/orders"),
        ("/APX/x", "/APX/x"),
    ],
)
def test_middleware_lowercases_only_the_prefix(path, seen):
    got = {}

    async def app(scope, receive, send):
        got["path"], got["raw"] = scope["path"], scope["raw_path"]

    mw = CaseInsensitivePrefix(app)
    asyncio.run(mw({"type": "http", "path": path, "raw_path": path.encode()}, None, None))
    assert got["path"] == seen and got["raw"] == seen.encode()
