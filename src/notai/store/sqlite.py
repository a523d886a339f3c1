"""The embedded backend: stdlib sqlite3 in WAL mode, one connection per process.

Statements run on the event loop's thread: they are short, indexed reads and writes, and a
thread hop per statement would cost more than the statement. A lock serialises
transactions within the process; WAL and `busy_timeout` serialise writers across
processes while readers go on. `synchronous=FULL` makes a commit durable before the
collector acknowledges a batch.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from notai.store.database import Connection, DatabaseUnavailable, Dialect, Row

_PLACEHOLDER = re.compile(r"\$(\d+)")
BUSY_TIMEOUT_MS = 10_000


@lru_cache(maxsize=512)
def to_sqlite(sql: str) -> str:
    """Rewrite `$1` placeholders to SQLite's equivalent `?1`."""
    return _PLACEHOLDER.sub(r"?\1", sql)


class SqliteConnection:
    dialect: Dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        return self._raw.execute(to_sqlite(sql), args).fetchall()

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        row: Row | None = self._raw.execute(to_sqlite(sql), args).fetchone()
        return row

    async def fetchval(self, sql: str, *args: object) -> Any:
        row = self._raw.execute(to_sqlite(sql), args).fetchone()
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: object) -> None:
        self._raw.execute(to_sqlite(sql), args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._raw.executemany(to_sqlite(sql), rows)


class SqliteDatabase:
    dialect: Dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection, url: str) -> None:
        self.url = url
        self._raw = raw
        self._connection = SqliteConnection(raw)
        self._lock = asyncio.Lock()

    @classmethod
    def open(cls, path: str, url: str) -> SqliteDatabase:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.row_factory = sqlite3.Row
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return cls(raw, url)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        async with self._lock:
            try:
                yield self._connection
            except sqlite3.OperationalError as exc:
                raise _unavailable_or(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            try:
                self._raw.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _unavailable_or(exc) from exc
            try:
                yield self._connection
            except BaseException:
                self._raw.execute("ROLLBACK")
                raise
            self._raw.execute("COMMIT")

    async def ping(self) -> None:
        try:
            self._raw.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def close(self) -> None:
        self._raw.close()


def _unavailable_or(exc: sqlite3.OperationalError) -> Exception:
    """A locked or unreadable database is a dependency failure, not a bug."""
    text = str(exc)
    if "locked" in text or "unable to open" in text or "disk" in text:
        return DatabaseUnavailable(text)
    return exc
