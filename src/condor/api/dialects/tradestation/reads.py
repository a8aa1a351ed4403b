"""TradeStation reads: account orders, a user's accounts, activation triggers, exchanges
(wire-formats.md 1.4, 1.9).

Invariant: reads only, under ``Runtime.read`` (a consistent snapshot); an account the caller
may not see answers as an unknown one (400 "Invalid account."), so keys leak nothing.
"""

from __future__ import annotations

from datetime import datetime

from condor.api.dialects.tradestation import detail, filters
from condor.api.dialects.tradestation import errors as E
from condor.api.dialects.tradestation.errors import TSError, bad
from condor.api.mapping import dt_to_ns
from condor.api.settings import Role

MAX_KEYS = 25
DEFAULT_PAGE = 600


def _int(v: str | None, name: str, default: int) -> int:
    if v is None or v == "":
        return default
    try:
        n = int(v)
    except ValueError:
        n = 0
    if n < 1:
        raise bad(f"Invalid {name}.")
    return n


def _since(v: str | None) -> int | None:
    if not v:
        return None
    for fmt in ("%m-%d-%Y", "%m/%d/%Y"):
        try:
            return dt_to_ns(datetime.strptime(v, fmt))
        except ValueError:
            continue
    raise bad("Invalid since date (MM-DD-YYYY).")


def account_orders(rt, p, keys: str, query) -> list[dict]:
    """``GET /v2/accounts/{keys}/orders``: Order Details of 1-25 comma-separated account keys,
    most recent first (from the runtime's per-account index: the cost follows the accounts'
    orders, not every order id; ``GroupName`` from ``Runtime.group_names``, not a walk over
    every group); ``since`` (MM-DD-YYYY, creation date UTC), ``$filter``
    (``filters``: ``symbol eq 'AAPL'``...), ``pageSize`` (default 600), ``pageNum`` (from 1),
    paged after filtering. 400 "Invalid account." for a key the caller may not see, "Invalid
    $filter: ..." for a filter outside the subset."""
    accounts = [k.strip() for k in keys.split(",") if k.strip()]
    if not accounts or len(accounts) > MAX_KEYS:
        raise bad(E.INVALID_ACCOUNT)
    size = _int(query.get("pageSize") or query.get("pagesize"), "pageSize", DEFAULT_PAGE)
    page = _int(query.get("pageNum") or query.get("pagenum"), "pageNum", 1)
    since = _since(query.get("since"))
    keep = filters.parse(query.get("$filter"))
    out: list[dict] = []
    skip = (page - 1) * size
    with rt.read() as e:
        for a in accounts:
            if a not in e.accounts or not p.may_see(a):
                raise bad(E.INVALID_ACCOUNT)
        for o in rt.order_index.newest_first(e, accounts):
            if since is not None and o.ts_created < since:
                continue
            if keep is None and skip:  # unfiltered: skip before building the detail
                skip -= 1
                continue
            spec = e.activations.get(o.order_id)
            d = detail.order_detail(o, rt.group_names.name(o.order_id), spec, e.instruments)
            if keep is not None and not keep(d):
                continue
            if skip:
                skip -= 1
                continue
            out.append(d)
            if len(out) == size:
                break
    return out


def _accounts_of(rt, p, user_id: str, known) -> list[str]:
    """The account keys of ``user_id`` as ``p`` may learn them: the caller's own (those its
    token may see), or, for an Operator asking about another user, that user's (every account
    for an Operator user). TSError 401 for a non-Operator asking about someone else, 400
    "Invalid user ID." for an unknown user."""
    if user_id == p.username:
        return sorted(a for a in known if p.may_see(a))
    if not p.is_operator:
        raise TSError(401, E.UNAUTHORIZED)
    user = rt.auth.users.get(user_id)
    if user is None:
        raise bad(E.INVALID_USER)
    if user.role is Role.OPERATOR:
        return sorted(known)
    return sorted(a for a in user.accounts if a in known)


def user_accounts(rt, p, user_id: str) -> list[dict]:
    """``GET /v2/users/{userId}/accounts``: ``[{"Key", "Name", "Type", "TypeDescription"}]``
    of that user's accounts (numeric keys as numbers, others as strings); 401 for another
    user's id unless the caller is an Operator (``_accounts_of``)."""
    with rt.read() as e:
        ids = _accounts_of(rt, p, user_id, e.accounts)
    return [
        {
            "Key": int(a) if a.isdigit() else a,
            "Name": a,
            "Type": "C",
            "TypeDescription": "Cash",
        }
        for a in ids
    ]


_TRIGGERS = (
    ("STT", "Single Trade Tick", "One trade tick must print within your stop price."),
    ("STTN", "Single Trade Tick Within NBBO", "One trade tick within the NBBO must print."),
    ("SBA", "Single Bid/Ask Tick", "Buy: one Ask tick; Sell: one Bid tick."),
    ("SAB", "Single Ask/Bid Tick", "Buy: one Bid tick; Sell: one Ask tick."),
    ("DTT", "Double Trade Tick", "Two consecutive trade ticks must print."),
    ("DTTN", "Double Trade Tick Within NBBO", "Two consecutive trade ticks within the NBBO."),
    ("DBA", "Double Bid/Ask Tick", "Buy: two Ask ticks; Sell: two Bid ticks."),
    ("DAB", "Double Ask/Bid Tick", "Buy: two Bid ticks; Sell: two Ask ticks."),
    ("TTT", "Twice Trade Tick", "Two trade ticks must print."),
    ("TTTN", "Twice Trade Tick Within NBBO", "Two trade ticks within the NBBO must print."),
    ("TBA", "Twice Bid/Ask Tick", "Buy: two Ask ticks; Sell: two Bid ticks."),
    ("TAB", "Twice Ask/Bid Tick", "Buy: two Bid ticks; Sell: two Ask ticks."),
)


def activation_triggers() -> dict:
    """``GET /v2/orderexecution/activationtriggers`` (section 1.4)."""
    return {
        "ActivationTriggers": [{"Key": k, "Name": n, "Description": d} for k, n, d in _TRIGGERS]
    }


def exchanges(rt) -> dict:
    """``GET /v2/orderexecution/exchanges``: Intelligent plus every venue of the instruments,
    by asset type."""
    kinds = {"equity": "EQ", "fx": "FX", "future": "FU"}
    with rt.read() as e:
        pairs = sorted({(kinds[i.asset_class.value], i.venue) for i in e.instruments
                        if i.asset_class.value in kinds})  # fmt: skip
    out = [{"AssetType": t, "Id": "Intelligent", "Name": "Intelligent"} for t in ("EQ", "FU", "FX")]
    out += [{"AssetType": t, "Id": v.upper(), "Name": v} for t, v in pairs]
    return {"Exchange": out}
