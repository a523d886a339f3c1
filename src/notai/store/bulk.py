"""Bulk loading of sessions (benchmarks and tests): COPY on PostgreSQL, one transaction on SQLite.

Request paths never use this module: it skips ingest, scoring and roll-ups on purpose, to
lay down large histories quickly.
"""

from __future__ import annotations

from collections.abc import Sequence

from notai.store.database import Database
from notai.store.postgres import PostgresConnection
from notai.store.sessions import SESSION_FIELDS, SessionRecord


async def insert_sessions(db: Database, records: Sequence[SessionRecord]) -> None:
    rows = [tuple(getattr(r, name) for name in SESSION_FIELDS) for r in records]
    async with db.transaction() as conn:
        if isinstance(conn, PostgresConnection):
            await conn.copy_records("sessions", SESSION_FIELDS, rows)
            return
        placeholders = ", ".join(f"${i}" for i in range(1, len(SESSION_FIELDS) + 1))
        await conn.executemany(
            f"INSERT INTO sessions ({', '.join(SESSION_FIELDS)}) VALUES ({placeholders})", rows
        )
