"""API-call metering: counts gather in memory and reach usage in one transaction per flush."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from notai.api.metering import ApiCallMeter, utc_day
from notai.store.database import Connection, DatabaseUnavailable, Dialect, Row

MIDNIGHT = 1_780_012_800.0  # 2026-05-29T00:00:00Z


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class RecordingConnection:
    dialect: Dialect = "sqlite"

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        return []

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        return None

    async def fetchval(self, sql: str, *args: object) -> Any:
        return None

    async def execute(self, sql: str, *args: object) -> None:
        self.rows.append(args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self.rows.extend(tuple(row) for row in rows)


class FakeDatabase:
    """Records what each committed transaction wrote; `down` makes every transaction fail."""

    dialect: Dialect = "sqlite"
    url = "sqlite:///fake.db"

    def __init__(self) -> None:
        self.down = False
        self.transactions: list[list[tuple[object, ...]]] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        yield RecordingConnection()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        if self.down:
            raise DatabaseUnavailable("down")
        conn = RecordingConnection()
        yield conn
        self.transactions.append(conn.rows)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


def test_calls_per_integration_and_utc_day_in_one_transaction() -> None:
    db, clock = FakeDatabase(), FakeClock(MIDNIGHT - 0.5)
    meter = ApiCallMeter(db, clock)
    meter.count("aaaaaaaa")
    meter.count("aaaaaaaa")
    meter.count("bbbbbbbb")
    clock.now = MIDNIGHT
    meter.count("aaaaaaaa")

    asyncio.run(meter.flush())

    assert db.transactions == [
        [
            ("aaaaaaaa", "2026-05-28", "ApiCalls", 2),
            ("aaaaaaaa", "2026-05-29", "ApiCalls", 1),
            ("bbbbbbbb", "2026-05-28", "ApiCalls", 1),
        ]
    ]
    assert meter.pending == 0


def test_nothing_pending_writes_nothing() -> None:
    db = FakeDatabase()

    asyncio.run(ApiCallMeter(db).flush())

    assert db.transactions == []


def test_a_failed_flush_keeps_its_counts_for_the_next() -> None:
    db = FakeDatabase()
    meter = ApiCallMeter(db, FakeClock(MIDNIGHT))
    meter.count("aaaaaaaa")
    db.down = True

    with pytest.raises(DatabaseUnavailable):
        asyncio.run(meter.flush())
    meter.count("aaaaaaaa")
    db.down = False
    asyncio.run(meter.flush())

    assert meter.pending == 0
    assert db.transactions == [[("aaaaaaaa", "2026-05-29", "ApiCalls", 2)]]


def test_utc_day_is_the_usage_day_format() -> None:
    assert utc_day(MIDNIGHT) == "2026-05-29"
    assert utc_day(MIDNIGHT - 0.001) == "2026-05-28"
