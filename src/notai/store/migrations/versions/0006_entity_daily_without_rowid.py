"""On SQLite, store `entity_daily` in the order of its key (WITHOUT ROWID).

A rowid table keeps its rows in insertion order and its key in a second b-tree: a user's
days, written as their sessions came, sit on as many pages as days, and a page of users'
sparklines reached each through the key index. Clustered by key, a user's days share a
page, and each write touches one b-tree instead of two. PostgreSQL has no such layout
choice; nothing changes there.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _recreate(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "entity_daily", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass


def upgrade() -> None:
    _recreate(with_rowid=False)


def downgrade() -> None:
    _recreate(with_rowid=True)
