"""Order numbers are ASCII digits (wire-formats.md 2.7, 2.9): a number that only Python's
``int()`` reads (``0_5``, `` 5``, ``+5``) names no order, in every command that takes one; and
a path with a trailing slash is answered directly, never redirected (307)."""

from __future__ import annotations

import pytest
from alor_helpers import C, G, c, limit, make_group, member, place, send, server, state


@pytest.fixture
def live(c) -> str:
    """A fresh working limit order of demo's."""
    return place(c, "limit", limit("119.00"))


def variants(n: str) -> list[str]:
    """Texts ``int()`` reads as ``n`` that are not order numbers."""
    return [f"0_{n}", f" {n}", f"{n} ", f"+{n}"]


def test_cancel_by_a_number_int_reads_is_order_to_cancel_not_found(server, c, live):
    before = state(server)
    for text in variants(live):
        # Act
        r = c.delete(f"{C}/{text}", params={"portfolio": "D39004", "exchange": "MOEX"})
        # Assert: Alor's cancel error, and the order still works
        assert r.status_code == 400, (text, r.text)
        assert r.json()["code"] == "OrderToCancelNotFound (404)"
    assert state(server) == before


def test_modify_by_a_number_int_reads_is_order_not_found(server, c, live):
    before = state(server)
    for text in variants(live):
        r = send(c, "PUT", f"{C}/actions/limit/{text}", limit("121.00"))
        assert r.status_code == 400, (text, r.text)
        assert (r.json()["code"], r.json()["field"]) == ("OrderNotFound", "orderId")
    assert state(server) == before


def test_group_member_with_a_number_int_reads_is_refused(server, c, live):
    other = place(c, "limit", limit("118.50"))
    before = state(server)
    for text in variants(live):
        r = send(c, "POST", G, {"orders": [member(text, "Limit"), member(other, "Limit")],
                                "executionPolicy": "IgnoreCancel"})  # fmt: skip
        assert r.status_code == 400, (text, r.text)
        assert r.json()["field"] == "orders[0].orderId"
        assert "is not an order number" in r.json()["detail"]
    assert state(server) == before


def test_trailing_slash_paths_are_answered_not_redirected(server, c, live):
    # Arrange
    other = place(c, "limit", limit("118.00"))
    # Act: a group created and read through paths ending in "/"
    r = send(c, "POST", f"{G}/", {"orders": [member(live, "Limit"), member(other, "Limit")],
                                  "executionPolicy": "IgnoreCancel"})  # fmt: skip
    assert r.status_code == 200, r.text
    gid = r.json()["groupId"]
    one = c.get(f"{G}/{gid}/")
    every = c.get(f"{G}/")
    orders = c.get("/md/v2/Clients/MOEX/D39004/orders/")
    # Assert: answered directly (httpx does not follow redirects)
    assert one.status_code == 200 and one.json()["id"] == gid
    assert every.status_code == 200 and gid in {g["id"] for g in every.json()}
    assert orders.status_code == 200 and live in {str(o["id"]) for o in orders.json()}
    # and a slashless group still answers as before
    assert c.get(f"{G}/{make_group_id(c, other)}").status_code == 200


def make_group_id(c, order_id: str) -> str:
    third = place(c, "limit", limit("117.50"))
    return make_group(c, [member(order_id, "Limit"), member(third, "Limit")], "IgnoreCancel")
