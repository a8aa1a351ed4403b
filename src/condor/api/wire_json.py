"""Exact JSON for the dialects' wires: numbers parsed as Decimal, Decimals written as numbers.

Invariant: no price or quantity passes through float. ``loads`` parses every non-integer JSON
number as ``Decimal`` (integers stay ``int``); ``dumps`` writes a ``Decimal`` as a JSON number
in plain notation (never an exponent): with its own digits (``1.50``), or ``normalize``d
(``1.5``, ``100``) for wires whose clients expect the shortest form. A non-finite Decimal is
written ``null`` (JSON has no NaN). Brokers' documents send prices as JSON numbers
(wire-formats.md sections 1.9, 2.9, 3.8, 4.7), which ``json`` and ``orjson`` can only write
from floats, hence this small encoder.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from condor.domain.values import plain

_str = json.JSONEncoder(ensure_ascii=False).encode


def loads(text: str | bytes) -> Any:
    """JSON text -> Python with ``Decimal`` for non-integer numbers. Raises ValueError
    (``json.JSONDecodeError``) for text that is not JSON."""
    return json.loads(text, parse_float=Decimal)


def number(d: Decimal, normalize: bool = False) -> str:
    """``d`` as JSON number text (plain notation; ``null`` when not finite)."""
    if not d.is_finite():
        return "null"
    return format(plain(d) if normalize else d, "f")


def dumps(v: Any, normalize: bool = False) -> str:
    """``v`` (dict with str keys, list/tuple, str, bool, None, int, Decimal) as compact JSON.
    Raises TypeError for any other type (a float included)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Decimal):
        return number(v, normalize)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return "{" + ",".join(f"{_str(str(k))}:{dumps(x, normalize)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(dumps(x, normalize) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as exact JSON")
