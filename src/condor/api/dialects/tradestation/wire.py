"""TradeStation JSON on the wire: request bodies parsed with Decimal numbers and
case-insensitive keys; responses written with Decimal as JSON numbers and the exact content
type ``application/json; charset=utf-8`` (clients.md, TradeStation checklist).

Invariant: no float ever holds a price or quantity: JSON numbers are parsed as ``Decimal``
(ints stay ``int``) and written back from ``Decimal`` text unchanged.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from condor.api import wire_json

JSON_TYPE = "application/json; charset=utf-8"


class BadJson(ValueError):
    """The body is not JSON (or not the JSON value expected)."""


def loads(text: str | bytes) -> Any:
    """JSON text -> Python with ``Decimal`` for non-integer numbers. Raises BadJson."""
    try:
        return wire_json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadJson(str(e)) from None


def lower_keys(v: Any) -> Any:
    """Dict keys lowercased, recursively (TradeStation keys are matched case-insensitively)."""
    if isinstance(v, dict):
        return {str(k).lower(): lower_keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [lower_keys(x) for x in v]
    return v


def dumps(v: Any) -> str:
    """Python -> compact JSON; ``Decimal`` written as a JSON number (its exact text)."""
    return wire_json.dumps(v)


def json_response(v: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A response with ``v`` as JSON and the exact TradeStation content type."""
    return Response(dumps(v), status_code=status, headers=headers, media_type=JSON_TYPE)
