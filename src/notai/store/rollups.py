"""Per-integration roll-ups kept current at ingest: LMS users, courses, daily usage."""

from __future__ import annotations

from notai.store.database import Connection


async def upsert_lms_user(
    conn: Connection,
    integration_id: str,
    user_id: str,
    user_name: str,
    user_url: str,
    seen_at: int,
) -> None:
    """Record that a user was seen; a later non-empty name or URL replaces an older one."""
    await conn.execute(
        "INSERT INTO lms_users (integration_id, user_id, user_name, user_url, first_seen,"
        " last_seen) VALUES ($1, $2, $3, $4, $5, $5)"
        " ON CONFLICT (integration_id, user_id) DO UPDATE SET"
        " user_name = CASE WHEN excluded.user_name <> '' THEN excluded.user_name"
        " ELSE lms_users.user_name END,"
        " user_url = CASE WHEN excluded.user_url <> '' THEN excluded.user_url"
        " ELSE lms_users.user_url END,"
        " first_seen = CASE WHEN excluded.first_seen < lms_users.first_seen"
        " THEN excluded.first_seen ELSE lms_users.first_seen END,"
        " last_seen = CASE WHEN excluded.last_seen > lms_users.last_seen"
        " THEN excluded.last_seen ELSE lms_users.last_seen END",
        integration_id,
        user_id,
        user_name,
        user_url,
        seen_at,
    )


async def upsert_course(
    conn: Connection,
    integration_id: str,
    course_id: str,
    name: str,
    url: str,
    provider: str,
    seen_at: int,
) -> None:
    await conn.execute(
        "INSERT INTO courses (integration_id, course_id, name, url, provider, first_seen,"
        " last_seen) VALUES ($1, $2, $3, $4, $5, $6, $6)"
        " ON CONFLICT (integration_id, course_id) DO UPDATE SET"
        " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE courses.name END,"
        " url = CASE WHEN excluded.url <> '' THEN excluded.url ELSE courses.url END,"
        " last_seen = CASE WHEN excluded.last_seen > courses.last_seen"
        " THEN excluded.last_seen ELSE courses.last_seen END",
        integration_id,
        course_id,
        name,
        url,
        provider,
        seen_at,
    )


async def add_usage(
    conn: Connection, integration_id: str, day: str, counts: dict[str, int]
) -> None:
    """Add to the day's usage counters (metric name to increment); zero increments skipped."""
    rows = [(integration_id, day, metric, n) for metric, n in counts.items() if n]
    if not rows:
        return
    await conn.executemany(
        "INSERT INTO usage_daily (integration_id, day, metric, value) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (integration_id, day, metric)"
        " DO UPDATE SET value = usage_daily.value + excluded.value",
        rows,
    )
