"""Proof that a change to the ingest path stores exactly what it stored before.

Feeds demo sessions (with some batches re-sent) into a fresh SQLite database, either through
`GroupCommit` with every session streaming at once (`--grouped`, as the WebSocket collector
does) or batch by batch through `ingest_batch` (as the HTTP endpoint does), then writes
(`--save`) or compares (`--check`) every row of every table that ingest writes, sorted, with
the integration's random id replaced. Events are compared as messages (one row each, read
out of their chunks), so that a change to how they are packed is checked against what was
stored before it. The `previous_*` columns of users and courses are left out: they hold a
last time as it was before the row's latest write, for that write's own use (see
`store.schema`), and so depend on how many writes there were, not on what was stored. Days
of last visits with no entity in them are left out too, for the same reason.

    PYTHONPATH=. .venv/bin/python bench/ingest_equivalence.py --grouped --save /tmp/rows.json
    PYTHONPATH=. .venv/bin/python bench/ingest_equivalence.py --grouped --check /tmp/rows.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
from contextlib import closing
from typing import Any

from notai.collect.groupcommit import GroupCommit
from notai.collect.ingest import ingest_batch
from notai.collect.protocol import Batch
from notai.demo import DemoSession, generate_demo
from notai.settings import Settings
from notai.store.database import Database, open_database
from notai.store.events import chunk_records
from notai.store.migrate import migrate
from notai.tenancy import service

NOW_MS = 1_780_000_000_000
TABLES = (
    "sessions",
    "events",
    "lms_users",
    "courses",
    "entity_daily",
    "entity_members",
    "entity_last_days",
    "integration_buckets",
    "dimension_daily",
    "usage_daily",
)


def deliveries(session: DemoSession, index: int) -> list[tuple[int, Batch]]:
    """The session's batches; every fifth session re-sends its first batch after the second."""
    batches = list(session.batches)
    if index % 5 == 0 and len(batches) > 1:
        batches.insert(2, batches[0])
    return batches


async def feed(db: Database, sessions: list[DemoSession], *, grouped: bool) -> None:
    settings = Settings(database_url=db.url)
    if not grouped:
        for index, session in enumerate(sessions):
            for received_at, batch in deliveries(session, index):
                await ingest_batch(db, settings, batch, received_at)
        return
    group = GroupCommit(db, settings)

    async def stream(index: int, session: DemoSession) -> None:
        for received_at, batch in deliveries(session, index):
            await group.ingest(batch, received_at)

    await asyncio.gather(*(stream(i, s) for i, s in enumerate(sessions)))


def rows(path: str, integration: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with closing(sqlite3.connect(path)) as conn:
        for table in TABLES:
            records = _events(conn) if table == "events" else _rows(conn, table)
            found[table] = sorted(
                json.dumps([_plain(v) for v in record]).replace(integration, "INTEGRATION")
                for record in records
            )
    return found


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    where = " WHERE entities <> 0" if table == "entity_last_days" else ""
    cursor = conn.execute(f"SELECT * FROM {table}{where}")
    kept = [
        i for i, column in enumerate(cursor.description) if not column[0].startswith("previous_")
    ]
    return [tuple(record[i] for i in kept) for record in cursor]


def _events(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every stored message as one row (integration, session, seq, type, ts, size, payload):
    how they are packed into chunks is the store's business, what was stored is not."""
    found = []
    for integration, session, body in conn.execute(
        "SELECT integration_id, session_id, body FROM event_chunks"
    ):
        for r in chunk_records(body):
            found.append((integration, session, r.seq, r.type, r.ts, len(r.payload), r.payload))
    return found


def _plain(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes | memoryview) else value


async def run(url: str, count: int, *, grouped: bool) -> str:
    """Feed the demo; return the integration's id."""
    db = await open_database(url)
    try:
        integration = (await service.create_integration(db, "Equivalence", "enterprise", "us")).id
        demo = generate_demo(integration, users=30, sessions=count, seed=5, now_ms=NOW_MS)
        await feed(db, list(demo), grouped=grouped)
        return integration
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", help="write the stored rows here")
    action.add_argument("--check", help="compare with saved rows")
    parser.add_argument("--grouped", action="store_true", help="through GroupCommit")
    parser.add_argument("--sessions", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notai-equivalence-") as folder:
        path = f"{folder}/ingest.db"
        migrate(f"sqlite:///{path}")
        integration = asyncio.run(run(f"sqlite:///{path}", args.sessions, grouped=args.grouped))
        found = rows(path, integration)
    print(", ".join(f"{table} {len(found[table])}" for table in TABLES))
    if args.save:
        with open(args.save, "w") as handle:
            json.dump(found, handle)
        return 0
    with open(args.check) as handle:
        saved = json.load(handle)
    differing = [table for table in TABLES if saved.get(table) != found[table]]
    print("identical" if not differing else f"tables that differ: {', '.join(differing)}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
