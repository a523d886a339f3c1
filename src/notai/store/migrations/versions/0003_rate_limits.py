"""Rate-limit windows: hits per API key per second, shared by the workers on PostgreSQL.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("second", sa.BigInteger, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "key_id", "second"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # No WAL for a minute of counters: a hit commits without a log flush, and a crash
        # that empties the table only forgets the current window.
        op.execute("ALTER TABLE rate_limits SET UNLOGGED")


def downgrade() -> None:
    op.drop_table("rate_limits")
