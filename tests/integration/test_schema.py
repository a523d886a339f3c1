"""The migrations build exactly the metadata, and the hot query is served by its index."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from notai.store.bulk import insert_sessions
from notai.store.migrate import alembic_url
from notai.store.schema import metadata
from notai.store.sessions import USER_SESSIONS_PAGE_SQL

from conftest import Harness
from factories import session_record


def _differences(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def schema_differences(database_url: str) -> list[Any]:
    url = alembic_url(database_url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.connect() as connection:
            found = _differences(connection)
        engine.dispose()
        return found

    async def compare() -> list[Any]:
        async_engine = create_async_engine(url)
        async with async_engine.connect() as connection:
            result = await connection.run_sync(_differences)
        await async_engine.dispose()
        return result

    return asyncio.run(compare())


def test_migrations_match_the_metadata(database_url: str) -> None:
    assert schema_differences(database_url) == []


def test_user_page_query_reads_the_index_in_order(harness: Harness) -> None:
    records = [session_record("abcdefgh", f"s{i}", f"u{i % 40}", 1_000 * i) for i in range(4000)]
    harness.run(insert_sessions, harness.db, records)
    args = ("abcdefgh", "u1", 0, 2**62, "", 51)

    async def plan() -> str:
        async with harness.db.connection() as conn:
            await conn.execute("ANALYZE")
            if conn.dialect == "sqlite":
                rows = await conn.fetch("EXPLAIN QUERY PLAN " + USER_SESSIONS_PAGE_SQL, *args)
                return "\n".join(str(row["detail"]) for row in rows)
            rows = await conn.fetch("EXPLAIN " + USER_SESSIONS_PAGE_SQL, *args)
            return "\n".join(str(row["QUERY PLAN"]) for row in rows)

    text = harness.run(plan)

    assert "sessions_by_user" in text
    assert "TEMP B-TREE" not in text  # SQLite: no sort step
    assert "Sort" not in text  # PostgreSQL: no sort step
    assert "created_at" in text
