"""AlphaPoint APEX wire objects: the frame codec and the request payloads (Pydantic).

Invariants (spec section 4.3, 4.6; clients.md "AlphaPoint APEX"):
- JSON numbers are parsed as Decimal (never float) and emitted as JSON numbers from Decimal
  text (``dumps``), so prices and quantities round-trip exactly.
- payload keys match case-insensitively, with the documented aliases (``ClOrderId`` /
  ``ClientOrderId``, ``IntrumentId`` / ``InstrumentId``, ``ClientOrdId`` / ``ClOrdId``);
  numbers may arrive as numeric strings; unknown keys are ignored.
- a request model holds wire values only; ``mapping`` turns them into engine commands.
- a client order id is a long (section 4.6) and Condor takes 0 <= id <= 2**63 - 1 (0 = none):
  anything else is refused (100, naming the key) before anything runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from condor.api import wire_json
from condor.api.dialects.alphapoint.errors import INVALID_REQUEST, ApError


# -- JSON codec ---------------------------------------------------------------------------
def loads(text: str | bytes) -> Any:
    """JSON text -> Python with every non-integer number a Decimal. Raises ValueError."""
    return wire_json.loads(text)


def dumps(v: Any) -> str:
    """Compact JSON with Decimals written as JSON numbers (shortest plain form, no float)."""
    return wire_json.dumps(v, normalize=True)


# -- frame ---------------------------------------------------------------------------------
REQUEST, REPLY, SUBSCRIBE, EVENT, UNSUBSCRIBE, ERROR = 0, 1, 2, 3, 4, 5
"""Frame message types ``m`` (section 4.3)."""


def frame(m: int, i: int, n: str, o: Any) -> str:
    """A frame ``{"m", "i", "n", "o"}`` with ``o`` JSON-encoded as a string (double
    encoding); a plain string ``o`` stays a plain string (m=5 "Endpoint Not Found")."""
    payload = o if isinstance(o, str) else dumps(o)
    return dumps({"m": m, "i": i, "n": n, "o": payload})


# -- request payloads ----------------------------------------------------------------------
MAX_LONG = 2**63 - 1
ClientId = Annotated[int, Field(ge=0, le=MAX_LONG)]
"""A ClientOrderId: a long (section 4.6), 0 = none; negative ids are refused (a read could
not show them: ``mapping.ap_client_order_id``)."""


class ApIn(BaseModel):
    """Base of request payloads: keys folded case-insensitively onto the field names (and
    ``ALIASES``: lower-case wire key -> field name), extra keys ignored, null values taken as
    absent (SDKs send ``"ClientOrderId": null``)."""

    model_config = ConfigDict(extra="ignore")
    ALIASES: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _fold(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("payload must be a JSON object")
        names = {n.lower(): n for n in cls.model_fields}
        names.update(cls.ALIASES)
        out: dict = {}
        for k, v in data.items():
            n = names.get(str(k).lower())
            if n is not None and n not in out and v is not None:  # null = absent
                out[n] = v
        return out


def parse(model: type[ApIn], payload: Any) -> Any:
    """``model`` from a decoded payload; raises ApError 100 naming the first bad key."""
    try:
        return model.model_validate(payload if payload is not None else {})
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err.get("loc", ()))
        text = f"{loc}: {err.get('msg')}" if loc else str(err.get("msg"))
        raise ApError(INVALID_REQUEST, text, loc or None) from None


class AuthIn(ApIn):
    """``AuthenticateUser`` / ``WebAuthenticateUser`` (section 4.4)."""

    UserName: str | None = None
    Password: str | None = None
    APIKey: str | None = None
    Signature: str | None = None
    UserId: str | None = None
    Nonce: str | None = None
    SessionToken: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _strings(cls, data: Any) -> Any:
        if isinstance(data, dict):  # UserId and Nonce are numbers before APEX 3.4
            return {k: str(v) if isinstance(v, int | Decimal) else v for k, v in data.items()}
        return data


class AccountIn(ApIn):
    """Payloads naming an account: ``{"OMSId": 1, "AccountId": 9}`` (+ optional filters of
    ``CancelAllOrders`` / ``SubscribeOrderStateEvents`` / ``GetOrdersHistory`` (section 4.6,
    plus ``OrderState`` and ``OrderId``, which the notbank SDK sends) / ``GetTradesHistory``)."""

    ALIASES: ClassVar[dict[str, str]] = {"intrumentid": "InstrumentId"}
    OMSId: int = 1
    AccountId: int | None = None
    InstrumentId: int | None = None
    Depth: int | None = None
    StartIndex: int | None = None
    ClientOrderId: ClientId | None = None
    OriginalOrderId: int | None = None
    OriginalClientOrderId: ClientId | None = None
    OrderId: int | None = None
    OrderState: str | None = None
    UserId: int | None = None
    TradeId: int | None = None
    StartTimestamp: int | None = None
    EndTimestamp: int | None = None


class InstrumentIn(ApIn):
    OMSId: int = 1
    InstrumentId: int | None = None


class UserAccountsIn(ApIn):
    OMSId: int = 1
    UserId: int | None = None


class SendOrderIn(ApIn):
    """``SendOrder`` (seed 004, section 4.6). Prices and quantities are Decimal;
    ``Side`` 0-2, ``OrderType`` 1-7, ``TimeInForce`` 1-6, ``PegPriceType`` 0-4 (integers)."""

    InstrumentId: int
    OMSId: int
    AccountId: int
    TimeInForce: int = 1
    ClientOrderId: ClientId = 0
    OrderIdOCO: int = 0
    UseDisplayQuantity: bool = False
    DisplayQuantity: Decimal | None = None
    Side: int
    Quantity: Decimal
    OrderType: int
    PegPriceType: int | None = None
    LimitPrice: Decimal | None = None
    StopPrice: Decimal | None = None
    TrailingAmount: Decimal | None = None
    LimitOffset: Decimal | None = None
    Value: Decimal | None = None
    PostOnly: bool | None = None
    ExpireTime: int | None = None


class CancelIn(ApIn):
    """``CancelOrder``: by ``OrderId`` or by ``ClOrderId`` (alias ``ClientOrderId``)."""

    ALIASES: ClassVar[dict[str, str]] = {"clientorderid": "ClOrderId"}
    OMSId: int = 1
    AccountId: int | None = None
    OrderId: int | None = None
    ClOrderId: ClientId | None = None


class ModifyIn(ApIn):
    """``ModifyOrder`` (quantity down only, keeps priority)."""

    OMSId: int = 1
    OrderId: int
    InstrumentId: int | None = None
    AccountId: int | None = None
    Quantity: Decimal


class ReplaceIn(ApIn):
    """``CancelReplaceOrder`` (documented camelCase; PascalCase aliases accepted). The new
    ClientOrderId arrives as ``clientOrdId`` (docs), ``ClOrdId``/``ClOrderId``, or
    ``ClientOrderId`` (what the notbank SDK and ccxt ndax send)."""

    ALIASES: ClassVar[dict[str, str]] = {
        "clordid": "ClientOrdId",
        "clorderid": "ClientOrdId",
        "clientorderid": "ClientOrdId",
    }
    OMSId: int = 1
    OrderIdToReplace: int
    ClientOrdId: ClientId = 0
    OrderType: int | None = None
    Side: int | None = None
    AccountId: int | None = None
    InstrumentId: int | None = None
    UseDisplayQuantity: bool = False
    DisplayQuantity: Decimal | None = None
    LimitPrice: Decimal | None = None
    StopPrice: Decimal | None = None
    ReferencePrice: Decimal | None = None
    PegPriceType: int | None = None
    TimeInForce: int | None = None
    OrderIdOCO: int = 0
    Quantity: Decimal | None = None
    TrailingAmount: Decimal | None = None
    LimitOffset: Decimal | None = None


class OrderStatusIn(ApIn):
    OMSId: int = 1
    AccountId: int | None = None
    OrderId: int
