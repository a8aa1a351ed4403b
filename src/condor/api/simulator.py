"""The simulated market: a seeded random walk of every instrument with a reference price.

Invariant: integer ticks and lots throughout (no float for prices); the same seed, instruments
and number of rounds give the same sequence of quotes and trades. The walk never goes below
half its reference price. Every instrument with trades prints one trade every ``trade_every``
rounds, at its own phase (its position in the walk modulo ``trade_every``), so no instrument is
skipped and the prints of different instruments are spread over the rounds. It runs as one asyncio task on the event loop, feeding the venue
through ``Runtime.market_many`` exactly as a recorded feed would (a journaled server commits
each round together). A restarted server's walk continues from the venues' last quotes. The
walk stops when the journal can no longer store its rounds (the error is logged once).
"""

from __future__ import annotations

import asyncio
import logging
import random
from decimal import Decimal

from condor.domain.instruments import AssetClass, Instrument
from condor.domain.market import Aggressor, QuoteTick, TradeTick

log = logging.getLogger("condor.simulator")

_SIZE_UNITS = {AssetClass.EQUITY: 100, AssetClass.FX: 1_000_000, AssetClass.FUTURE: 10}


class RandomWalk:
    """Per-instrument state and one ``step(now_ns)`` that returns the round's events: a
    ``QuoteTick`` for every instrument with a reference price (``refs``, ticks) and, for one
    with ``has_trades``, a ``TradeTick`` (at the bid or ask) every ``trade_every`` rounds."""

    def __init__(self, instruments: list[Instrument], refs: dict[str, int], seed: int,
                 trade_every: int = 4) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.trade_every = max(1, trade_every)
        self.rounds = 0
        self.state: list[tuple[Instrument, int, int, int]] = []  # inst, ref, mid, unit lots
        self.mid: dict[str, int] = {}
        for inst in instruments:
            ref = refs.get(inst.symbol)
            if ref is None:
                continue
            unit = max(1, int(Decimal(1) / inst.lot_size)) * _SIZE_UNITS.get(inst.asset_class, 1)
            self.state.append((inst, ref, ref, unit))
            self.mid[inst.symbol] = ref

    def step(self, now_ns: int) -> list[QuoteTick | TradeTick]:
        rng = self.rng
        self.rounds += 1
        out: list[QuoteTick | TradeTick] = []
        for k, (inst, ref, _, unit) in enumerate(self.state):
            mid = self.mid[inst.symbol]
            step = max(1, ref // 5000)
            mid = max(ref // 2, mid + rng.choice((-1, 0, 0, 1)) * step)
            self.mid[inst.symbol] = mid
            half = max(1, ref // 20000)
            bid, ask = mid - half, mid + half
            out.append(
                QuoteTick(
                    inst.symbol,
                    now_ns,
                    bid,
                    ask,
                    rng.randint(1, 20) * unit,
                    rng.randint(1, 20) * unit,
                )
            )
            if inst.has_trades and self.trades_now(k):
                buyer = rng.random() < 0.5
                out.append(
                    TradeTick(
                        inst.symbol,
                        now_ns,
                        ask if buyer else bid,
                        rng.randint(1, 10) * unit,
                        aggressor=Aggressor.BUYER if buyer else Aggressor.SELLER,
                    )
                )
        return out

    def trades_now(self, k: int) -> bool:
        """Whether the ``k``-th instrument of the walk prints a trade this round: once every
        ``trade_every`` rounds, phase ``k`` (``settings.simulator.trade_every``)."""
        return (self.rounds + k) % self.trade_every == 0


async def run_simulator(rt, stop: asyncio.Event | None = None) -> None:
    """Feed ``RandomWalk`` rounds to ``rt`` every ``settings.simulator.interval_ms`` until
    cancelled (or ``stop`` is set)."""
    cfg = rt.settings.simulator
    walk = RandomWalk(list(rt.engine.instruments), rt.ref_prices, cfg.seed, cfg.trade_every)
    with rt.read() as e:
        for sym in walk.mid:
            ext = e.venues[sym].ext
            if ext.bid is not None and ext.ask is not None:
                walk.mid[sym] = (ext.bid + ext.ask) // 2
    delay = cfg.interval_ms / 1000 / max(cfg.speed, 1e-6)
    while stop is None or not stop.is_set():
        if rt.failed is not None:
            log.error("simulated market stopped: the journal cannot store it (%s)", rt.failed)
            return
        try:
            await rt.market_many(walk.step(rt.now_ns()))
        except Exception:  # keep the market alive; the error is logged with its traceback
            if rt.failed is None:
                log.exception("simulator round failed")
        await asyncio.sleep(delay)
