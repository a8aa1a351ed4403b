"""GTD / GDP orders (wire-formats.md 1.5: ``GTDDate`` MM/DD/YYYY) end with the close of that
day's session in the instrument's own calendar, not at 16:00 New York for every asset: FX at
17:00 New York, futures at CME's 17:00 New York close, US equities at 13:00 on an early close,
and a GTDDate without a session (weekend) at the close of the last session before it. The
server runs the real calendars (``ts_settings``: simulated clock from 2024-03-04)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from tradestation_helpers import PLACE, body, server, ts_client

NY = ZoneInfo("America/New_York")
FX = {"AccountKey": "12345", "AssetType": "FX", "Symbol": "USDJPY", "LimitPrice": "100.000",
      "Quantity": "1000"}  # fmt: skip
FU = {"AccountKey": "123456", "AssetType": "FU", "Symbol": "ESH4", "LimitPrice": "4000.00",
      "Quantity": "1"}  # fmt: skip


def ny(*args) -> int:
    return int(datetime(*args, tzinfo=NY).timestamp()) * 10**9


CASES = [
    # (order fields, GTDDate, expiry in New York)
    ({**FX, "Duration": "GTD"}, "03/08/2024", ny(2024, 3, 8, 17, 0)),
    ({**FX, "Duration": "GTD"}, "03/09/2024", ny(2024, 3, 8, 17, 0)),  # Saturday: Friday's
    ({**FU, "Duration": "GTD"}, "03/07/2024", ny(2024, 3, 7, 17, 0)),
    ({"Duration": "GTD"}, "11/29/2024", ny(2024, 11, 29, 13, 0)),  # early close
    ({"Duration": "GDP"}, "11/29/2024", ny(2024, 11, 29, 17, 0)),  # post-market after it
    ({"Duration": "GTD"}, "03/08/2024", ny(2024, 3, 8, 16, 0)),
]


@pytest.fixture(scope="module")
def ts(server):
    with ts_client(server.url) as c:
        yield c


@pytest.mark.parametrize(("fields", "gtd", "expiry"), CASES)
def test_gtd_expires_at_the_close_of_that_days_session(server, ts, fields, gtd, expiry):
    # Act
    r = ts.post("/v2/orders", json=body(PLACE, GTDDate=gtd, **fields))
    # Assert
    assert r.status_code == 200, r.text
    (result,) = r.json()
    assert result["OrderStatus"] == "Ok", result
    with server.runtime.read() as e:
        o = e.orders[int(result["OrderID"])]
        assert o.expire_ns == expiry, datetime.fromtimestamp(o.expire_ns / 1e9, NY)
