"""Issue 3: 200 brackets placed at real prices over the IBM tape; every bracket ends in exactly
one exit and the accounts end flat."""

from __future__ import annotations

from decimal import Decimal

from condor.backtest.brackets import run_brackets
from condor.domain.instruments import AssetClass, Instrument
from condor.marketdata import open_feed

IBM = Instrument("IBM", AssetClass.EQUITY, "NYSE", Decimal("0.01"))


def test_200_brackets_on_ibm_trades_each_end_in_one_exit(shared_data):
    # Arrange
    feed = open_feed(shared_data / "ibm-us-equity-trades-20131007.csv", IBM)
    # Act
    run = run_brackets(feed, IBM, every=100, max_brackets=200, offset_ticks=30, qty_lots=100)
    # Assert
    assert run.brackets == 200 and run.entries_filled == 200
    assert run.exits_per_bracket == [1] * 200
    assert run.take_profits + run.stop_losses == 200
    assert run.position == 0 and run.open_brackets == 0
