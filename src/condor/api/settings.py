"""One ``Settings`` class: environment variables ``CONDOR_*`` over a TOML file over defaults.

Invariant: a ``Settings`` object is plain data (no engine, no sockets); ``bootstrap`` turns it
into a running system. Nested values come from the environment with ``__`` as the delimiter
(``CONDOR_STREAM__QUEUE_SIZE=500``) or from JSON (``CONDOR_USERS='[...]'``). Precedence, highest
first: keyword arguments, environment, TOML file (``Settings.load(config=...)``), defaults.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Role(str, Enum):
    """Permission roles. TRADING: own accounts only; OPERATOR: every account and the simulator
    controls; READ_ONLY: reads its own accounts, changes nothing."""

    TRADING = "Trading"
    OPERATOR = "Operator"
    READ_ONLY = "ReadOnly"


class UserConfig(BaseModel):
    """A user. Give ``password`` (hashed at start-up) or ``password_hash`` (argon2 PHC
    string). ``accounts``: the accounts a Trading/ReadOnly user may see; ``user_id``: the small
    integer dialects such as AlphaPoint use."""

    username: str
    password: str | None = None
    password_hash: str | None = None
    role: Role = Role.TRADING
    accounts: list[str] = Field(default_factory=list)
    user_id: int | None = None


class ApiKeyConfig(BaseModel):
    """An API key and secret that log in as ``username`` (AlphaPoint style)."""

    key: str
    secret: str
    username: str


class InstrumentConfig(BaseModel):
    """An instrument as configured; ``ref_price`` seeds the simulated market (Decimal)."""

    symbol: str
    asset_class: str
    venue: str
    tick_size: Decimal
    lot_size: Decimal = Decimal(1)
    currency: str = "USD"
    calendar: str = "us-equity"
    board: str | None = None
    multiplier: Decimal = Decimal(1)
    has_trades: bool = True
    description: str = ""
    ref_price: Decimal | None = None


class AccountConfig(BaseModel):
    """An account: ``cash`` by currency (Decimal amounts), ``positions`` by symbol (signed
    Decimal quantities, valued at the instrument's ``ref_price`` when it has one)."""

    account_id: str
    owner: str | None = None
    cash: dict[str, Decimal] = Field(default_factory=dict)
    positions: dict[str, Decimal] = Field(default_factory=dict)
    leverage: int = 1
    name: str = ""


class StreamConfig(BaseModel):
    """WebSocket stream bounds: ``buffer_size`` messages kept for ``since=`` replay,
    ``queue_size`` messages queued per client before it is closed as a slow consumer."""

    buffer_size: int = 100_000
    queue_size: int = 10_000


class SimulatorConfig(BaseModel):
    """The simulated market: ``seed``, ``interval_ms`` between rounds of quotes, ``trade_every``
    (one trade print every N rounds per instrument), ``speed`` (time multiplier)."""

    seed: int = 7
    interval_ms: int = 250
    trade_every: int = 4
    speed: float = 1.0


class JournalConfig(BaseModel):
    """The journal (when ``database_url`` names a database): ``max_batch`` inputs per group
    commit, ``max_wait_ms`` extra wait for company before a commit (0: commit as soon as the
    queue is empty), ``snapshot_every`` inputs between engine snapshots (0: never; written by a
    forked child process when ``snapshot_fork``, so the writer never stalls for them),
    ``retain_terminal`` finished orders and closed groups the engine keeps in memory besides
    the open ones (older ones are read from the database: ``engine/retention.py``; a change
    is journaled at start as a ``SetRetention`` input, so a replay never runs under it before
    the point it was made), and
    ``fills_kept`` newest fills of the executions log kept in memory (older pages are read
    from the journal) and ``keys_kept`` newest idempotency keys kept in memory (older ones are
    looked up in their table). They bound the server's memory; a memory-only server keeps
    all, except its orders' execution reports (the versions AlphaPoint
    ``GetOrderHistoryByOrderId`` and Sway ``executions`` show): it keeps the ``reports_kept``
    newest of them (``api/report_log.py``), while a journaled server reads every one from its
    events table."""

    max_batch: int = 512
    max_wait_ms: float = 0.0
    snapshot_every: int = 100_000
    snapshot_fork: bool = True
    retain_terminal: int = Field(50_000, ge=0)
    fills_kept: int = Field(50_000, ge=1)
    keys_kept: int = Field(100_000, ge=1_000)
    reports_kept: int = Field(100_000, ge=1)

    @model_validator(mode="after")
    def _keys_outlive_a_batch(self) -> JournalConfig:
        # a key may leave memory only once its input is committed (store/idempotency.py)
        if self.keys_kept <= 2 * self.max_batch:
            raise ValueError("keys_kept must exceed twice max_batch")
        return self


MEMORY = "memory"
"""``database_url`` value that keeps state in memory only (nothing survives a restart)."""


def default_database_url(data_dir: str | Path) -> str:
    """The embedded default: ``<data_dir>/condor.db`` (SQLite, created on first start)."""
    return f"sqlite:///{(Path(data_dir) / 'condor.db').resolve()}"


class Settings(BaseSettings):
    """Condor's configuration (issue 5, "Server").

    ``feed``: ``simulated`` (seeded random walk), ``none`` (market moves only through the
    injection endpoints), or ``replay:FILE``. ``clock_start``: None runs on the wall clock; a
    datetime runs a simulated clock from that instant (moved by market data and ``PUT
    /api/v1/clock``). ``calendars``: apply the instruments' session calendars (False: always in
    the regular session). ``market_control``: who may inject market data and move the clock,
    ``operator`` or ``any`` authenticated user (the demo's default).

    ``dialects``: the broker dialects to mount (``tradestation``, ``alor``, ``sway``,
    ``alphapoint``); empty mounts every one (``condor.api.dialects``).

    ``database_url``: ``sqlite:///...`` or ``postgresql+psycopg://...`` journals every input
    and recovers on start; None or ``memory`` keeps state in memory (what ``Settings()`` and
    the tests default to; ``condor serve`` defaults to ``default_database_url(data_dir)``)."""

    model_config = SettingsConfigDict(
        env_prefix="CONDOR_", env_nested_delimiter="__", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    data_dir: Path = Path("data")
    journal: JournalConfig = Field(default_factory=JournalConfig)
    feed: str = "simulated"
    demo: bool = False
    dialects: list[str] = Field(default_factory=list)
    clock_start: datetime | None = None
    calendars: bool = False
    market_control: str | None = None
    jwt_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    jwt_algorithm: str = "HS256"
    token_ttl_s: int = 8 * 3600
    users: list[UserConfig] = Field(default_factory=list)
    api_keys: list[ApiKeyConfig] = Field(default_factory=list)
    refresh_tokens: dict[str, str] = Field(default_factory=dict)
    accounts: list[AccountConfig] = Field(default_factory=list)
    instruments: list[InstrumentConfig] = Field(default_factory=list)
    stream: StreamConfig = Field(default_factory=StreamConfig)
    simulator: SimulatorConfig = Field(default_factory=SimulatorConfig)
    log_level: str = "info"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = settings_cls.model_config.get("toml_file")
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        if toml is not None:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=toml),)
        return sources

    @classmethod
    def load(cls, config: str | Path | None = None, **overrides) -> Settings:
        """Settings from ``config`` (a TOML file; raises FileNotFoundError when absent), the
        environment and ``overrides`` (None values are ignored)."""
        kw = {k: v for k, v in overrides.items() if v is not None}
        if config is None:
            return cls(**kw)
        path = Path(config)
        if not path.is_file():
            raise FileNotFoundError(f"config file {path} not found")
        bound = type(
            cls.__name__, (cls,), {"model_config": {**cls.model_config, "toml_file": path}}
        )
        return bound(**kw)

    @property
    def journal_url(self) -> str | None:
        """The database to journal to, None for in-memory state."""
        url = (self.database_url or "").strip()
        return None if not url or url == MEMORY else url

    @property
    def operator_only_market(self) -> bool:
        """True when market injection and the clock need the Operator role."""
        if self.market_control is not None:
            return self.market_control != "any"
        return not self.demo
