"""A cancel or modify naming an order by a code of non-ASCII digits (``²`` passes
``str.isdigit`` but not ``int``) is Sway's 404 code 2, never a 500 in another format, and
changes nothing (wire-formats 3.7: "404 | 2 | Entity not found at server (... unknown
order ...)")."""

from __future__ import annotations

from sway_fixtures import MODIFY, ORDERS, cs, etag, server, state


def test_cancel_and_modify_by_a_non_ascii_digit_code_are_404_code_2(server, cs):
    # Arrange
    c, _ = cs
    before = state(server)
    # Act
    cancel = c.delete(f"{ORDERS}/%C2%B2", headers={"If-Match": etag(c)})
    modify = c.put(ORDERS, json={**MODIFY, "orderCode": "\u00b2"}, headers={"If-Match": etag(c)})
    # Assert
    for r in (cancel, modify):
        assert r.status_code == 404, r.text
        assert r.json()["errorCode"] == "2"
    assert state(server) == before
