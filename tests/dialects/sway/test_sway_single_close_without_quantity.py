"""A single CLOSE order without quantity (section 3.5: "omit or 0 for a closing order attached
to a position (then positionCode + positionEffect: CLOSE)"). Condor attaches only the THEN
orders of an IF-THEN group to a quantity (the IF order's fill), so a single one is refused
with a 400 code 33 that names ``quantity`` and says why (not the engine's bare "quantity must
be positive"), and changes nothing."""

from __future__ import annotations

import pytest
from sway_fixtures import ORDERS, cs, server, state


@pytest.mark.parametrize(
    "extra",
    [{"type": "MARKET"}, {"type": "LIMIT", "limitPrice": 500, "quantity": 0}],
    ids=["market-absent", "limit-zero"],
)
def test_single_position_attached_close_order_is_400_code_33_naming_why(server, cs, extra):
    # Arrange: demo holds 1000 AAPL (its positions list gives positionCode "AAPL")
    c, _ = cs
    before = state(server)
    body = {"orderCode": f"close-{extra['type']}", "instrument": "AAPL", "side": "SELL",
            "positionEffect": "CLOSE", "positionCode": "AAPL", "tif": "GTC", **extra}  # fmt: skip
    # Act
    r = c.post(ORDERS, json=body)
    # Assert
    assert r.status_code == 400
    assert r.json()["errorCode"] == "33"
    text = r.json()["description"]
    assert text.startswith("Incorrect request (quantity: ") and "THEN order" in text
    assert state(server) == before
