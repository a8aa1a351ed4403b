"""``api.fill_index.FillIndex`` answers exactly what a walk over the executions log would, as
the runtime appends fills and trims the log's oldest part (``journal.fills_kept``), and stays
bounded by the log's length."""

from __future__ import annotations

from typing import NamedTuple

from condor.api.fill_index import SLACK, FillIndex


class Fill(NamedTuple):
    seq: int
    order_id: int


def _walk(fills, ids) -> dict:
    out: dict = {}
    for f in fills:
        if f.order_id in ids:
            out.setdefault(f.order_id, []).append(f)
    return out


def test_answers_equal_a_walk_across_appends_and_trims():
    fills: list[Fill] = []
    idx = FillIndex()
    ids = {1, 2, 5}
    seq = 0
    for step in range(4 * SLACK):
        seq += 3
        fills.append(Fill(seq, step % 7))
        if step % 97 == 0:
            del fills[: len(fills) // 2]  # the runtime trims the oldest half
        if step % 13 == 0:
            assert idx.of_orders(fills, [f.seq for f in fills], ids) == _walk(fills, ids)
            assert idx._size <= 2 * len(fills) + SLACK + 13
