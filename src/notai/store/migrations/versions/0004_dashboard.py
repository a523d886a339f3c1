"""The dashboard's accounts: people who sign in, and their signed-in browsers.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_users",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("last_sign_in_at", sa.BigInteger, nullable=True),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("integration_id", "id"),
    )
    op.create_index("dashboard_users_by_email", "dashboard_users", ["email"], unique=True)
    op.create_table(
        "dashboard_sessions",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "token_hash"),
    )
    op.create_index(
        "dashboard_sessions_by_token", "dashboard_sessions", ["token_hash"], unique=True
    )


def downgrade() -> None:
    op.drop_table("dashboard_sessions")
    op.drop_table("dashboard_users")
