"""Journal rows carry the event stream's head after their input (``stream_seq``), so that a
restarted server continues the stream's sequence numbers instead of starting again at 0.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journal") as b:
        b.add_column(sa.Column("stream_seq", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("journal") as b:
        b.drop_column("stream_seq")
