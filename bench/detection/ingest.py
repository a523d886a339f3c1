"""Scoring composed sessions through the collector's own ingest path.

Each session is cut into batches as the pixel would send them and handed to
`notai.collect.ingest.ingest_batch` on a throwaway SQLite database, exactly as the
collector does with a decoded batch; the verdict is read back from the stored session.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.detection.pixelish import batches
from bench.detection.site import bench_settings

from notai.collect.ingest import ingest_batch
from notai.events import Message
from notai.store import sessions as sessions_repo
from notai.store.database import Database, open_database
from notai.store.migrate import migrate
from notai.tenancy import service

BATCH_MESSAGES = 40


@dataclass
class Verdict:
    """A session's stored verdict, as the API and the dashboard would read it."""

    name: str
    source: str
    bot_score: float
    flags: list[str]
    evidence: dict[str, dict[str, Any]]
    botd: str = ""
    """BotD's verdict on the same page (bots only): `bot:<kind>`, `human`, or `` if none."""


async def _score_all(
    database_url: str, sessions: Iterable[tuple[str, str, list[Message]]]
) -> list[Verdict]:
    db = await open_database(database_url)
    try:
        integration = (await service.create_integration(db, "bench", "enterprise", "us")).id
        settings = bench_settings(database_url)
        return [
            await _score_one(db, settings, integration, name, source, messages)
            for name, source, messages in sessions
        ]
    finally:
        await db.close()


async def _score_one(
    db: Database,
    settings: Any,
    integration: str,
    name: str,
    source: str,
    messages: list[Message],
) -> Verdict:
    session_id = f"bench-{name}".replace(".", "-")[:64]
    for batch in batches(integration, session_id, messages, BATCH_MESSAGES):
        received = max(m.t for m in batch.events) + 50
        await ingest_batch(db, settings, batch, received)
    async with db.connection() as conn:
        record = await sessions_repo.get_session_record(conn, integration, session_id)
    assert record is not None
    return Verdict(
        name=name,
        source=source,
        bot_score=record.bot_score,
        flags=json.loads(record.detection_flags),
        evidence=json.loads(record.evidence),
    )


def score_through_ingest(sessions: Iterable[tuple[str, str, list[Message]]]) -> list[Verdict]:
    """Verdicts of `(name, source, messages)` sessions, each ingested batch by batch."""
    with tempfile.TemporaryDirectory(prefix="notai-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        migrate(url)
        return asyncio.run(_score_all(url, sessions))
