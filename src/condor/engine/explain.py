"""``explain(order_id)``: why an order is in the state it is (spec section 3, Causality).

Invariant: the chain is built only from the events' ``cause`` links (rule -> triggering event
-> its cause ...), newest first, ending at a user command, a market-data event or a timer.
"""

from __future__ import annotations

from condor.domain.orders.events import CauseKind


def explain_chain(engine, order_id: int) -> list[dict]:
    """List of steps, newest first. Each step: ``seq``, ``ts_ns``, ``order_id``, ``exec_type``,
    ``ord_status``, ``last_qty``, ``last_px`` (ticks), ``cause`` (shallow dict) and ``text``.
    Raises KeyError for an unknown order."""
    o = engine.orders[order_id]
    r = engine.history.get(order_id)
    if r is None:
        return [
            {
                "seq": None,
                "ts_ns": o.ts_updated,
                "order_id": o.order_id,
                "exec_type": None,
                "ord_status": o.status.value,
                "last_qty": 0,
                "last_px": None,
                "cause": {"kind": CauseKind.COMMAND.value, "command_id": o.cmd_id},
                "text": f"order {o.order_id} is {o.status.value} by user command #{o.cmd_id}",
            }
        ]
    steps = []
    seen = set()
    while r is not None and r.seq not in seen:
        seen.add(r.seq)
        c = r.cause
        steps.append(
            {
                "seq": r.seq,
                "ts_ns": r.ts_ns,
                "order_id": r.order_id,
                "exec_type": r.exec_type.value,
                "ord_status": r.ord_status.value,
                "last_qty": r.last_qty,
                "last_px": r.last_px,
                "cause": c.shallow() if c is not None else None,
                "text": _describe(r),
            }
        )
        r = c.trigger if c is not None and c.kind is CauseKind.RULE else None
    return steps


def _describe(r) -> str:
    c = r.cause
    what = f"order {r.order_id} {r.exec_type.value}"
    if r.last_qty:
        what += f" {r.last_qty} @ {r.last_px} ticks"
    if c is None:
        return what
    if c.kind is CauseKind.RULE:
        t = c.trigger
        return (
            f"{what} by group {c.group_id} rule {c.rule} because order {t.order_id} "
            f"{t.exec_type.value}"
        )
    if c.kind is CauseKind.MARKET:
        m = c.market
        kind = type(m).__name__
        px = getattr(m, "price", None)
        if px is None:
            px = f"bid {m.bid} ask {m.ask}"
        basis = f" ({c.basis.value})" if c.basis is not None else ""
        return f"{what} on {kind} {px}{basis} at {m.ts_ns}"
    if c.kind is CauseKind.TIMER:
        return f"{what} at {c.timer}"
    return f"{what} by user command #{c.command_id}"
