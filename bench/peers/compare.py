"""Condor side by side with NautilusTrader and backtrader on the same workloads (issue #11).

Every workload of ``walk.py`` runs in a fresh subprocess per engine, alternating Condor and the
peer (A B A B ...), ``--repeats`` times each; the figures are the medians of the timed sections
(see each ``*_run.py``: quote construction is outside them) and the ratio is Condor / peer
(below 1: Condor is faster). Condor runs with this interpreter (``.venv``), the peers with
``--peers-python`` (default ``.venv-peers/bin/python``, made by ``make bench-peers``).

Honesty checks: for every workload Condor's and Nautilus' brackets are compared one by one
(entry, take-profit, stop-loss each Filled / Canceled / Working): the same quotes, the same
placement ticks, the same prices, exits linked OUO in both, stops and trailing stops on bid /
ask, limits filled on touch. A bracket may differ only where Condor's semantics are wider:
Condor's venue matches client orders against each other (self-trade prevention cancels an
entry that would cross the account's own resting exit), Nautilus' simulated venue never does;
such brackets are counted apart. backtrader runs bars (no bid / ask, market orders fill at the
next bar's open, OCO instead of OUO): its counts are shown, not required to agree.

Prints a table, then as its last line one JSON object of the ratios (also written to
``bench/results/peers.json``). Never asserts on time. Run: ``make bench-peers`` or
``.venv/bin/python bench/peers/compare.py [--quick] [--repeats N] [--bt-repeats N]``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/_common.py: tables and the JSON figures

import walk  # noqa: E402

from _common import emit, load_note, note, parser, table  # noqa: E402

ROOT = HERE.parents[1]
KEYS = {
    "no_orders": "ratio_nautilus_no_orders",
    "brackets_1k": "ratio_nautilus_1k_brackets",
    "brackets_10k": "ratio_nautilus_10k_brackets",
    "trailing_10k": "ratio_nautilus_10k_trailing",
    "usdjpy_1k": "ratio_nautilus_usdjpy_1k",
}
BACKTRADER_WORKLOADS = ("brackets_10k",)


def run_one(python: str, script: str, w: walk.Workload, a) -> dict:
    """One workload in a fresh subprocess; its last stdout line (JSON). Raises
    RuntimeError with the child's stderr when it fails."""
    cmd = [python, str(HERE / script), w.name, "--seed", str(a.seed), "--data", str(a.data)]
    if a.quick:
        cmd.append("--quick")
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(f"{script} {w.name} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def alternate(w: walk.Workload, peer_script: str, repeats: int, a) -> tuple[list, list]:
    """A B A B ...: ``repeats`` Condor runs and ``repeats`` peer runs, interleaved."""
    mine, theirs = [], []
    for _ in range(repeats):
        mine.append(run_one(sys.executable, "condor_run.py", w, a))
        theirs.append(run_one(a.peers_python, peer_script, w, a))
    return mine, theirs


def compare_outcomes(c: dict, p: dict) -> dict:
    """Bracket-by-bracket comparison of two runs' outcome codes."""
    oc, op = c["outcomes"], p["outcomes"]
    diff = [i // 3 for i in range(0, max(len(oc), len(op)), 3) if oc[i : i + 3] != op[i : i + 3]]
    stp = sum(oc[3 * i] == "C" for i in diff)  # Condor's entry canceled (self-trade)
    return {
        "brackets": len(oc) // 3,
        "differ": len(diff),
        "differ_self_trade": min(stp, c["self_trade"]),
        "first": [(i, oc[3 * i : 3 * i + 3], op[3 * i : 3 * i + 3]) for i in diff[:5]],
    }


def median(runs: list, key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--repeats", type=int, default=3, help="runs per engine (Nautilus)")
    p.add_argument("--bt-repeats", type=int, default=2, help="runs per engine (backtrader)")
    p.add_argument("--peers-python", default=str(ROOT / ".venv-peers" / "bin" / "python"))
    p.add_argument("--data", type=Path, default=walk.default_data_dir())
    p.add_argument("--skip-backtrader", action="store_true")
    a = p.parse_args()
    if not Path(a.peers_python).exists():
        sys.exit(f"{a.peers_python} missing: run `make bench-peers` (creates .venv-peers)")
    rows, figures, checks = [], {}, []
    agree = True
    for w in walk.workloads(a.quick):
        if w.source == "usdjpy" and not (a.data / walk.USDJPY_FILE).exists():
            note(f"{w.name}: skipped, {a.data / walk.USDJPY_FILE} is missing")
            continue
        mine, theirs = alternate(w, "nautilus_run.py", a.repeats, a)
        cmp = compare_outcomes(mine[0], theirs[0])
        ok = cmp["differ"] == cmp["differ_self_trade"]
        agree &= ok
        c_s, n_s = median(mine), median(theirs)
        figures[KEYS[w.name]] = round(c_s / n_s, 3)
        rows.append([w.name, "Nautilus", w.ticks, w.brackets, c_s, n_s, c_s / n_s,
                     f"{mine[0]['fills']}/{theirs[0]['fills']}",
                     f"{mine[0]['cancels']}/{theirs[0]['cancels']}",
                     f"{cmp['differ']} ({cmp['differ_self_trade']})"])  # fmt: skip
        checks.append((w.name, "NautilusTrader", cmp))
        if a.skip_backtrader or w.name not in BACKTRADER_WORKLOADS:
            continue
        mine, theirs = alternate(w, "backtrader_run.py", a.bt_repeats, a)
        cmp = compare_outcomes(mine[0], theirs[0])
        c_s, b_s = median(mine), median(theirs)
        figures["ratio_backtrader_10k_brackets"] = round(c_s / b_s, 4)
        rows.append([w.name, "backtrader", w.ticks, w.brackets, c_s, b_s, c_s / b_s,
                     f"{mine[0]['fills']}/{theirs[0]['fills']}",
                     f"{mine[0]['cancels']}/{theirs[0]['cancels']}",
                     f"{cmp['differ']} (bars)"])  # fmt: skip
    table(
        f"Condor vs peers: median of {a.repeats} alternating runs "
        f"(backtrader: {a.bt_repeats}), seconds of the timed section",
        ["workload", "peer", "quotes", "brackets", "Condor s", "peer s", "C/P",
         "filled C/P", "canceled C/P", "differ"],
        rows,
        caption="C/P: Condor seconds / peer seconds; filled, canceled: orders ending so in "
        "Condor / the peer; differ: brackets whose outcome differs (of which explained by "
        "self-trade prevention); " + load_note(),
    )  # fmt: skip
    for name, peer, cmp in checks:
        for i, oc, op in cmp["first"]:
            note(f"{name} vs {peer}: bracket {i} Condor {oc} peer {op} "
                 "(entry/take-profit/stop-loss: Filled, Canceled, Working)")  # fmt: skip
    note("Outcomes agree bracket by bracket with NautilusTrader"
         + (" (apart from self-trade prevention)." if agree else ": NO, see above."))  # fmt: skip
    if a.quick:
        note("[quick run: a tenth of the ticks and brackets; the JSON keys keep their names]")
    figures["nautilus_outcomes_agree"] = agree
    emit("peers", figures, a.quick)


if __name__ == "__main__":
    main()
