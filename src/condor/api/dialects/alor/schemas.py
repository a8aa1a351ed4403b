"""Alor OpenAPI v2 request bodies (wire-formats sections 2.3, 2.6, 2.8), pydantic v2.

Invariant: bodies are parsed with JSON numbers as Decimal (``parse_body``), never float; keys
bind in camelCase and PascalCase alike (``normalise_keys`` lowers each key's first letter, so
``ExecutionPolicy`` binds ``executionPolicy``); unknown fields are ignored (clients send extra
ones: AlorPy ``user.exchange``, alor-api ``orderGroupId`` and ``id``). Enumerations
(``side``, ``timeInForce``, ``condition``, ``executionPolicy``, ``type``) stay strings here and
are parsed case-insensitively in ``mapping``, which names the field at fault.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from condor.api import wire_json


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


def normalise_keys(v):
    """Recursively lower the first letter of every dict key (PascalCase -> camelCase)."""
    if isinstance(v, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): normalise_keys(x)
                for k, x in v.items()}  # fmt: skip
    if isinstance(v, list):
        return [normalise_keys(x) for x in v]
    return v


def parse_body(raw: bytes):
    """JSON text -> Python with numbers as Decimal (ints stay int). Raises ValueError."""
    if not raw.strip():
        return {}
    return wire_json.loads(raw)


class InstrumentIn(_In):
    """``{"symbol": "SBER", "exchange": "MOEX", "instrumentGroup": "TQBR"}`` (board
    optional)."""

    symbol: str
    exchange: str
    instrumentGroup: str | None = None


class UserIn(_In):
    """``{"portfolio": "D39004"}``."""

    portfolio: str


class OrderBodyIn(_In):
    """Any order body of section 2.6 (market, limit, stop, stopLimit; create or modify).
    ``quantity`` is in lots; ``price``/``triggerPrice`` are Decimal prices; which fields are
    required depends on the order type (``mapping.to_submit``)."""

    side: str
    quantity: Decimal
    instrument: InstrumentIn
    user: UserIn
    price: Decimal | None = None
    comment: str | None = Field(default=None, max_length=100)
    timeInForce: str | None = None
    icebergFixed: Decimal | None = None
    icebergVariance: Decimal | None = None
    allowMargin: bool = False
    condition: str | None = None
    triggerPrice: Decimal | None = None
    stopEndUnixTime: int | None = None
    protectingSeconds: int | None = None
    activate: bool = True


class GroupOrderIn(_In):
    """One member of a group body: ``{"portfolio", "exchange", "orderId", "type"}`` with
    ``type`` one of Limit, Market, Stop, StopLimit (section 2.8)."""

    portfolio: str
    exchange: str
    orderId: str
    type: str

    @field_validator("orderId", mode="before")
    @classmethod
    def _id_as_text(cls, v):
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class GroupIn(_In):
    """Create/replace body of ``/commandapi/api/orderGroups`` (section 2.8)."""

    orders: list[GroupOrderIn]
    executionPolicy: str


class RefreshIn(_In):
    """Body form of ``POST /refresh``: ``{"token", "allowedPortfolios"}`` (section 2.3)."""

    token: str | None = None
    allowedPortfolios: list[str] | None = None
