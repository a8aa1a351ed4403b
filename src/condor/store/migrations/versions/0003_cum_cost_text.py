"""An order's cost (``orders.cum_cost``: the sum of fill price x fill quantity, ticks x lots)
is stored as decimal text, like a position's cost: a sell that fills far above its limit can
cost more than 2**63 - 1 even though admission bounds the order's own value, and a BIGINT
made that commit fail and stop the writer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as b:
        b.alter_column(
            "cum_cost",
            existing_type=sa.BigInteger,
            type_=sa.Text,
            existing_nullable=False,
            postgresql_using="cum_cost::text",
        )


def downgrade() -> None:
    with op.batch_alter_table("orders") as b:
        b.alter_column(
            "cum_cost",
            existing_type=sa.Text,
            type_=sa.BigInteger,
            existing_nullable=False,
            postgresql_using="cum_cost::bigint",
        )
