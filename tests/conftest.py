"""Shared fixtures. Every engine built through ``make_engine`` is checked for internal
consistency (book, trigger index, live index) after the test, exchange-core style."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import builders

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def make_engine():
    made = []

    def _make(*accounts, **kw):
        e = builders.engine(*accounts, **kw)
        made.append(e)
        return e

    yield _make
    for e in made:
        e.check_invariants()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real market data folder {SHARED_DATA} is absent (../shared/data)")
    return SHARED_DATA
