"""A read of an order whose path number is not ASCII digits (``²`` passes ``str.isdigit``
but not ``int``; ``٣`` passes both) is Alor's 404 ``{"code", "message"}``, never a 500 in
another format, and changes nothing (wire-formats 2.9: "Single-order GETs return one object
(404 if unknown)")."""

from __future__ import annotations

import pytest
from alor_helpers import c, limit, place, server, state


@pytest.mark.parametrize("what", ["orders", "stoporders"])
@pytest.mark.parametrize("number", ["%C2%B2", "%D9%A3"], ids=["superscript-two", "arabic-three"])
def test_non_ascii_order_number_is_alor_404(server, c, what, number):
    # Arrange: orders 1..3 exist, so "٣" read as 3 would find one
    for _ in range(3):
        place(c, "limit", limit("101.00"))
    before = state(server)
    # Act
    r = c.get(f"/md/v2/Clients/MOEX/D39004/{what}/{number}")
    # Assert
    assert r.status_code == 404, r.text
    assert (r.json()["code"], r.json()["field"]) == ("NotFound", "orderId")
    assert state(server) == before
