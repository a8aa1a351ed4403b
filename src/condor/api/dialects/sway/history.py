"""Sway / DXtrade order history: parameters, filters and paging of
``GET``/``POST .../orders/history`` (wire-formats.md section 3.4).

Invariants:
- the history is every order of the accounts that the engine still keeps, newest transaction
  first: ordered by ``transactionTime`` (the order's last update), then by order id, both
  descending; ``nextPageTransactionTime`` is the ``transactionTime`` of the first order not
  returned.
- ``transaction-from``/``transaction-to`` bound ``transactionTime`` inclusively at the
  millisecond (the precision written on the wire), so ``transaction-to`` =
  ``nextPageTransactionTime`` starts the next page at the first order not yet returned (an
  order sharing that millisecond with the previous page's last ones is returned again).
- a malformed parameter (the time bounds included) answers 400 code 31 (malformed query
  URI); nothing here changes state.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qsl

from fastapi import Request

from condor.api.dialects.sway import mapping as M
from condor.api.dialects.sway.errors import malformed_uri
from condor.api.dialects.sway.schemas import parse_body, parse_time
from condor.api.mapping import dt_to_ns
from condor.domain.orders.order import Order

_MS = 1_000_000
_DAY = 86_400 * 10**9
_PERIODS = {"TODAY": (0, 1), "PREVIOUS-DAY": (1, 0), "WEEK": (6, 1), "PREVIOUS-WEEK": (13, 6)}
_OF_TYPE = {"MARKET", "LIMIT", "STOP", "STOP_LIMIT"}


async def params_of(request: Request) -> dict:
    """Query parameters, plus a POST's form fields (``application/x-www-form-urlencoded``)
    or JSON object."""
    params = dict(request.query_params)
    if request.method == "POST":
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if raw and "json" in ctype:
            params.update({k: str(v) for k, v in parse_body(raw).items()})
        elif raw:
            params.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
    return params


def _int(params: dict, name: str, default: int | None, lo: int = 1) -> int | None:
    v = params.get(name)
    if v is None or v == "":
        return default
    try:
        n = int(v)
    except ValueError:
        raise malformed_uri(f"{name} must be an integer") from None
    if n < lo:
        raise malformed_uri(f"{name} must be at least {lo}")
    return n


def _time(params: dict, name: str) -> int | None:
    """Epoch ns of the time parameter ``name`` (RFC 3339 or a date, ``schemas.parse_time``);
    None when absent; SwayError 400 code 31 when it does not parse."""
    v = params.get(name)
    if not v:
        return None
    try:
        return dt_to_ns(parse_time(v))
    except ValueError:
        raise malformed_uri(f"{name} must be an RFC 3339 time or a date, not {v!r}") from None


def _list(params: dict, name: str) -> set[str] | None:
    v = params.get(name)
    if not v:
        return None
    return {x.strip().upper() for x in v.split(",") if x.strip()}


def _codes(params: dict, name: str) -> set[str] | None:
    v = params.get(name)
    return set(v.split(",")) if v else None


class Filters(NamedTuple):
    """The history filters, each None when not asked: statuses and types (wire names, upper
    case), ``side`` BUY/SELL, client ids, order ids (text), instruments, versions (µs),
    ``issued``/``done``/``tx`` as (from, to) epoch ns (``tx`` in whole milliseconds)."""

    statuses: set[str] | None
    types: set[str] | None
    side: str | None
    client_ids: set[str] | None
    order_ids: set[str] | None
    instruments: set[str] | None
    versions: tuple[int | None, int | None]
    issued: tuple[int | None, int | None]
    done: tuple[int | None, int | None]
    tx: tuple[int | None, int | None]


def filters(e, params: dict) -> Filters:
    """Parse the filter parameters of section 3.4. Raises SwayError 400 code 31."""
    types = _list(params, "of-type")
    if types and not types <= _OF_TYPE:
        raise malformed_uri(f"of-type: {sorted(types - _OF_TYPE)}")
    side = (params.get("side") or "").upper() or None
    if side not in (None, "BUY", "SELL"):
        raise malformed_uri("side must be BUY or SELL")
    tx_from = _time(params, "transaction-from")
    tx_to = _time(params, "transaction-to")
    return Filters(
        statuses=_list(params, "in-status"),
        types=types,
        side=side,
        client_ids=_codes(params, "with-client-id"),
        order_ids=_codes(params, "with-order-id"),
        instruments=_codes(params, "for-instrument"),
        versions=_versions(params),
        issued=_issued(e, params),
        done=(_time(params, "completed-from"), _time(params, "completed-to")),
        tx=(_ms(tx_from), _ms(tx_to)),
    )


def _versions(params: dict) -> tuple[int | None, int | None]:
    return _int(params, "at-least-version", None, 0), _int(params, "at-most-version", None, 0)


def _ms(ns: int | None) -> int | None:
    return None if ns is None else ns // _MS


def _issued(e, params: dict) -> tuple[int | None, int | None]:
    """``issued-from``/``issued-to``, or the ``period`` (UTC days on the engine clock)."""
    period = params.get("period")
    if not period:
        return _time(params, "issued-from"), _time(params, "issued-to")
    bounds = _PERIODS.get(period.upper())
    if bounds is None:
        raise malformed_uri(f"period {period!r}")
    midnight = e.clock.now_ns() // _DAY * _DAY
    return midnight - bounds[0] * _DAY, midnight + bounds[1] * _DAY


def _within(v: int, lo: int | None, hi: int | None, inclusive: bool = False) -> bool:
    if lo is not None and v < lo:
        return False
    return hi is None or v < hi or (inclusive and v == hi)


def matches(o: Order, f: Filters) -> bool:
    """Whether ``o`` passes every filter of ``f``."""
    checks = (
        f.statuses is None or M.STATUS[o.status] in f.statuses,
        f.types is None or M.TYPES_OUT.get(o.ord_type) in f.types,
        f.side is None or (f.side == "BUY") == o.side.is_buy,
        f.client_ids is None or o.cl_ord_id in f.client_ids,
        f.order_ids is None or str(o.order_id) in f.order_ids,
        f.instruments is None or o.inst.symbol in f.instruments,
        _within(M.version(o), *f.versions, inclusive=True),
        _within(o.ts_created, *f.issued),
        _within(o.ts_updated // _MS, *f.tx, inclusive=True),
    )
    if not all(checks):
        return False
    if f.done == (None, None):
        return True
    return o.status.is_terminal and _within(o.ts_updated, *f.done)


def select(e, accounts: list[str], params: dict) -> tuple[list[Order], Order | None]:
    """(the page of orders asked, the first order of the next page or None): every order of
    ``accounts`` passing the filters, newest ``transactionTime`` first, cut into pages of
    ``page-size`` (or ``limit``; default 100) from ``page`` 1. Raises SwayError 400."""
    f = filters(e, params)
    page = _int(params, "page", 1)
    size = _int(params, "page-size", None) or _int(params, "limit", 100)
    wanted = set(accounts)
    found = [o for o in e.orders.values() if o.account in wanted and matches(o, f)]
    found.sort(key=lambda o: (o.ts_updated, o.order_id), reverse=True)
    start = (page - 1) * size
    after = found[start + size] if start + size < len(found) else None
    return found[start : start + size], after
