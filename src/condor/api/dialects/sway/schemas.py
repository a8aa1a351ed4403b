"""Sway / DXtrade wire objects (wire-formats.md sections 3.3-3.8, seed 002).

Invariant: request bodies are parsed with JSON numbers as ``Decimal`` (``parse_body``), never
float; unknown request fields are ignored; enum values stay strings here and are matched
case-insensitively in ``mapping``. Responses are plain dicts written by ``dumps``, which
writes a Decimal as a JSON number with exactly its digits.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from condor.api import wire_json
from condor.api.dialects.sway.errors import bad_request

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})")


def date_form(text: str) -> str:
    """A date with a zone (``2013-01-24Z``, ``2013-01-24+02:00``; section 3.2 "dates") as
    the RFC 3339 time of that day's midnight in that zone (``2013-01-24T00:00:00Z``); any
    other text unchanged."""
    m = _DATE.fullmatch(text.strip())
    return f"{m[1]}T00:00:00{m[2]}" if m else text


def parse_time(text: str) -> datetime:
    """A time parameter (section 3.2): RFC 3339 (``2013-01-24T23:05:08.52Z``; digits past
    microseconds are cut; no zone = UTC) or a date (``2013-01-24Z``, ``2013-01-24``:
    midnight). Raises ValueError on anything else."""
    return datetime.fromisoformat(date_form(text).replace("z", "Z"))


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class LoginRequest(_In):
    """``POST /login`` body: ``username``, ``domain`` (accepted, not checked), ``password``."""

    username: str
    password: str
    domain: str = "default"


class OrderRequest(_In):
    """Single Order Request (section 3.5). Quantities in units (``Decimal``), prices in the
    instrument's price units; ``quantity`` 0 or absent marks a position-attached order."""

    order_code: str = Field(alias="orderCode")
    type: str | None = None
    instrument: str
    quantity: Decimal | None = None
    position_effect: str | None = Field(None, alias="positionEffect")
    position_code: str | None = Field(None, alias="positionCode")
    side: str
    limit_price: Decimal | None = Field(None, alias="limitPrice")
    stop_price: Decimal | None = Field(None, alias="stopPrice")
    price_offset: Decimal | None = Field(None, alias="priceOffset")
    price_link: str | None = Field(None, alias="priceLink")
    tif: str | None = None
    expire_date: datetime | None = Field(None, alias="expireDate")
    margin_rate: Decimal | None = Field(None, alias="marginRate")
    account: str | None = None

    @field_validator("expire_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        """``expireDate`` may also be a date with a zone (``2030-01-01Z``: midnight UTC)."""
        return date_form(v) if isinstance(v, str) else v

    @field_validator("order_code", "instrument", "side", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            return str(v)
        return v


class GroupRequest(_In):
    """Order Group Request (seed 002, section 3.6): ``orders`` and ``contingencyType``."""

    orders: list[OrderRequest]
    contingency_type: str = Field(alias="contingencyType")


def parse_body(raw: bytes) -> dict:
    """JSON object with numbers as Decimal; 400 code 33 when it is not one."""
    try:
        data = json.loads(raw or b"null", parse_float=Decimal, parse_int=Decimal)
    except ValueError as e:
        raise bad_request(f"body is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise bad_request("body must be a JSON object")
    return data


def parse_order_request(data: dict) -> OrderRequest | GroupRequest:
    """A Group Request when the body has ``orders`` or ``contingencyType``, else a Single
    Order Request. Raises 400 code 33 naming the fields at fault."""
    model = GroupRequest if ("orders" in data or "contingencyType" in data) else OrderRequest
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise bad_request(validation_text(e)) from None


def validation_text(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        loc = ""
        for p in err.get("loc", ()):
            loc += f"[{p}]" if isinstance(p, int) else ("." if loc else "") + str(p)
        parts.append(f"{loc}: {err.get('msg', '')}")
    return "; ".join(parts)


# -- output ---------------------------------------------------------------------------------
def dumps(obj: Any) -> bytes:
    """JSON text of ``obj`` (dict, list, str, int, bool, None, Decimal, datetime strings):
    a Decimal is written as a number with its exact digits (no float)."""
    return wire_json.dumps(obj, normalize=True).encode()
