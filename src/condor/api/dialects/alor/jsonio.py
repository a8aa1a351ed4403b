"""Exact JSON for Alor's wire: Decimals are written as JSON numbers with their own digits.

Invariant: no value passes through float. ``dumps`` accepts dict (str keys), list/tuple, str,
bool, None, int and Decimal (written in plain notation, ``format(d, "f")``); anything else
raises TypeError. Alor's reads carry prices as numbers (``"price": 161.15``, section 2.9).
"""

from __future__ import annotations

from fastapi.responses import Response

from condor.api import wire_json


def dumps(v) -> str:
    """``v`` as JSON text (see the module invariant; ``condor.api.wire_json``)."""
    return wire_json.dumps(v)


class AlorJSON(Response):
    """A JSON response written by ``dumps`` (``application/json; charset=utf-8``)."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return dumps(content).encode("utf-8")
