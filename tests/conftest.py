"""Fixtures shared by every test: a database on each backend, and a running app over it.

Storage and API tests take the `backend` fixture, parametrised over SQLite (a fresh file per
test) and PostgreSQL (one throwaway database per run on the server named by
NOTAI_TEST_POSTGRES_URL, emptied between tests).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from starlette.testclient import TestClient

from notai.app import create_app
from notai.collect.ingest import IngestResult, ingest_batch
from notai.collect.protocol import Batch
from notai.settings import Settings
from notai.store.database import Database
from notai.store.migrate import migrate
from notai.tenancy import service
from notai.tenancy.plans import Tier

T = TypeVar("T")
ADMIN_URL = os.environ.get("NOTAI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-" + "x" * 40
TABLES = (
    "usage_daily",
    "courses",
    "lms_users",
    "event_chunks",
    "sessions",
    "api_keys",
    "integrations",
    "entity_daily",
    "entity_members",
    "entity_last_days",
    "integration_buckets",
    "dimension_daily",
    "rate_limits",
    "dashboard_sessions",
    "dashboard_users",
)


def with_database_name(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this run, migrated once, dropped at the end."""
    name = f"notai_test_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(admin_execute(f'CREATE DATABASE "{name}"'))
    url = with_database_name(ADMIN_URL, name)
    migrate(url)
    yield url
    asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {', '.join(TABLES)}")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        sqlite_url = f"sqlite:///{tmp_path / 'notai.db'}"
        migrate(sqlite_url)
        return sqlite_url
    postgres: str = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate(postgres))
    return postgres


def make_settings(database_url: str, region: str = "us") -> Settings:
    return Settings(
        database_url=database_url, region="eu" if region == "eu" else "us", secret=TEST_SECRET
    )


class Harness:
    """A running app over one test database, with helpers that run on the app's own loop."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    @property
    def db(self) -> Database:
        db: Database = self.client.app.state.services.db  # type: ignore[attr-defined]
        return db

    def run(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run a coroutine function on the app's event loop (asyncpg pools are bound to it)."""
        portal = self.client.portal
        assert portal is not None
        return portal.call(work, *args)

    def integration(self, tier: Tier = "free", region: str | None = None) -> str:
        chosen = region or self.settings.region
        record = self.run(
            service.create_integration,
            self.db,
            "Test school",
            tier,
            "eu" if chosen == "eu" else "us",
        )
        return record.id

    def key(self, integration_id: str) -> str:
        return self.run(service.create_key, self.db, self.settings, integration_id).key

    def ingest(self, batch: Batch, received_at_ms: int) -> IngestResult:
        return self.run(ingest_batch, self.db, self.settings, batch, received_at_ms)

    def get(self, path: str, key: str | None = None, **params: str | int) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.client.get(path, headers=headers, params=params)


@pytest.fixture
def harness(database_url: str) -> Iterator[Harness]:
    settings = make_settings(database_url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Harness(client, settings)
