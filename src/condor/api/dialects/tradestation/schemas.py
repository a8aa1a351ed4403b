"""TradeStation WebAPI v2 wire objects (wire-formats.md 1.5-1.9; seeds 000 and 001).

Invariant: inbound models are shapes only: bodies arrive with their keys lowercased
(``wire.lower_keys``: TradeStation keys match case-insensitively) and every value stays as sent
(a string, an int or a Decimal: clients send ``"10"`` and ``10`` alike), so that ``mapping``
can answer each malformed field with TradeStation's own message. Unknown fields are ignored
(the official sample sends ``Description``, ``IsDelayed``). Outbound objects are plain dicts
built in ``detail``/``mapping`` with the documented PascalCase names, in the order documented.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)


class TrailingStopIn(_In):
    """Old generation ``{"ByPoints": bool, "Value": n}``; Swagger ``{"Amount": n}`` or
    ``{"Percent": n}`` (mutually exclusive). Valid only on StopMarket."""

    bypoints: Any = None
    value: Any = None
    amount: Any = None
    percent: Any = None


class AdvancedOptionsIn(_In):
    """``TrailingStop`` (may be null), ``ShowOnlyQuantity`` (iceberg), and the Swagger
    activation rules (``MarketActivationRules`` max 4, ``TimeActivationRules`` max 1)."""

    trailingstop: Any = None
    showonlyquantity: Any = None
    marketactivationrules: Any = None
    timeactivationrules: Any = None


class OrderIn(_In):
    """Order request (body of ``POST /v2/orders``, element of groups and OSOs): section 1.5.

    Required: AccountKey, AssetType (EQ, OP, FU, FX), Symbol (UPPERCASE), Quantity, OrderType
    (Market, Limit, StopMarket, StopLimit), TradeAction (Buy, Sell, SellShort, BuyToCover, the
    four option actions; any case), Duration (DAY, DYP, GTC, GCP, GTD, GDP, OPG, CLO, IOC, FOK,
    1/3/5 minutes). Optional: LimitPrice, StopPrice, Route, GTDDate (MM/DD/YYYY), OrderID,
    OrderConfirmId (idempotency, at most 25 characters), AdvancedOptions, OSOs, Legs."""

    accountkey: Any = None
    assettype: Any = None
    symbol: Any = None
    quantity: Any = None
    ordertype: Any = None
    tradeaction: Any = None
    duration: Any = None
    limitprice: Any = None
    stopprice: Any = None
    route: Any = None
    gtddate: Any = None
    orderid: Any = None
    orderconfirmid: Any = None
    advancedoptions: Any = None
    osos: Any = None
    legs: Any = None


class GroupIn(_In):
    """Group order (body of ``POST /v2/orders/groups``; an element of ``OSOs``): section 1.6.
    ``Type``: OCO, BRK or NORMAL; ``Orders``: order requests."""

    type: Any = None
    orders: Any = None


class ReplaceIn(_In):
    """Body of ``PUT /v2/orders/{id}`` (section 1.8): OrderType, Quantity required; the
    original price fields; AccountKey; AdvancedOptions (TrailingStop amount only)."""

    accountkey: Any = None
    orderid: Any = None
    ordertype: Any = None
    quantity: Any = None
    symbol: Any = None
    limitprice: Any = None
    stopprice: Any = None
    advancedoptions: Any = None
