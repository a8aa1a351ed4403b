"""409 conflicts answer Sway's own vocabulary (wire-formats.md 3.7: ``{"errorCode",
"description"}`` with DXtrade's numeric codes; 409 for "cancelling a final order" and
"pre-issue check failures"): code 33 with the reason in the description, never an engine
reason name such as ``order.terminal`` as the ``errorCode``. Nothing changes."""

from __future__ import annotations

from sway_fixtures import ORDERS, by_code, cs, etag, server, state


def _single(code: str, **kw) -> dict:
    body = {"orderCode": code, "type": "LIMIT", "instrument": "EUR/USD", "quantity": 1000,
            "positionEffect": "OPEN", "side": "BUY", "limitPrice": "1.07000", "tif": "GTC"}  # fmt: skip
    body.update(kw)
    return body


def test_cancel_of_a_final_order_is_409_code_33(server, cs):
    # Arrange: an order placed and canceled
    c, _ = cs
    assert c.post(ORDERS, json=_single("final-1")).status_code == 200
    assert c.delete(f"{ORDERS}/final-1", headers={"If-Match": etag(c)}).status_code == 200
    before = state(server)
    # Act: cancel it again
    r = c.delete(f"{ORDERS}/final-1", headers={"If-Match": etag(c)})
    # Assert
    assert r.status_code == 409, r.text
    assert r.json()["errorCode"] == "33"
    assert "final" in r.json()["description"]
    assert by_code(c, "final-1")["status"] == "CANCELED"
    assert state(server) == before


def test_pre_issue_check_failure_is_409_code_33_with_the_reason(server, cs):
    # Arrange: a CLOSE sell of a position the account does not hold
    c, _ = cs
    before = state(server)
    # Act
    r = c.post(ORDERS, json=_single("close-1", side="SELL", positionEffect="CLOSE",
                                    limitPrice="1.10000"))  # fmt: skip
    # Assert: Sway's code, the engine's words in the description only
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["errorCode"] == "33" and "." not in body["errorCode"]
    assert body["description"]
    assert state(server) == before
