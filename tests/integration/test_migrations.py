"""Migrations that move existing rows: what a deployment upgraded in place ends up holding."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from alembic import command

from notai.store import events as events_repo
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


EVENT_ROWS = "SELECT session_id, seq, type, ts, payload_size, payload FROM events"
ORDERED_EVENTS = EVENT_ROWS + " ORDER BY session_id, seq"


def _event(session: str, seq: int, dialect: str) -> str:
    # A message's MessagePack encoding, as ingest stores it, of a few sizes.
    payload = msgspec.msgpack.encode({"type": "heartbeat", "seq": seq, "t": "x" * (seq % 3)}).hex()
    blob = f"X'{payload}'" if dialect == "sqlite" else f"'\\x{payload}'::bytea"
    return (
        "INSERT INTO events (integration_id, session_id, seq, type, ts, payload_size, payload)"
        f" VALUES ('abcdefgh', '{session}', {seq}, {seq % 14 + 1}, {1_000 + 7 * seq},"
        f" {len(payload) // 2}, {blob})"
    )


def _stored(url: str, session: str) -> list[events_repo.EventRecord]:
    async def read() -> list[events_repo.EventRecord]:
        db = await open_database(url)
        try:
            async with db.connection() as conn:
                return await events_repo.session_payloads(conn, "abcdefgh", session)
        finally:
            await db.close()

    return asyncio.run(read())


def test_upgrading_packs_stored_events_into_chunks_and_back(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0007")
    dialect = "sqlite" if empty_database_url.startswith("sqlite") else "postgres"
    long_session = [_event("long", seq, dialect) for seq in range(1, 601) if seq % 97]
    inserts = [*long_session, _event("short", 5, dialect), _event("short", 2, dialect)]
    before = asyncio.run(_run(empty_database_url, *inserts, ORDERED_EVENTS))
    assert len(before) == 600 - 6 + 2

    command.upgrade(config, "head")

    for session in ("long", "short"):
        assert [
            (session, r.seq, r.type, r.ts, len(r.payload), r.payload)
            for r in _stored(empty_database_url, session)
        ] == [
            (s, seq, kind, ts, size, bytes(p))
            for s, seq, kind, ts, size, p in before
            if s == session
        ]
    chunks = "SELECT session_id, first_seq, last_seq, event_count FROM event_chunks"
    assert sorted(asyncio.run(_run(empty_database_url, chunks))) == [
        ("long", 1, 258, 256),
        ("long", 259, 517, 256),
        ("long", 518, 600, 82),
        ("short", 2, 5, 2),
    ]
    command.downgrade(config, "0007")
    after = asyncio.run(_run(empty_database_url, ORDERED_EVENTS))
    assert [(*row[:5], bytes(row[5])) for row in after] == [
        (*row[:5], bytes(row[5])) for row in before
    ]
