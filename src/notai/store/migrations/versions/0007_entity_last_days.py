"""Last-visit days: users and courses counted by the UTC day of their last visit or bot session.

Stats and analytics count the users seen (or flagged) since a time from these per-day
counts, not by an index range as long as the integration's active users. Existing rows are
counted into the new table here, as a roll-up rebuild would.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DAY_MS = 86_400_000
_TABLES = ("lms_users", "courses")
_KINDS = {"lms_users": "u", "courses": "c"}
_MARKERS = {"seen": "last_seen", "bot": "last_bot_at"}


def _previous_times() -> list[sa.Column[object]]:
    return [
        sa.Column("previous_last_seen", sa.BigInteger, nullable=True),
        sa.Column("previous_last_bot", sa.BigInteger, nullable=True),
    ]


def upgrade() -> None:
    for table_name in _TABLES:
        with op.batch_alter_table(table_name) as table:
            for column in _previous_times():
                table.add_column(column)
    op.create_table(
        "entity_last_days",
        sa.Column("integration_id", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("marker", sa.String(4), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("entities", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("integration_id", "kind", "marker", "day"),
        sqlite_with_rowid=False,
    )
    for table_name in _TABLES:
        for marker, time in _MARKERS.items():
            op.execute(
                "INSERT INTO entity_last_days (integration_id, kind, marker, day, entities)"
                f" SELECT integration_id, '{_KINDS[table_name]}', '{marker}',"
                f" {time} / {DAY_MS}, COUNT(*) FROM {table_name} WHERE {time} IS NOT NULL"
                f" GROUP BY integration_id, {time} / {DAY_MS}"
            )


def downgrade() -> None:
    op.drop_table("entity_last_days")
    for table_name in _TABLES:
        with op.batch_alter_table(table_name) as table:
            for column in _previous_times():
                table.drop_column(column.name)
