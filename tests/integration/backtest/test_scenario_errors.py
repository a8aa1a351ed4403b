"""Scenario files: a bad file is refused with its line (YAML) and field path; YAML and TOML give
the same model; ``condor replay --orders`` exits 2 with the message on stderr."""

from __future__ import annotations

from datetime import time

import pytest

from condor.backtest.scenario import PriceExpr, ScenarioError, load_scenario, parse_scenario
from condor.cli import main
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.enums import OrdType, Side, TimeInForce, TrailKind

GOOD = """\
instrument: {symbol: IBM, tick: "0.01"}
placements:
  - name: b
    at: "10:00"
    bracket: {side: Sell, qty: 5, take_profit: 12, stop_loss: 8}
  - name: o
    when: touch >= 182.50
    group:
      kind: OCO
      members:
        - {side: Sell, type: Limit, qty: 1, price: "183.00"}
        - {side: Sell, type: TrailingStopLimit, qty: 1, trail: {percent: "0.5", limit_offset: 3}}
"""

GOOD_TOML = """\
[instrument]
symbol = "IBM"
tick = "0.01"

[[placements]]
name = "b"
at = 10:00:00
bracket = {side = "Sell", qty = 5, take_profit = 12, stop_loss = 8}

[[placements]]
name = "o"
when = "touch >= 182.50"
group = {kind = "OCO", members = [
  {side = "Sell", type = "Limit", qty = 1, price = "183.00"},
  {side = "Sell", type = "TrailingStopLimit", qty = 1, trail = {percent = "0.5", limit_offset = 3}},
]}
"""


def _error(text: str, **kw) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, **kw)
    return info.value


def test_yaml_and_toml_give_the_same_model():
    # Arrange / Act
    a = parse_scenario(GOOD)
    b = parse_scenario(GOOD_TOML, toml=True)
    # Assert
    assert a == b
    br, oco = a.placements
    assert br.trigger.at.of_day == time(10, 0) and br.kind is GroupKind.BRACKET
    entry, tp, sl = br.members
    assert (entry.side, entry.ord_type, entry.qty) == (Side.SELL_SHORT, OrdType.MARKET, 5)
    assert tp.side is Side.BUY_TO_COVER and tp.price == PriceExpr("touch", -12)
    assert sl.ord_type is OrdType.STOP_MARKET and sl.stop == PriceExpr("touch", 8)
    assert tp.tif is TimeInForce.GTC
    assert oco.trigger.when.ticks == 18250 and oco.kind is GroupKind.OCO
    lim, trail = oco.members
    assert lim.price == PriceExpr(None, 18300)
    assert (trail.trail_kind, trail.trail_offset, trail.trail_limit_offset) == (
        TrailKind.PERCENT, 5000, 3,
    )  # fmt: skip


def test_off_tick_price_names_line_and_field():
    # Arrange
    bad = GOOD.replace('price: "183.00"', 'price: "183.005"')
    # Act
    err = _error(bad, path="s.yaml")
    # Assert
    assert err.line == 11 and err.field == "placements[1].group.members[0].price"
    assert str(err).startswith("s.yaml:11: placements[1].group.members[0].price: ")


def test_unknown_field_and_bad_enum_and_missing_trigger():
    # Act
    unknown = _error(GOOD.replace("qty: 5,", "qty: 5, ofset: 3,"))
    enum = _error(GOOD.replace("kind: OCO", "kind: OCX"))
    no_trigger = _error(GOOD.replace('    at: "10:00"\n', ""))
    bad_when = _error(GOOD.replace("touch >= 182.50", "touch => 182.50"))
    # Assert
    assert unknown.field == "placements[0].bracket.ofset" and unknown.line == 5
    assert "unknown field 'ofset'" in unknown.text
    assert enum.field == "placements[1].group.kind" and enum.line == 9 and "OCO" in enum.text
    assert no_trigger.field == "placements[0]" and "at, when, every" in no_trigger.text
    assert bad_when.field == "placements[1].when" and bad_when.line == 7


def test_toml_error_names_the_field_and_syntax_error_is_reported():
    # Act
    field = _error(GOOD_TOML.replace("qty = 5", "qty = -5"), toml=True)
    syntax = _error("[instrument\n", toml=True)
    # Assert
    assert field.field == "placements[0].bracket.qty" and field.line is None
    assert "not valid TOML" in syntax.text


def test_cli_refuses_a_bad_scenario_with_exit_2(tmp_path, capsys):
    # Arrange
    scn = tmp_path / "bad.yaml"
    scn.write_text(GOOD.replace("side: Sell, qty: 5", "side: Sideways, qty: 5"))
    data = tmp_path / "x-trades.csv"
    data.write_text("ts_ns,price,size\n")
    # Act
    code = main(["replay", str(data), "--orders", str(scn)])
    # Assert
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.yaml:5: placements[0].bracket.side: 'Sideways' is not one of" in err.replace("\n", "")  # fmt: skip


def test_load_scenario_of_a_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")
