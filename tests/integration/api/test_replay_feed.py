"""``condor serve --feed replay:FILE``: a recorded file feeds the running server.

Real IBM trades of 2013-10-07 from ../shared/data, replayed as fast as the server takes them
(``speed`` 0) into a real server; what the file says is what the venue, the clock and the stream
show. A journaled server restarted on the same database does not feed the file twice.
"""

from __future__ import annotations

import csv
import time
from decimal import Decimal

import pytest

from condor.api.app import create_app
from condor.api.replay_feed import ReplayFeedError
from condor.api.settings import SimulatorConfig

from server_fixtures import api_settings, running

TRADES = "ibm-us-equity-trades-20131007.csv"


def _last_row(path) -> dict:
    with path.open() as f:
        *_, last = csv.DictReader(f)
    return last


def _replayed(server, last: dict, timeout: float = 60.0) -> dict:
    """Poll the market until IBM shows the file's last print and the clock its time."""
    with server.client("demo") as c:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            md = c.get("/api/v1/marketdata/IBM").json()
            clock = c.get("/api/v1/clock").json()["now"]
            if md["ts"] is not None and md["ts"].startswith("2013-10-07T23:26:07.55"):
                return {"md": md, "clock": clock}
            time.sleep(0.05)
    raise AssertionError(f"replay did not reach the last print {last}")


def _settings(shared_data, **kw):
    return api_settings(
        feed=f"replay:{shared_data / TRADES}",
        clock_start=None,
        simulator=SimulatorConfig(speed=0),
        **kw,
    )


def test_replay_feeds_every_print_and_runs_the_recorded_clock(shared_data):
    last = _last_row(shared_data / TRADES)
    with running(_settings(shared_data)) as server:
        seen = _replayed(server, last)
        # the venue shows the file's last print, the clock its time (UTC 23:26:07.550)
        assert Decimal(seen["md"]["last"]) == Decimal(last["price"])
        assert Decimal(seen["md"]["last_size"]) == Decimal(last["size"])
        assert seen["clock"].startswith("2013-10-07T23:26:07.55")
        # every print (24,293 rows) was journaled and published: one stream message each
        assert server.runtime.hub.seq == 24_293


def test_a_restarted_journaled_server_does_not_replay_the_file_twice(shared_data, tmp_path):
    url = f"sqlite:///{tmp_path / 'replay.db'}"
    last = _last_row(shared_data / TRADES)
    with running(_settings(shared_data, database_url=url)) as server:
        _replayed(server, last)
        first = server.runtime.writer.last_input_seq
    with running(_settings(shared_data, database_url=url)) as server:
        _replayed(server, last)
        time.sleep(0.3)  # the feed task has had time to run (it finds nothing left)
        assert server.runtime.writer.last_input_seq == first
        assert not [m for m in server.runtime.hub.ring if m[1] == "trade"]


def test_a_file_for_no_configured_instrument_is_refused(shared_data, tmp_path):
    stray = tmp_path / "zzz-trades.csv"
    stray.write_text((shared_data / TRADES).read_text()[:2000])
    with pytest.raises(ReplayFeedError, match="first word of the file name"):
        create_app(api_settings(feed=f"replay:{stray}"))
    with pytest.raises(ReplayFeedError, match="not found"):
        create_app(api_settings(feed=f"replay:{tmp_path / 'missing.csv'}"))
    with pytest.raises(ValueError, match="replay:FILE"):
        create_app(api_settings(feed="carrier-pigeon"))
