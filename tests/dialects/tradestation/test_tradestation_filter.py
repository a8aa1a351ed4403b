"""``$filter`` on account orders (wire-formats.md 1.4: an OData subset, e.g.
``$filter=symbol eq 'AAPL'``): comparisons eq/ne joined by and/or over Order Detail fields;
paging applies to what the filter keeps; anything outside the subset is a 400 in
TradeStation's format."""

from __future__ import annotations

import pytest
from tradestation_helpers import PLACE, body, server, ts_client

ACCOUNT = "987654"


@pytest.fixture(scope="module")
def ts(server):
    with ts_client(server.url) as c:
        yield c


@pytest.fixture(scope="module")
def placed(ts) -> dict[str, list[int]]:
    """Two ARNA buys, one IBM buy and one WMT sell short on 987654, by symbol (oldest first)."""
    out: dict[str, list[int]] = {}
    for symbol, action in (("ARNA", "Buy"), ("IBM", "Buy"), ("ARNA", "Buy"), ("WMT", "SellShort")):
        r = ts.post("/v2/orders", json=body(PLACE, AccountKey=ACCOUNT, Symbol=symbol,
                                            TradeAction=action, Duration="GTC"))  # fmt: skip
        assert r.status_code == 200 and r.json()[0]["OrderStatus"] == "Ok", r.text
        out.setdefault(symbol, []).append(int(r.json()[0]["OrderID"]))
    return out


def ids(ts, **params) -> list[int]:
    r = ts.get(f"/v2/accounts/{ACCOUNT}/orders", params=params)
    assert r.status_code == 200, r.text
    return [o["OrderID"] for o in r.json()]


def test_symbol_eq_keeps_that_symbols_orders(ts, placed):
    assert ids(ts, **{"$filter": "symbol eq 'ARNA'"}) == placed["ARNA"][::-1]
    assert ids(ts, **{"$filter": "Symbol eq 'NONE'"}) == []


def test_and_or_ne_and_paging_after_the_filter(ts, placed):
    arna, ibm, wmt = placed["ARNA"], placed["IBM"], placed["WMT"]
    assert ids(ts, **{"$filter": "symbol eq 'IBM' or symbol eq 'WMT'"}) == [wmt[0], ibm[0]]
    assert ids(ts, **{"$filter": "symbol ne 'ARNA' and Type eq 'Sell Short'"}) == wmt
    assert ids(ts, **{"$filter": f"OrderID eq {ibm[0]}"}) == ibm
    # page 2 of one order per page among the ARNA orders is the older ARNA order
    assert ids(ts, pageSize=1, pageNum=2, **{"$filter": "symbol eq 'ARNA'"}) == arna[:1]


@pytest.mark.parametrize("bad", ["symbol eq", "symbol gt 'A'", "color eq 'red'",
                                 "symbol eq 'ARNA' xor symbol eq 'IBM'", "symbol eq 'ARNA",
                                 "symbol eq ARNA"])  # fmt: skip
def test_a_filter_outside_the_subset_is_a_400(ts, placed, bad):
    r = ts.get(f"/v2/accounts/{ACCOUNT}/orders", params={"$filter": bad})
    assert r.status_code == 400, r.text
    assert r.json()["StatusCode"] == 400 and r.json()["Message"].startswith("Invalid $filter")
