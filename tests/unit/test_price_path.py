"""The chart's bounded price path (``condor.reporting.pricepath.PricePath``): exact while the
points fit, bounded and range-preserving once they do not."""

from __future__ import annotations

import random

import pytest

from condor.reporting.pricepath import PricePath


def test_points_fit_one_bucket_each_are_kept_exactly():
    # Arrange
    path = PricePath(capacity=8, width_ns=10)
    pts = [(0, 100), (10, 101), (25, 99), (31, 102)]
    # Act
    for ts, px in pts:
        path.add(ts, px)
    # Assert
    assert path.points() == pts
    assert len(path) == 4 and path.last == (31, 102)


def test_a_bucket_keeps_first_low_high_last_in_time_order():
    # Arrange
    path = PricePath(capacity=8, width_ns=100)
    # Act
    for ts, px in [(0, 50), (1, 40), (2, 45), (3, 70), (4, 60), (5, 55)]:
        path.add(ts, px)
    # Assert
    assert path.points() == [(0, 50), (1, 40), (3, 70), (5, 55)]


def test_long_paths_stay_bounded_and_keep_every_buckets_range():
    # Arrange
    rng = random.Random(7)
    path = PricePath(capacity=16, width_ns=1)
    pts, ts, px = [], 0, 1000
    for _ in range(20_000):
        ts += rng.randint(0, 50)
        px += rng.randint(-3, 3)
        pts.append((ts, px))
    # Act
    for t, p in pts:
        path.add(t, p)
    # Assert: bounded
    assert 0 < len(path) <= 16
    out = path.points()
    assert len(out) <= 4 * 16
    assert out[0] == pts[0] and out[-1] == pts[-1] and path.last == pts[-1]
    assert [t for t, _ in out] == sorted(t for t, _ in out)
    # Assert: each bucket's lowest and highest input appear among the points of that bucket
    w, o = path.width_ns, path.origin
    windows: dict[int, list[int]] = {}
    for t, p in pts:
        windows.setdefault((t - o) // w, []).append(p)
    got: dict[int, list[int]] = {}
    for t, p in out:
        got.setdefault((t - o) // w, []).append(p)
    assert set(got) == set(windows)
    for k, ps in windows.items():
        assert min(ps) == min(got[k]) and max(ps) == max(got[k])


def test_capacity_must_allow_a_merge():
    with pytest.raises(ValueError):
        PricePath(capacity=1)
