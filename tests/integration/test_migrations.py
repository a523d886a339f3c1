"""Migrations that move existing rows: what a deployment upgraded in place ends up holding."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from notai.store.database import open_database
from notai.store.migrate import alembic_config

from conftest import ADMIN_URL, admin_execute, with_database_name

DAY_MS = 86_400_000
DAY = 20_000  # a UTC day, in days since 1970-01-01


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any migration applied (the shared test database is at head)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    name = f"notai_upgrade_{secrets.token_hex(4)}"
    asyncio.run(admin_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield with_database_name(ADMIN_URL, name)
    finally:
        asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _run(url: str, *statements: str) -> list[Any]:
    """Run statements in one transaction; return the last one's rows as tuples."""
    db = await open_database(url)
    try:
        async with db.transaction() as conn:
            for sql in statements[:-1]:
                await conn.execute(sql)
            rows: list[Any] = await conn.fetch(statements[-1])
            return [tuple(row) for row in rows]
    finally:
        await db.close()


def _user(user_id: str, last_seen: int, last_bot_at: int | None) -> str:
    bot = "NULL" if last_bot_at is None else str(last_bot_at)
    return (
        "INSERT INTO lms_users (integration_id, user_id, user_name, user_url, first_seen,"
        f" last_seen, last_bot_at) VALUES ('abcdefgh', '{user_id}', '', '', 0, {last_seen}, {bot})"
    )


DAILY_ROW = "INSERT INTO entity_daily VALUES ('abcdefgh', 'u', 'a', 20000, 3, 1, 0, 1.5, 0.9)"
LAST_DAYS = "SELECT kind, marker, day, entities FROM entity_last_days ORDER BY kind, marker, day"


def test_upgrading_counts_existing_users_and_courses_into_the_last_visit_days(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0005")
    asyncio.run(
        _run(
            empty_database_url,
            DAILY_ROW,
            _user("a", DAY * DAY_MS, DAY * DAY_MS),
            _user("b", (DAY + 1) * DAY_MS - 1, None),
            _user("c", (DAY + 1) * DAY_MS, (DAY - 2) * DAY_MS + 5),
            "INSERT INTO courses (integration_id, course_id, name, url, provider, first_seen,"
            f" last_seen) VALUES ('abcdefgh', '101', '', '', 'canvas', 0, {DAY * DAY_MS + 1})",
            "SELECT 1",
        )
    )

    command.upgrade(config, "head")

    assert asyncio.run(_run(empty_database_url, LAST_DAYS)) == [
        ("c", "seen", DAY, 1),
        ("u", "bot", DAY - 2, 1),
        ("u", "bot", DAY, 1),
        ("u", "seen", DAY, 2),
        ("u", "seen", DAY + 1, 1),
    ]
    daily = "SELECT entity_id, day, sessions, max_score FROM entity_daily"
    assert asyncio.run(_run(empty_database_url, daily)) == [("a", DAY, 3, 0.9)]
    command.downgrade(config, "0005")
    assert asyncio.run(_run(empty_database_url, daily)) == [("a", DAY, 3, 0.9)]
