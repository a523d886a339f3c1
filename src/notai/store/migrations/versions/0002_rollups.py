"""Roll-ups kept current at ingest: per user and course, per integration hour and day.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEY = sa.String(8)
_BOT = sa.text("bot_score >= 0.7")


def _counters() -> list[sa.Column[object]]:
    return [
        sa.Column("session_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("bot_sessions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("medium_sessions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("score_sum", sa.Float, nullable=False, server_default="0"),
        sa.Column("max_score", sa.Float, nullable=False, server_default="0"),
        sa.Column("member_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_bot_at", sa.BigInteger, nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("lms_users") as table:
        for column in _counters():
            table.add_column(column)
    with op.batch_alter_table("courses") as table:
        for column in _counters():
            table.add_column(column)
    op.create_index(
        "lms_users_by_first_seen", "lms_users", ["integration_id", "first_seen", "user_id"]
    )
    op.create_index("lms_users_by_last_seen", "lms_users", ["integration_id", "last_seen"])
    op.create_index(
        "courses_by_first_seen", "courses", ["integration_id", "first_seen", "course_id"]
    )
    op.create_index("sessions_by_course", "sessions", ["integration_id", "course_id", "created_at"])
    op.create_index(
        "sessions_bots_by_time",
        "sessions",
        ["integration_id", "created_at", "id"],
        sqlite_where=_BOT,
        postgresql_where=_BOT,
    )
    op.create_table(
        "entity_daily",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("bot_sessions", sa.Integer, nullable=False),
        sa.Column("medium_sessions", sa.Integer, nullable=False),
        sa.Column("score_sum", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "kind", "entity_id", "day"),
    )
    op.create_table(
        "entity_members",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("member", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "kind", "entity_id", "member"),
    )
    op.create_table(
        "integration_buckets",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("grain", sa.String(1), nullable=False),
        sa.Column("bucket", sa.Integer, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("high", sa.Integer, nullable=False),
        sa.Column("medium", sa.Integer, nullable=False),
        sa.Column("low", sa.Integer, nullable=False),
        sa.Column("human", sa.Integer, nullable=False),
        sa.Column("matched", sa.Integer, nullable=False),
        sa.Column("score_sum", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "grain", "bucket"),
    )
    op.create_table(
        "dimension_daily",
        sa.Column("integration_id", _KEY, nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("bot_sessions", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "day", "dimension", "value"),
    )


def downgrade() -> None:
    for table in ("dimension_daily", "integration_buckets", "entity_members", "entity_daily"):
        op.drop_table(table)
    op.drop_index("sessions_bots_by_time", "sessions")
    op.drop_index("sessions_by_course", "sessions")
    op.drop_index("courses_by_first_seen", "courses")
    op.drop_index("lms_users_by_last_seen", "lms_users")
    op.drop_index("lms_users_by_first_seen", "lms_users")
    names = [c.name for c in _counters()]
    for table_name in ("courses", "lms_users"):
        with op.batch_alter_table(table_name) as batch:
            for name in names:
                batch.drop_column(name)
