"""``condor replay`` and ``condor demo`` from the command line over the real files: bad
arguments, missing or damaged data files give one plain line on stderr and exit status 2 (no
traceback); the summary on stdout and the report folder are byte-identical run after run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from condor.cli import main

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "examples" / "ibm-brackets.yaml"
TRADES = "ibm-us-equity-trades-20131007.csv"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "0"], "argument --every: '0' must be 1 or more"),
        (["--every", "-5"], "argument --every: '-5' must be 1 or more"),
        (["--qty", "0"], "argument --qty: '0' must be 1 or more"),
        (["--offset", "x"], "argument --offset: 'x' is not a whole number"),
        (["--tick", "abc"], "argument --tick: 'abc' is not a decimal number"),
        (["--lot", "0"], "argument --lot: '0' must be a positive decimal"),
    ],
)
def test_bad_bracket_options_are_usage_errors(shared_data, capsys, args, message):
    # Act
    with pytest.raises(SystemExit) as info:
        main(["replay", str(shared_data / TRADES), *args])
    # Assert
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_and_unknown_data_files(tmp_path, capsys):
    # Arrange
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    # Act
    missing = _run(capsys, "replay", str(tmp_path / "nope-trades.csv"))
    missing_orders = _run(capsys, "replay", str(tmp_path / "nope-trades.csv"), "--orders", str(SCENARIO))  # fmt: skip
    unknown = _run(capsys, "replay", str(other))
    # Assert
    assert missing == (2, "", f"condor: {tmp_path / 'nope-trades.csv'}: no such data file\n")
    assert missing_orders == missing
    assert unknown == (2, "", "condor: no reader for 'notes.txt'\n")


def test_feed_error_of_the_bracket_replay_is_one_line_naming_file_and_line(shared_data, capsys):
    # Act: the IBM tape is not on a 0.10 grid; the Binance capture is BTCUSDT, not IBM
    off_grid = _run(capsys, "replay", str(shared_data / TRADES), "--tick", "0.1")
    binance = shared_data / "btcusdt-binance-spot-ws-20240808T2354-20240809T0005Z.jsonl.gz"
    wrong = _run(capsys, "replay", str(binance), "--lot", "0.00000001")
    # Assert
    assert off_grid[0] == 2
    assert off_grid[2] == f"condor: {shared_data / TRADES}:2: IBM price '181.5200' is not a multiple of 0.1\n"  # fmt: skip
    assert wrong[0] == 2
    assert wrong[2] == f"condor: {binance}:1: the capture is of BTCUSDT, not of the instrument IBM\n"  # fmt: skip


def test_error_at_line_100_is_not_turned_into_an_emoji(shared_data, tmp_path, capsys):
    # Arrange: rich's console rendered ":100:" as an emoji and wrapped the line at 80 columns
    with open(shared_data / TRADES, newline="") as f:
        lines = [next(f) for _ in range(100)]
    path = tmp_path / "cut-trades.csv"
    path.write_text("".join(lines[:99]) + lines[99][:30])
    # Act
    code, _, err = _run(capsys, "replay", str(path), "--orders", str(SCENARIO), "--out", str(tmp_path / "r"))  # fmt: skip
    # Assert
    assert code == 2
    assert err == f"condor: {path}:100: bad record: too few fields (a truncated or malformed line)\n"  # fmt: skip


def test_scenario_replay_is_byte_identical_twice(shared_data, tmp_path, capsys, monkeypatch):
    # Arrange: the README's scenario example, run twice from the same folder name
    monkeypatch.chdir(tmp_path)
    outs, files = [], []
    for k in range(2):
        # Act
        code, out, err = _run(capsys, "replay", str(shared_data / TRADES), "--orders", str(SCENARIO), "--out", "report-ibm")  # fmt: skip
        assert code == 0 and "events/s" in err  # the speed goes to stderr only
        outs.append(out)
        files.append({p.name: p.read_bytes() for p in sorted((tmp_path / "report-ibm").iterdir())})
        shutil.move(tmp_path / "report-ibm", tmp_path / f"kept{k}")
    # Assert
    assert outs[0] == outs[1] and files[0] == files[1]
    assert "146.00" in outs[0] and "per second" not in outs[0]
    assert sorted(files[0]) == ["chart.png", "fills.csv", "fills.parquet", "order_events.csv", "order_events.parquet", "pnl.csv", "pnl.parquet"]  # fmt: skip


def test_bracket_replay_prints_exact_pnl_and_is_deterministic(shared_data, capsys):
    # Arrange: the README's USD/JPY example
    argv = ["replay", str(shared_data / "usdjpy-dukascopy-quotes-20190101.csv"), "--symbol", "USDJPY", "--tick", "0.001", "--currency", "JPY", "--quotes-only", "--every", "50"]  # fmt: skip
    # Act
    first = _run(capsys, *argv)
    second = _run(capsys, *argv)
    # Assert
    assert first[0] == 0 and first[1] == second[1]
    assert "-135.200" in first[1] and "0.600" in first[1] and "109.594" in first[1]
