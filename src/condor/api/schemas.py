"""Wire models of the native API (pydantic v2): inbound ``*In``, outbound ``*Out``.

Invariant: prices, quantities and amounts are Decimals, serialised as JSON strings (inbound
accepts strings or numbers); times are ISO-8601 UTC; enums use the domain's values
(``Side.BUY`` = ``"Buy"``...). Inbound models forbid unknown fields, so a typo is a 422 naming
the field rather than a silently ignored option. Domain conversion lives in ``mapping``.

Inbound values are also ones the journal can store, so that no single request can make a
commit fail (which refuses every later order until a restart): times (``Timestamp``) fit
64-bit epoch nanoseconds; a ``cl_ord_id`` (``ClientId``) has 1 to 128 characters (the engine's
``CL_ORD_ID_MAX``, the same bound in every dialect; README "Bounds"), a ``group_id``
(``GroupId``) 1 to 64; neither a control character (PostgreSQL text holds no NUL), and a
``group_id`` no ``/`` (it must be addressable as ``/groups/{group_id}``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from condor.api.settings import Role
from condor.domain.groups.model import GroupStatus, RuleAction, RuleEvent
from condor.domain.groups.templates import GroupKind
from condor.domain.orders.enums import (
    ExecType,
    OrdStatus,
    OrdType,
    PositionEffect,
    Side,
    TimeInForce,
    TrailKind,
    TriggerBasis,
    TriggerCondition,
)
from condor.domain.values import CL_ORD_ID_MAX

T = TypeVar("T")

NS_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NS_END = datetime(2262, 4, 11, tzinfo=UTC)
"""Times from ``NS_EPOCH`` to before ``NS_END`` fit the journal's 64-bit ns columns."""


def _storable_time(v: datetime) -> datetime:
    aware = v if v.tzinfo is not None else v.replace(tzinfo=UTC)  # naive = UTC (mapping)
    if not NS_EPOCH <= aware < NS_END:
        raise ValueError("must be from 1970-01-01 to 2262-04-10 UTC (64-bit nanoseconds)")
    return v


Timestamp = Annotated[datetime, AfterValidator(_storable_time)]
"""An inbound time the engine and the journal can hold (int ns since the epoch, 64 bits)."""

ClientId = Annotated[
    str, Field(min_length=1, max_length=CL_ORD_ID_MAX, pattern=r"^[^\x00-\x1f\x7f]+$")
]
"""A client's id (ClOrdID, FIX 11): 1-128 characters, none of them a control character."""

GroupId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f/]+$")]
"""A client-chosen group id: 1-64 characters, no control character and no ``/`` (a path
segment of ``/groups/``)."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- auth ---------------------------------------------------------------------------------
class TokenIn(_In):
    """Either ``username`` + ``password`` or ``api_key`` + ``api_secret``."""

    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    api_secret: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> TokenIn:
        if not ((self.username and self.password) or (self.api_key and self.api_secret)):
            raise ValueError("give username and password, or api_key and api_secret")
        return self


class RefreshIn(_In):
    refresh_token: str


class LogoutIn(_In):
    refresh_token: str | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    username: str
    role: Role
    accounts: list[str]


class MeOut(BaseModel):
    username: str
    user_id: int | None
    role: Role
    accounts: list[str]


# -- instruments and accounts --------------------------------------------------------------
class InstrumentOut(BaseModel):
    symbol: str
    instrument_id: int
    asset_class: str
    venue: str
    board: str | None
    tick_size: Decimal
    lot_size: Decimal
    multiplier: Decimal
    currency: str
    calendar: str
    has_trades: bool
    description: str


class BalanceOut(BaseModel):
    currency: str
    cash: Decimal
    held: Decimal
    available: Decimal


class PositionOut(BaseModel):
    account: str
    symbol: str
    quantity: Decimal
    avg_price: Decimal | None
    cost: Decimal
    realized_pnl: Decimal
    held_long: Decimal
    held_short: Decimal


class AccountOut(BaseModel):
    account_id: str
    owner: str | None
    name: str
    leverage: int
    balances: list[BalanceOut]


class ExecutionOut(BaseModel):
    """One fill (FIX 35=8 ExecType=Trade)."""

    seq: int
    ts: datetime
    order_id: int
    cl_ord_id: str | None
    account: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    trade_id: int | None
    liquidity: str | None


class Page(BaseModel, Generic[T]):
    """A page of a list; pass ``next_cursor`` back as ``cursor`` for the next one (None: last
    page)."""

    items: list[T]
    next_cursor: str | None = None


# -- orders -------------------------------------------------------------------------------
class TrailIn(_In):
    """Trailing offset: ``Amount`` (price distance), ``Percent`` (percent of the water mark,
    e.g. ``"1.5"``), ``Ticks`` (whole ticks)."""

    kind: TrailKind
    offset: Decimal
    activation: Decimal | None = None
    limit_offset: Decimal | None = None


class OrderIn(_In):
    """A new order. ``quantity`` in instrument units (shares, contracts, coins), a multiple of
    the lot size; prices on the tick grid; ``expire_time`` only for GTD."""

    account: str
    symbol: str
    side: Side
    ord_type: OrdType
    quantity: Decimal
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    expire_time: Timestamp | None = None
    extended: bool = False
    post_only: bool = False
    display_qty: Decimal | None = None
    cl_ord_id: ClientId | None = None
    trail: TrailIn | None = None
    basis: TriggerBasis | None = None
    condition: TriggerCondition | None = None
    activate: bool = True
    position_effect: PositionEffect | None = None
    text: str | None = Field(default=None, max_length=256)


class ModifyIn(_In):
    """Amend in place (same order id); absent fields keep their value. ``trail_offset`` is in
    the order's own trail kind."""

    quantity: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    display_qty: Decimal | None = None
    trail_offset: Decimal | None = None


class ReplaceIn(_In):
    """Cancel/replace with a new order id; absent fields keep their value."""

    quantity: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    cl_ord_id: ClientId | None = None
    activate: bool | None = None


class TrailOut(BaseModel):
    kind: TrailKind
    offset: Decimal
    activation: Decimal | None
    limit_offset: Decimal | None
    water: Decimal | None


class OrderOut(BaseModel):
    order_id: int
    cl_ord_id: str | None
    account: str
    owner: str | None
    symbol: str
    side: Side
    ord_type: OrdType
    time_in_force: TimeInForce
    status: OrdStatus
    quantity: Decimal
    filled_quantity: Decimal
    leaves_quantity: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    avg_price: Decimal | None
    display_qty: Decimal | None
    expire_time: datetime | None
    extended: bool
    post_only: bool
    trail: TrailOut | None
    groups: list[str]
    text: str | None
    created_at: datetime
    updated_at: datetime


class CancelAllOut(BaseModel):
    canceled: list[int]


class ExplainStepOut(BaseModel):
    seq: int | None
    ts: datetime
    order_id: int
    exec_type: ExecType | None
    ord_status: OrdStatus
    last_qty: Decimal
    last_px: Decimal | None
    cause: dict[str, Any] | None
    text: str


class ExplainOut(BaseModel):
    order_id: int
    steps: list[ExplainStepOut]


# -- groups -------------------------------------------------------------------------------
class MemberIn(_In):
    """A member: a new ``order`` or an existing ``order_id`` (exactly one), with its
    ``role`` ("entry", "take_profit", "stop_loss" for brackets; "limit" for Alor trigger
    brackets; free otherwise)."""

    role: str = ""
    order: OrderIn | None = None
    order_id: int | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> MemberIn:
        if (self.order is None) == (self.order_id is None):
            raise ValueError("give exactly one of order and order_id")
        return self


class RuleIn(_In):
    """An explicit rule (kind ``Custom``): on ``on`` of a source member, do ``action`` on the
    targets. Member positions index ``members``; None = any / every other member."""

    on: RuleEvent
    action: RuleAction
    sources: list[int] | None = None
    targets: list[int] | None = None
    name: str = ""
    closes: bool = False
    when_filled: bool | None = None
    requires_release: bool = False


class GroupIn(_In):
    kind: GroupKind
    members: list[MemberIn] = Field(min_length=1)
    rules: list[RuleIn] | None = None
    validators: list[str] = Field(default_factory=list)
    group_id: GroupId | None = None


class GroupEditIn(_In):
    """New members (existing order ids only), kind and/or rules of an Active group."""

    kind: GroupKind | None = None
    members: list[MemberIn] | None = None
    rules: list[RuleIn] | None = None
    validators: list[str] = Field(default_factory=list)


class MemberOut(BaseModel):
    order_id: int
    role: str
    base_quantity: Decimal
    released: Decimal
    active: bool


class GroupOut(BaseModel):
    group_id: str
    kind: str
    status: GroupStatus
    owner: str | None
    account: str | None
    members: list[MemberOut]
    rules: list[dict[str, Any]]
    created_at: datetime
    closed_at: datetime | None
    version: int
    orders: list[OrderOut] = Field(default_factory=list)


# -- market data and clock -----------------------------------------------------------------
class QuoteIn(_In):
    bid: Decimal | None = None
    ask: Decimal | None = None
    bid_size: Decimal | None = None
    ask_size: Decimal | None = None
    ts: Timestamp | None = None


class TradeIn(_In):
    price: Decimal
    size: Decimal
    ts: Timestamp | None = None


class MarketDataOut(BaseModel):
    """Top of the feed (``bid``/``ask``/``last``), the venue's own client book top
    (``book_bid``/``book_ask``), and the session phase."""

    symbol: str
    bid: Decimal | None
    ask: Decimal | None
    bid_size: Decimal | None
    ask_size: Decimal | None
    last: Decimal | None
    last_size: Decimal | None
    book_bid: Decimal | None
    book_ask: Decimal | None
    session: str
    ts: datetime | None


class ClockIn(_In):
    now: Timestamp


class ClockOut(BaseModel):
    now: datetime
