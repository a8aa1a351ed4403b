"""The database schema (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

Invariants:
- ``journal`` is append-only: one row per engine input (command or market event) in input order
  (``seq`` 1, 2, 3... with no gap), with the engine clock it ran at (``ts_ns``) and the range of
  event sequence numbers it produced (``first_event`` .. ``last_event``, NULL when none).
  Replaying the journal's inputs through an engine built the same way reproduces every event.
  ``stream_seq``: the server's event-stream head (``api.stream.StreamHub.seq``) once this
  input's messages are published (NULL for inputs written outside a server); a restarted
  server continues the stream from the last one, so stream numbers never repeat.
- ``events`` holds each engine event once (``seq`` = the engine's global event sequence), with
  the input that produced it, its payload in the exact codec form without its cause, and the
  cause flattened by ``Cause.shallow()`` (the trigger by its seq).
- ``orders``, ``groups``, ``positions``, ``accounts`` are read models: the state after the last
  committed input, written in the same transaction as the journal rows (never ahead, never
  behind). ``idempotency_keys`` keeps the first answer to each (scope, key).
- ``snapshots`` hold engine state after input ``input_seq`` (see ``snapshot.py``).

JSON payloads are stored as text (exact integers; the codec decides the form). The Alembic
revisions under ``migrations/versions`` create exactly this schema; a test compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# An INTEGER PRIMARY KEY is SQLite's rowid (fast appends); BIGINT elsewhere.
SeqType = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

journal = Table(
    "journal",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),  # "command" | "market"
    Column("type", String(40), nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("first_event", BigInteger),
    Column("last_event", BigInteger),
    Column("stream_seq", BigInteger),
)

events = Table(
    "events",
    metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("input_seq", BigInteger, nullable=False),
    Column("type", String(40), nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("order_id", BigInteger),
    Column("group_id", String(64)),
    Column("account", String(64)),
    Column("payload", Text, nullable=False),
    Column("cause", Text),
    Index("ix_events_input_seq", "input_seq"),
    Index("ix_events_order_id", "order_id"),
    Index("ix_events_group_id", "group_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(64), nullable=False),
    Column("symbol", String(32), nullable=False),
    Column("cl_ord_id", String(128)),
    Column("side", String(16), nullable=False),
    Column("ord_type", String(24), nullable=False),
    Column("tif", String(8), nullable=False),
    Column("status", String(24), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("cum_qty", BigInteger, nullable=False),
    Column("cum_cost", Text, nullable=False),  # ticks x lots: decimal text, may exceed 64 bits
    Column("price", BigInteger),
    Column("stop_price", BigInteger),
    Column("water", BigInteger),
    Column("owner", String(64)),
    Column("ts_created", BigInteger, nullable=False),
    Column("ts_updated", BigInteger, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: every other field, groups, trail, holds
    Index("ix_orders_account", "account", "order_id"),
    Index("ix_orders_status", "status", "order_id"),
    Index("ix_orders_account_status", "account", "status"),
    Index("ix_orders_ts_created", "ts_created"),
    Index("ix_orders_cl_ord_id", "account", "cl_ord_id"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("owner", String(64)),
    Column("account", String(64)),
    Column("status", String(16), nullable=False),
    Column("created_ns", BigInteger, nullable=False),
    Column("closed_ns", BigInteger),
    Column("version", Integer, nullable=False),
    Column("detail", Text, nullable=False),  # JSON: members and rules (Group.as_dict)
    Index("ix_groups_owner", "owner", "created_ns"),
    Index("ix_groups_status", "status"),
)

positions = Table(
    "positions",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("symbol", String(32), primary_key=True),
    Column("qty", BigInteger, nullable=False),
    Column("cost", Text, nullable=False),  # cash units: decimal text, may exceed 64 bits
    Column("realized", Text, nullable=False),
    Column("held_long", BigInteger, nullable=False),
    Column("held_short", BigInteger, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("owner", String(64)),
    Column("cash", Text, nullable=False),  # JSON {ccy: "cash units"}
    Column("held_cash", Text, nullable=False),
    Column("leverage", Integer, nullable=False),
    Column("position_based", Boolean, nullable=False),
    Column("name", String(128), nullable=False),
    Index("ix_accounts_owner", "owner"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("input_seq", BigInteger, nullable=False),
    Column("response", Text, nullable=False),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("input_seq", SeqType, primary_key=True, autoincrement=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("format", String(80), nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

STATE_TABLES = (orders, groups, positions, accounts)
ALL_TABLES = (journal, events, orders, groups, positions, accounts, idempotency_keys, snapshots)
