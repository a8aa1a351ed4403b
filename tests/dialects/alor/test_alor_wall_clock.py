"""The Alor dialect on a server that runs on the wall clock (as ``condor serve`` does), where
the engine's timestamps of one command differ by microseconds: section 2.9 times read in order,
and a deleted IgnoreCancel group keeps listing the members it had when it was deleted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from alor_helpers import C, G, alor_server, client, limit, make_group, member, order, place, stop

from server_fixtures import LiveServer


@pytest.fixture(scope="module")
def wall() -> Iterator[LiveServer]:
    """An Alor server on the wall clock (no ``clock_start``)."""
    with alor_server(clock_start=None) as s:
        yield s


@pytest.fixture(scope="module")
def wc(wall: LiveServer) -> Iterator[httpx.Client]:
    with client(wall) as cl:
        yield cl


def test_update_time_is_never_before_trans_time(wc):
    # Arrange: stops created inactive (Held at creation), active ones and a limit
    ids = [place(wc, "stop", stop("135.00", activate=False)) for _ in range(5)]
    ids += [place(wc, "stopLimit", stop("135.00", price=134, activate=False))]
    ids += [place(wc, "stop", stop("135.00")), place(wc, "limit", limit("140.00"))]
    # Act
    one = [order(wc, i, stop_order=i != ids[-1]) for i in ids]
    listed = [o for w in ("orders", "stoporders")
              for o in wc.get(f"/md/v2/Clients/MOEX/D39004/{w}").json()]  # fmt: skip
    # Assert (ISO-8601 with 7 digits and Z: string order is time order)
    assert one and all(o["updateTime"] >= o["transTime"] for o in one + listed)


def test_a_deleted_ignore_cancel_group_keeps_listing_its_members(wc):
    # Arrange
    a, b = place(wc, "limit", limit("100.30")), place(wc, "limit", limit("100.20"))
    gid = make_group(wc, [member(a, "Limit"), member(b, "Limit")], "IgnoreCancel")
    assert wc.delete(f"{G}/{gid}").status_code == 200
    # Act: the orders, no longer in the group, are canceled afterwards
    for oid in (a, b):
        wc.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX"})
    # Assert: deletion changed no order and dropped no member
    g = wc.get(f"{G}/{gid}").json()
    assert (g["orders"], g["status"]) == ([{"orderId": a}, {"orderId": b}], "Canceled")


def test_ignore_cancel_group_closed_by_its_last_cancel_lists_no_order(wc):
    # Arrange
    a, b = place(wc, "limit", limit("100.30")), place(wc, "limit", limit("100.20"))
    gid = make_group(wc, [member(a, "Limit"), member(b, "Limit")], "IgnoreCancel")
    # Act
    for oid in (a, b):
        wc.delete(f"{C}/{oid}", params={"portfolio": "D39004", "exchange": "MOEX"})
    # Assert
    g = wc.get(f"{G}/{gid}").json()
    assert (g["orders"], g["status"]) == ([], "Canceled")
