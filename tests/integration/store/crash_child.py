"""A writer process for the crash test: recovers from ``url``, then appends batches of BATCH
random inputs (orders, groups, cancels, quotes and trades) forever, printing
``ack <last input seq> <sha256 of repr(events of the batch)>`` only after each commit returned.
Run: ``python crash_child.py URL SEED``; the test kills it with SIGKILL."""

from __future__ import annotations

import hashlib
import random
import sys

from condor.domain.groups.commands import CreateGroup, MemberSpec
from condor.domain.groups.templates import GroupKind
from condor.domain.market import QuoteTick, TradeTick
from condor.domain.orders.commands import CancelOrder, SubmitOrder
from condor.domain.orders.enums import OrdType, Side, TimeInForce
from condor.store.journal import Store
from condor.store.recovery import open_recorder

from store_fixtures import build_engine

BATCH = 5


def random_input(rng: random.Random, e):
    r = rng.random()
    px = 10_000 + rng.randint(-200, 200)
    gtc = TimeInForce.GTC
    if r < 0.35:
        acct, side = rng.choice((("A", Side.SELL), ("B", Side.BUY)))
        return SubmitOrder(acct, "IBM", side, OrdType.LIMIT, rng.randint(1, 5), price=px, tif=gtc)
    if r < 0.45:
        s = lambda p: SubmitOrder("A", "IBM", Side.SELL, OrdType.LIMIT, 2, price=p, tif=gtc)  # noqa: E731
        return CreateGroup(GroupKind.OCO, (MemberSpec(s(px + 50)), MemberSpec(s(px + 80))))
    if r < 0.55:
        b = lambda t, **k: SubmitOrder("B", "IBM", t[0], t[1], 2, tif=gtc, **k)  # noqa: E731
        return CreateGroup(
            GroupKind.BRACKET,
            (
                MemberSpec(b((Side.BUY, OrdType.LIMIT), price=px), role="entry"),
                MemberSpec(b((Side.SELL, OrdType.LIMIT), price=px + 100), role="take_profit"),
                MemberSpec(
                    b((Side.SELL, OrdType.STOP_MARKET), stop_price=px - 100), role="stop_loss"
                ),
            ),
        )
    if r < 0.65 and e.live:
        return CancelOrder(rng.choice(sorted(e.live)))
    ts = e.clock.now_ns() + 1_000_000
    if r < 0.8:
        return QuoteTick("IBM", ts, px - 1, px + 1, 50, 50)
    return TradeTick("IBM", ts, px, rng.randint(1, 20))


def main(url: str, seed: int) -> None:
    store = Store.open(url)
    rec, _ = open_recorder(store, build_engine)
    rng = random.Random(seed * 1_000_003 + rec.next_seq)
    while True:
        events = []
        for _ in range(BATCH):
            events.extend(rec.apply(random_input(rng, rec.engine)).events)
        store.append(rec.flush())
        digest = hashlib.sha256(repr(events).encode()).hexdigest()[:16]
        sys.stdout.write(f"ack {rec.next_seq - 1} {digest}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
