"""One asynchronous interface over the two backends, and the factory that picks one.

Repositories write SQL once, with PostgreSQL's `$1` placeholders; the SQLite adapter
rewrites them to SQLite's numbered `?1` form, which means the same thing. Where the two
dialects differ (row locks), repositories ask `connection.dialect`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]


class Row(Protocol):
    """A result row: both sqlite3.Row and asyncpg.Record are read by column name or position.

    Names are the rule; a position serves wide rows read in a loop, where looking up each
    name costs more than the statement.
    """

    def __getitem__(self, key: str | int, /) -> Any: ...


class Connection(Protocol):
    dialect: Dialect

    async def fetch(self, sql: str, *args: object) -> list[Row]: ...

    async def fetchrow(self, sql: str, *args: object) -> Row | None: ...

    async def fetchval(self, sql: str, *args: object) -> Any: ...

    async def execute(self, sql: str, *args: object) -> None: ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...


class Database(Protocol):
    """A pool of connections to one database."""

    dialect: Dialect
    url: str

    def connection(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for reads, each statement on its own."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A connection inside one transaction: committed on exit, rolled back on error."""
        ...

    async def ping(self) -> None:
        """Raise `DatabaseUnavailable` when the database cannot answer."""
        ...

    async def close(self) -> None: ...


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or answered with a connection-level failure."""


def dialect_of(url: str) -> Dialect:
    if url.startswith("sqlite:///"):
        return "sqlite"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql"
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]!r}")


def sqlite_path(url: str) -> str:
    """`sqlite:///./notai.db` is the relative path `./notai.db`; `sqlite:////a/b` is `/a/b`."""
    return url.removeprefix("sqlite:///")


async def open_database(url: str) -> Database:
    """Connect to the database named by `url` (migrations are applied separately)."""
    if dialect_of(url) == "sqlite":
        from notai.store.sqlite import SqliteDatabase

        return SqliteDatabase.open(sqlite_path(url), url)
    from notai.store.postgres import PostgresDatabase

    return await PostgresDatabase.open(url)
