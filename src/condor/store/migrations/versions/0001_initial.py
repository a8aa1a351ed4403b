"""Initial schema: journal, events, read models, idempotency keys, snapshots.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Big = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("ts_ns", Big, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("first_event", Big),
        sa.Column("last_event", Big),
    )
    op.create_table(
        "events",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("input_seq", Big, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("ts_ns", Big, nullable=False),
        sa.Column("order_id", Big),
        sa.Column("group_id", sa.String(64)),
        sa.Column("account", sa.String(64)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("cause", sa.Text),
    )
    op.create_index("ix_events_input_seq", "events", ["input_seq"])
    op.create_index("ix_events_order_id", "events", ["order_id"])
    op.create_index("ix_events_group_id", "events", ["group_id"])
    op.create_table(
        "orders",
        sa.Column("order_id", Big, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("cl_ord_id", sa.String(128)),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("ord_type", sa.String(24), nullable=False),
        sa.Column("tif", sa.String(8), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("qty", Big, nullable=False),
        sa.Column("cum_qty", Big, nullable=False),
        sa.Column("cum_cost", Big, nullable=False),
        sa.Column("price", Big),
        sa.Column("stop_price", Big),
        sa.Column("water", Big),
        sa.Column("owner", sa.String(64)),
        sa.Column("ts_created", Big, nullable=False),
        sa.Column("ts_updated", Big, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_orders_account", "orders", ["account", "order_id"])
    op.create_index("ix_orders_status", "orders", ["status", "order_id"])
    op.create_index("ix_orders_account_status", "orders", ["account", "status"])
    op.create_index("ix_orders_ts_created", "orders", ["ts_created"])
    op.create_index("ix_orders_cl_ord_id", "orders", ["account", "cl_ord_id"])
    op.create_table(
        "groups",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64)),
        sa.Column("account", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_ns", Big, nullable=False),
        sa.Column("closed_ns", Big),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_groups_owner", "groups", ["owner", "created_ns"])
    op.create_index("ix_groups_status", "groups", ["status"])
    op.create_table(
        "positions",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("symbol", sa.String(32), primary_key=True),
        sa.Column("qty", Big, nullable=False),
        sa.Column("cost", sa.Text, nullable=False),
        sa.Column("realized", sa.Text, nullable=False),
        sa.Column("held_long", Big, nullable=False),
        sa.Column("held_short", Big, nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(64)),
        sa.Column("cash", sa.Text, nullable=False),
        sa.Column("held_cash", sa.Text, nullable=False),
        sa.Column("leverage", sa.Integer, nullable=False),
        sa.Column("position_based", sa.Boolean, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
    )
    op.create_index("ix_accounts_owner", "accounts", ["owner"])
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("input_seq", Big, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("input_seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("event_seq", Big, nullable=False),
        sa.Column("format", sa.String(80), nullable=False),
        sa.Column("ts_ns", Big, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for t in ("snapshots", "idempotency_keys", "accounts", "positions", "groups", "orders",
              "events", "journal"):  # fmt: skip
        op.drop_table(t)
