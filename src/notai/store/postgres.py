"""The PostgreSQL backend: an asyncpg pool, raw SQL, prepared statements cached per connection."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from notai.store.database import Connection, DatabaseUnavailable, Dialect, Row

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
)


class PostgresConnection:
    dialect: Dialect = "postgresql"

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        rows: list[Row] = await self._raw.fetch(sql, *args)
        return rows

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        row: Row | None = await self._raw.fetchrow(sql, *args)
        return row

    async def fetchval(self, sql: str, *args: object) -> Any:
        return await self._raw.fetchval(sql, *args)

    async def execute(self, sql: str, *args: object) -> None:
        await self._raw.execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._raw.executemany(sql, rows)

    async def copy_records(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Bulk load through COPY (used by bulk loaders, never by request paths)."""
        await self._raw.copy_records_to_table(table, columns=list(columns), records=rows)


class PostgresDatabase:
    dialect: Dialect = "postgresql"

    def __init__(self, pool: Any, url: str) -> None:
        self.url = url
        self._pool = pool

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        size = int(os.environ.get("NOTAI_DATABASE_POOL_SIZE", "10"))
        # min_size=0: the server starts while the database is down and answers 503 until
        # it is back, instead of failing to start.
        try:
            pool = await asyncpg.create_pool(url, min_size=0, max_size=size)
        except _CONNECTION_ERRORS as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc
        return cls(pool, url)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        async with self._acquire() as raw:
            yield PostgresConnection(raw)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._acquire() as raw, raw.transaction():
            yield PostgresConnection(raw)

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[Any]:
        try:
            context = self._pool.acquire()
            raw = await context.__aenter__()
        except _CONNECTION_ERRORS as exc:
            raise DatabaseUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        try:
            yield raw
        except _CONNECTION_ERRORS as exc:
            await _release(context, exc)
            raise DatabaseUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        except BaseException as exc:
            await _release(context, exc)
            raise
        await context.__aexit__(None, None, None)

    async def ping(self) -> None:
        async with self.connection() as connection:
            await connection.fetchval("SELECT 1")

    async def close(self) -> None:
        await self._pool.close()


async def _release(context: Any, exc: BaseException) -> None:
    with contextlib.suppress(*_CONNECTION_ERRORS):
        await context.__aexit__(type(exc), exc, exc.__traceback__)
