"""Alor order groups over HTTP against a real server: golden tests of the seed 003 and section
2.8 examples, the three execution policies, and the seed's linked-groups scenario end to end,
checked through the read endpoints."""

from __future__ import annotations

import re
import uuid

import pytest
from alor_helpers import (
    C,
    G,
    c,
    limit,
    make_group,
    member,
    order,
    place,
    send,
    server,
    state,
    stop,
    trade,
)

TS7 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


def test_golden_create_get_update_delete_of_the_seed(server, c):
    # Arrange: a limit order and a market stop order, created beforehand (seed 003)
    lim = place(c, "limit", limit("142.00"))
    st = place(c, "stop", stop("135.00"))
    # Act: create, exactly the seed's body
    r = send(c, "POST", G, {"orders": [member(lim, "Limit"), member(st, "Stop")],
                            "executionPolicy": "OnExecuteOrCancel"})  # fmt: skip
    # Assert: 200 {"message": "success", "groupId": <guid>}
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["message", "groupId"] and r.json()["message"] == "success"
    gid = r.json()["groupId"]
    assert str(uuid.UUID(gid)) == gid
    # GET one and GET all: the seed's shape and values
    one = c.get(f"{G}/{gid}").json()
    assert list(one) == ["id", "login", "orders", "executionPolicy", "status", "createdAt",
                         "closedAt"]  # fmt: skip
    assert one["id"] == gid and one["login"] == "P039004"
    assert one["orders"] == [{"orderId": lim}, {"orderId": st}]
    assert (one["executionPolicy"], one["status"], one["closedAt"]) == (
        "OnExecuteOrCancel", "Active", None,
    )  # fmt: skip
    assert TS7.match(one["createdAt"])
    assert one in c.get(G).json()
    # PUT: old members + a new one, policy changed (seed's "Changing group of orders")
    new = place(c, "stop", stop("134.00"))
    members = [member(lim, "Limit"), member(st, "Stop"), member(new, "Stop")]
    r = send(c, "PUT", f"{G}/{gid}", {"orders": members, "executionPolicy": "IgnoreCancel"})
    assert r.status_code == 200 and r.text == "success"
    one = c.get(f"{G}/{gid}").json()
    assert one["executionPolicy"] == "IgnoreCancel" and len(one["orders"]) == 3
    # DELETE: 200 success; no order changes state
    statuses = [order(c, lim)["status"], order(c, st, True)["status"]]
    r = c.delete(f"{G}/{gid}")
    assert r.status_code == 200 and r.text == "success"
    assert [order(c, lim)["status"], order(c, st, True)["status"]] == statuses == [
        "working", "working",
    ]  # fmt: skip
    assert c.get(f"{G}/{gid}").json()["status"] == "Canceled"
    # only Active groups can be changed or deleted: a 400 that changes nothing
    before = state(server)
    again = c.delete(f"{G}/{gid}")
    put = send(c, "PUT", f"{G}/{gid}", {"orders": members, "executionPolicy": "IgnoreCancel"})
    assert again.status_code == put.status_code == 400
    assert again.json()["title"] == "BadRequest" and again.json()["status"] == 400
    assert state(server) == before


def test_pascal_case_body_and_the_path_without_slash(c):
    # Arrange
    a = place(c, "limit", limit("137.00"))
    b = place(c, "limit", limit("136.00"))
    # Act: PascalCase keys, policy in other casing
    body = {"Orders": [{"Portfolio": "D39004", "Exchange": "MOEX", "OrderId": a, "Type": "Limit"},
                       {"Portfolio": "D39004", "Exchange": "MOEX", "OrderId": b, "Type": "limit"}],
            "ExecutionPolicy": "onexecuteorcancel"}  # fmt: skip
    r = send(c, "POST", G, body)
    # Assert: and AlorPy's ``orderGroups<id>`` form reads it
    assert r.status_code == 200, r.text
    gid = r.json()["groupId"]
    assert c.get(f"{G}{gid}").json()["id"] == gid


def test_on_execute_or_cancel_a_fill_cancels_the_rest_and_the_group_is_filled(server, c):
    # Arrange
    a = place(c, "limit", limit("150.00"))
    b = place(c, "stop", stop("110.00"))
    gid = make_group(c, [member(a, "Limit"), member(b, "Stop")], "OnExecuteOrCancel")
    # Act
    trade(server, "150.00", "10")
    # Assert
    assert order(c, a)["status"] == "filled"
    assert order(c, b, True)["status"] == "canceled"
    g = c.get(f"{G}/{gid}").json()
    assert g["status"] == "Filled" and TS7.match(g["closedAt"])


def test_on_execute_or_cancel_modify_cancels_the_rest_and_the_new_order_is_outside(c):
    # Arrange
    a = place(c, "limit", limit("101.00"))
    b = place(c, "limit", limit("102.00"))
    gid = make_group(c, [member(a, "Limit"), member(b, "Limit")], "OnExecuteOrCancel")
    # Act: modify a (cancel + new number)
    r = send(c, "PUT", f"{C}/actions/limit/{a}", limit("101.50"))
    # Assert: b canceled; the new order is working and in no group
    new = r.json()["orderNumber"]
    assert order(c, b)["status"] == "canceled"
    assert order(c, new)["status"] == "working"
    assert {"orderId": new} not in c.get(f"{G}/{gid}").json()["orders"]
    assert c.get(f"{G}/{gid}").json()["status"] == "Canceled"


def test_ignore_cancel_cancel_removes_the_member_fill_cancels_the_rest(server, c):
    # Arrange
    a = place(c, "limit", limit("160.00"))
    b = place(c, "limit", limit("100.50"))
    d = place(c, "limit", limit("100.40"))
    gid = make_group(
        c, [member(a, "Limit"), member(b, "Limit"), member(d, "Limit")], "IgnoreCancel"
    )
    # Act 1: cancel b -> it leaves the group, the others stay
    c.delete(f"{C}/{b}", params={"portfolio": "D39004", "exchange": "MOEX"})
    # Assert 1
    g = c.get(f"{G}/{gid}").json()
    assert g["orders"] == [{"orderId": a}, {"orderId": d}] and g["status"] == "Active"
    assert order(c, d)["status"] == "working"
    # Act 2: a fills -> d is canceled, group Filled
    trade(server, "160.00", "10")
    # Assert 2: the closed group lists the members it had when it closed
    assert order(c, d)["status"] == "canceled"
    g = c.get(f"{G}/{gid}").json()
    assert g["status"] == "Filled" and g["orders"] == [{"orderId": a}, {"orderId": d}]


def test_ignore_cancel_every_member_canceled_by_the_user_leaves_the_group(c):
    # Arrange
    a = place(c, "limit", limit("100.30"))
    b = place(c, "limit", limit("100.20"))
    gid = make_group(c, [member(a, "Limit"), member(b, "Limit")], "IgnoreCancel")
    # Act: cancel a, then b (the last member: its cancel closes the group)
    c.delete(f"{C}/{a}", params={"portfolio": "D39004", "exchange": "MOEX"})
    first = c.get(f"{G}/{gid}").json()
    c.delete(f"{C}/{b}", params={"portfolio": "D39004", "exchange": "MOEX"})
    last = c.get(f"{G}/{gid}").json()
    # Assert: b leaves like a did (section 2.8), the group closes Canceled with no order
    assert (first["orders"], first["status"]) == ([{"orderId": b}], "Active")
    assert (last["orders"], last["status"]) == ([], "Canceled")
    assert TS7.match(last["closedAt"])
    assert last in c.get(G).json()


def test_ignore_cancel_a_modified_last_member_leaves_the_group(c):
    # Arrange
    a = place(c, "limit", limit("100.10"))
    gid = make_group(c, [member(a, "Limit")], "IgnoreCancel")
    # Act: modify the only member (cancel + new number)
    r = send(c, "PUT", f"{C}/actions/limit/{a}", limit("100.15"))
    # Assert
    assert r.status_code == 200, r.text
    g = c.get(f"{G}/{gid}").json()
    assert (g["orders"], g["status"]) == ([], "Canceled")


def test_put_to_trigger_bracket_orders_with_an_inactive_stop_is_accepted(c):
    # Arrange: an OnExecuteOrCancel group of a limit and an inactive stop
    entry = place(c, "limit", limit("100.05"))
    sl = place(c, "stop", stop("99.00", activate=False))
    members = [member(entry, "Limit"), member(sl, "Stop")]
    gid = make_group(c, members, "OnExecuteOrCancel")
    # Act: PUT passes the same checks as POST, here satisfied
    r = send(c, "PUT", f"{G}/{gid}", {"orders": members, "executionPolicy": "TriggerBracketOrders"})
    # Assert
    assert r.status_code == 200 and r.text == "success"
    assert c.get(f"{G}/{gid}").json()["executionPolicy"] == "TriggerBracketOrders"


def test_trigger_bracket_orders_activates_the_inactive_stops_when_the_limit_fills(server, c):
    # Arrange: a limit buy and two inactive sell stops (section 2.11)
    entry = place(c, "limit", limit("170.00"))
    sl = place(c, "stop", stop("100.10", activate=False))
    tp = place(c, "stop", stop("400.00", condition="MoreOrEqual", activate=False))
    gid = make_group(
        c, [member(entry, "Limit"), member(sl, "Stop"), member(tp, "Stop")],
        "TriggerBracketOrders",
    )  # fmt: skip
    assert order(c, sl, True)["activate"] is False
    # Act 1: the limit fills
    trade(server, "170.00", "10")
    # Assert 1: both stops are active now, group still Active
    assert order(c, entry)["status"] == "filled"
    assert order(c, sl, True)["activate"] is True and order(c, tp, True)["activate"] is True
    assert c.get(f"{G}/{gid}").json()["status"] == "Active"
    # Act 2: the take-profit stop triggers and fills
    trade(server, "400.00", "10")
    trade(server, "400.00", "10")
    # Assert 2: the stop-loss is canceled, group Filled
    assert order(c, tp, True)["status"] == "filled"
    assert order(c, sl, True)["status"] == "canceled"
    assert c.get(f"{G}/{gid}").json()["status"] == "Filled"


def _filled_trigger_bracket(server, c):
    """A TriggerBracketOrders group (limit 170.00, inactive stops 100.10 and 400.00) whose
    limit has filled: (entry, stop-loss, take-profit, members, group id)."""
    entry = place(c, "limit", limit("170.00"))
    sl = place(c, "stop", stop("100.10", activate=False))
    tp = place(c, "stop", stop("400.00", condition="MoreOrEqual", activate=False))
    members = [member(entry, "Limit"), member(sl, "Stop"), member(tp, "Stop")]
    gid = make_group(c, members, "TriggerBracketOrders")
    trade(server, "170.00", "10")
    return entry, sl, tp, members, gid


def test_trigger_bracket_orders_put_after_the_limit_filled_is_accepted(server, c):
    # Arrange: the limit fills and activates both stops (section 2.11)
    entry, sl, tp, members, gid = _filled_trigger_bracket(server, c)
    # Act: the seed's advice before changing an order: PUT every member with IgnoreCancel
    r = send(c, "PUT", f"{G}/{gid}", {"orders": members, "executionPolicy": "IgnoreCancel"})
    c.delete(f"{C}/{sl}", params={"portfolio": "D39004", "exchange": "MOEX"})
    # Assert: accepted although the limit is filled; the canceled stop left, the other works
    assert r.status_code == 200 and r.text == "success"
    g = c.get(f"{G}/{gid}").json()
    assert (g["executionPolicy"], g["status"]) == ("IgnoreCancel", "Active")
    assert g["orders"] == [{"orderId": entry}, {"orderId": tp}]
    assert order(c, tp, True)["status"] == "working"


def test_seed_linked_groups_scenario_end_to_end(server, c):
    # Arrange: groupA = {order1, order2, order3}, groupB = {order3, order4, order5},
    # both OnExecuteOrCancel (seed 003)
    o1, o2, o3, o4, o5 = (place(c, "limit", limit(p)) for p in
                          ("180.00", "105.00", "104.00", "103.00", "102.50"))  # fmt: skip
    ga = make_group(c, [member(o, "Limit") for o in (o1, o2, o3)], "OnExecuteOrCancel")
    gb = make_group(c, [member(o, "Limit") for o in (o3, o4, o5)], "OnExecuteOrCancel")
    # Act: order1 is fulfilled
    trade(server, "180.00", "10")
    # Assert, through the read endpoints: all other orders of groupA canceled, including
    # order3, whose cancellation canceled order4 and order5 through groupB
    statuses = {o: order(c, o)["status"] for o in (o1, o2, o3, o4, o5)}
    assert statuses == {o1: "filled", o2: "canceled", o3: "canceled", o4: "canceled",
                        o5: "canceled"}  # fmt: skip
    listed = {o["id"]: o["status"] for o in c.get("/md/v2/Clients/MOEX/D39004/orders").json()}
    assert all(listed[o] == statuses[o] for o in statuses)
    assert c.get(f"{G}/{ga}").json()["status"] == "Filled"
    assert c.get(f"{G}/{gb}").json()["status"] == "Canceled"


def test_seed_flow_moves_a_stop_of_a_trigger_bracket_orders_group(server, c):
    # Arrange: the limit fills and activates both stops (section 2.11)
    entry, sl, tp, members, gid = _filled_trigger_bracket(server, c)
    # Act: seed 003, "change the group type to IgnoreCancel first and only then change the
    # order included in it and then add the newly created order back to the group"; then
    # return the group to TriggerBracketOrders
    r1 = send(c, "PUT", f"{G}/{gid}", {"orders": members, "executionPolicy": "IgnoreCancel"})
    r2 = send(c, "PUT", f"{C}/actions/stop/{sl}", stop("150.00"))
    moved = r2.json()["orderNumber"]
    back = [member(entry, "Limit"), member(moved, "Stop"), member(tp, "Stop")]
    r3 = send(c, "PUT", f"{G}/{gid}", {"orders": back, "executionPolicy": "TriggerBracketOrders"})
    # Assert: every step accepted; the group lists the new stop, which works
    assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200], r3.text
    g = c.get(f"{G}/{gid}").json()
    assert (g["executionPolicy"], g["status"]) == ("TriggerBracketOrders", "Active")
    assert g["orders"] == [{"orderId": entry}, {"orderId": moved}, {"orderId": tp}]
    assert order(c, moved, True)["activate"] is True
    # Act 2: the moved stop triggers and fills
    trade(server, "150.00", "10")
    trade(server, "150.00", "10")
    # Assert 2: the stops still cancel each other, as stops the limit's fill activated
    assert order(c, moved, True)["status"] == "filled"
    assert order(c, tp, True)["status"] == "canceled"
    assert c.get(f"{G}/{gid}").json()["status"] == "Filled"
