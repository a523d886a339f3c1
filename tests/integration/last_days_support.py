"""The last-visit days as stored, and as recounted from the users' and courses' own rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

from conftest import Harness

DAY_MS = 86_400_000
LastDays = dict[tuple[str, str, int], int]
"""(kind, marker, day) to how many entities have that last day; days counting 0 left out."""


async def _fetch(harness: Harness, sql: str, *args: object) -> list[Any]:
    async with harness.db.connection() as conn:
        return list(await conn.fetch(sql, *args))


def stored_last_days(harness: Harness, integration: str) -> LastDays:
    rows = harness.run(
        _fetch,
        harness,
        "SELECT kind, marker, day, entities FROM entity_last_days"
        " WHERE integration_id = $1 AND entities <> 0",
        integration,
    )
    return {(r["kind"], r["marker"], r["day"]): r["entities"] for r in rows}


def recounted_last_days(harness: Harness, integration: str) -> LastDays:
    """Count in Python what the day table should hold: every user and course, by its days."""
    counts: Counter[tuple[str, str, int]] = Counter()
    for kind, table in (("u", "lms_users"), ("c", "courses")):
        rows = harness.run(
            _fetch,
            harness,
            f"SELECT last_seen, last_bot_at FROM {table} WHERE integration_id = $1",
            integration,
        )
        for row in rows:
            counts[(kind, "seen", row["last_seen"] // DAY_MS)] += 1
            if row["last_bot_at"] is not None:
                counts[(kind, "bot", row["last_bot_at"] // DAY_MS)] += 1
    return dict(counts)
