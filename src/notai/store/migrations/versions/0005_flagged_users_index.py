"""Index LMS users by their last bot session, for the flagged-user counts of stats and analytics.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("lms_users_by_last_bot", "lms_users", ["integration_id", "last_bot_at"])


def downgrade() -> None:
    op.drop_index("lms_users_by_last_bot", "lms_users")
