"""The ``replay:FILE`` market feed: a recorded file fed to the running server in time order.

Invariants:
- the file's instrument is the configured instrument whose symbol (lower case, ``/`` and ``-``
  left out) is the first ``-``-separated word of the file name (``ibm-us-equity-trades-
  20131007.csv`` -> IBM, ``usdjpy-dukascopy-...`` -> USDJPY, ``esh4-cme-...`` -> ESH4); the
  reader is chosen by ``condor.marketdata.open_feed``.
- the server then runs on a simulated clock that starts at the file's first event (unless
  ``clock_start`` says otherwise), so session rules, order times and the stream show the
  recorded day; events reach the venue through ``Runtime.market_many`` exactly like the
  simulated market's (journaled, then published).
- pacing: an event at recorded time ``t`` is fed at ``start + (t - t0) / speed`` of wall time
  (``speed`` from ``simulator.speed``; 0 or less: as fast as the server can take them), in
  batches of the events that are due together.
- a restarted (journaled) server resumes after the last event its venue had seen: events
  recorded at or before that time are skipped (a crash between two events of the same
  nanosecond loses the rest of them rather than feeding any twice).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from condor.api.mapping import ns_to_dt
from condor.domain.instruments import Instrument, InstrumentRegistry
from condor.marketdata import open_feed

log = logging.getLogger("condor.replay")

PREFIX = "replay:"
BATCH = 512  # events per journal batch at most


class ReplayFeedError(ValueError):
    """The ``replay:FILE`` feed cannot be used: the file or its instrument is unknown."""


def replay_path(feed: str) -> Path | None:
    """The file of a ``replay:FILE`` feed (None for other feeds). Raises ReplayFeedError
    when the file does not exist."""
    if not feed.startswith(PREFIX):
        return None
    path = Path(feed[len(PREFIX) :]).expanduser()
    if not path.is_file():
        raise ReplayFeedError(f"replay feed file {path} not found")
    return path


def _key(symbol: str) -> str:
    return symbol.lower().replace("/", "").replace("-", "")


def replay_instrument(path: Path, registry: InstrumentRegistry) -> Instrument:
    """The configured instrument a recorded file is for (see the module doc). Raises
    ReplayFeedError naming the symbols known when none matches."""
    word = path.name.split("-", 1)[0].split(".", 1)[0].lower()
    for inst in registry:
        if _key(inst.symbol) == word:
            return inst
    known = sorted(i.symbol for i in registry)
    raise ReplayFeedError(
        f"no configured instrument for {path.name!r}: the first word of the file name "
        f"({word!r}) must be one of {known}"
    )


def first_event_time(path: Path, inst: Instrument) -> datetime:
    """The recorded time of the file's first event (UTC). Raises ReplayFeedError for an
    empty file."""
    for ev in open_feed(path, inst):
        return ns_to_dt(ev.ts_ns)
    raise ReplayFeedError(f"replay feed file {path} holds no event")


def _chunks(events: Iterator, size: int) -> Iterator[list]:
    while chunk := list(itertools.islice(events, size)):
        yield chunk


async def run_replay(rt, path: Path, inst: Instrument, speed: float) -> None:
    """Feed ``path`` to ``rt`` until the file ends (then log it) or the task is cancelled."""
    events = iter(open_feed(path, inst))
    with rt.read() as e:
        resume = e.venues[inst.symbol].ext.ts_ns  # 0: the venue has seen no market data yet
    if resume:
        events = (ev for ev in events if ev.ts_ns > resume)
    chunks = _chunks(events, BATCH)
    t0: int | None = None
    wall0 = time.monotonic()
    fed = 0
    while True:
        chunk = await asyncio.to_thread(next, chunks, None)
        if chunk is None:
            break
        if rt.failed is not None:
            log.error("replay stopped: the journal cannot store it (%s)", rt.failed)
            return
        i = 0
        while i < len(chunk):
            if t0 is None:
                t0 = chunk[0].ts_ns
            j = i
            if speed > 0:
                due = wall0 + (chunk[i].ts_ns - t0) / 1e9 / speed
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                now = time.monotonic()
                horizon = t0 + int((now - wall0) * speed * 1e9)
                while j < len(chunk) and chunk[j].ts_ns <= horizon:
                    j += 1
                j = max(j, i + 1)
            else:
                j = len(chunk)
            await rt.market_many(chunk[i:j])
            fed += j - i
            i = j
        if speed <= 0:
            await asyncio.sleep(0)  # let requests in between batches
    log.warning("replay of %s finished: %d events fed", path.name, fed)
