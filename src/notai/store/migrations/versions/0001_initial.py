"""Initial schema: integrations, keys, sessions, events, LMS users, courses, usage.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_KEY = sa.String(8)


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.String(8), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("history_days", sa.Integer, nullable=True),
        sa.Column("allowed_origins", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("masked", sa.String(64), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("integration_id", "id"),
    )
    op.create_index("api_keys_by_hash", "api_keys", ["key_hash"], unique=True)
    _create_sessions()
    op.create_table(
        "events",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.SmallInteger, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("payload_size", sa.Integer, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "session_id", "seq"),
    )
    _create_rollups()


def _create_sessions() -> None:
    op.create_table(
        "sessions",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("bot_score", sa.Float, nullable=False),
        sa.Column("detection_flags", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("page_url", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("user_agent", sa.Text, nullable=False),
        sa.Column("user_agent_summary", sa.Text, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("user_url", sa.Text, nullable=False),
        sa.Column("course_id", sa.Text, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("first_event_at", sa.BigInteger, nullable=True),
        sa.Column("last_event_at", sa.BigInteger, nullable=True),
        sa.Column("detector_state", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "id"),
    )
    op.create_index(
        "sessions_by_user", "sessions", ["integration_id", "user_id", "created_at", "id"]
    )
    op.create_index("sessions_by_time", "sessions", ["integration_id", "created_at", "id"])


def _create_rollups() -> None:
    op.create_table(
        "lms_users",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("user_url", sa.Text, nullable=False),
        sa.Column("first_seen", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "user_id"),
    )
    op.create_table(
        "courses",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("course_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("first_seen", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "course_id"),
    )
    op.create_table(
        "usage_daily",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "day", "metric"),
    )


def downgrade() -> None:
    for table in ("usage_daily", "courses", "lms_users", "events", "sessions", "api_keys"):
        op.drop_table(table)
    op.drop_table("integrations")
