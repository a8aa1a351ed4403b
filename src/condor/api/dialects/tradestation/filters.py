"""The OData subset of ``$filter`` on ``GET /v2/accounts/{keys}/orders`` (wire-formats.md 1.4:
"an OData-subset ``$filter`` (e.g. ``$filter=symbol eq 'AAPL'``)").

Grammar: comparisons ``<field> eq|ne <value>`` joined by ``and`` / ``or`` (``and`` binds
tighter, as in OData); a value is a quoted string (``'AAPL'``, ``''`` for a quote) or a bare
number. Fields (any case) are Order Detail fields (section 1.9): ``Symbol``, ``Status``,
``Type``, ``AssetType``, ``Duration``, ``OrderID``, ``AccountID``, ``GroupName``,
``OrderConfirmId``; a comparison is made on the field's text, exactly. Anything else is a
400 "Invalid $filter: <reason>". Pure: no state is read or changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from condor.api.dialects.tradestation.errors import bad

FIELDS = {k.lower(): k for k in ("Symbol", "Status", "Type", "AssetType", "Duration",
                                 "OrderID", "AccountID", "GroupName", "OrderConfirmId")}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|([^\s']+))")

Predicate = Callable[[dict], bool]


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, quoted) pairs; 400 for an unterminated quote."""
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip():
                raise bad("Invalid $filter: unterminated quote")
            break
        if m.group(1) is not None:
            out.append((m.group(1)[1:-1].replace("''", "'"), True))
        elif m.group(2) is not None:
            out.append((m.group(2), False))
        pos = m.end()
    return out


def _comparison(field: str, op: str, value: str) -> Predicate:
    key = FIELDS.get(field.lower())
    if key is None:
        raise bad(f"Invalid $filter: unknown field {field}")
    if op == "eq":
        return lambda d: str(d.get(key, "")) == value
    return lambda d: str(d.get(key, "")) != value


def parse(text: str | None) -> Predicate | None:
    """The predicate of a ``$filter`` over Order Detail objects, None when there is none."""
    if text is None or not text.strip():
        return None
    toks = _tokens(text)
    disjuncts: list[list[Predicate]] = [[]]
    i = 0
    while True:
        if i + 3 > len(toks) or toks[i][1] or toks[i + 1][1]:
            raise bad("Invalid $filter: expected <field> eq|ne <value>")
        (field, _), (op, _), (value, quoted) = toks[i : i + 3]
        op = op.lower()
        if op not in ("eq", "ne") or (not quoted and not _number(value)):
            raise bad(f"Invalid $filter: {field} {op} {value}")
        disjuncts[-1].append(_comparison(field, op, value))
        i += 3
        if i == len(toks):
            break
        join = toks[i][0].lower() if not toks[i][1] else ""
        if join == "or":
            disjuncts.append([])
        elif join != "and":
            raise bad(f"Invalid $filter: expected and/or, not {toks[i][0]}")
        i += 1
    return lambda d: any(all(p(d) for p in conj) for conj in disjuncts)


def _number(v: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", v) is not None
