"""What a rising score costs the roll-ups, in a course with a long history.

Every batch that raises a session's score moves the session's contribution in its user's and
course's roll-ups. The general move takes the old contribution out and puts the new one in;
taking out a score that held a maximum or a bot's last time recomputes them from the
entity's sessions, and each of its day's maxima likewise, so its cost grows with the course.
A rise can never lower a maximum, so ingest moves it in place instead (`_raise_score`).

This lays down `--sessions` sessions of one course (`--users` users over `--days` days, with
their roll-ups rebuilt from them), then raises one of today's sessions' scores `--rises`
times, in steps of 0.001, taking turns between the general move and the move in place, each
on its own session, and reports the median wall-clock time of each: the ratio is what
matters, both measured in the same minutes on the same database.

    PYTHONPATH=. .venv/bin/python bench/rising_scores.py --backend sqlite
    PYTHONPATH=. .venv/bin/python bench/rising_scores.py --backend postgres
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable

import msgspec
from bench.collector import database

from notai.collect.ingest import session_facts
from notai.collect.rebuild import rebuild_rollups
from notai.store import rollups
from notai.store.bulk import insert_sessions
from notai.store.database import Connection, Database, open_database
from notai.store.migrate import migrate
from notai.store.sessions import SessionRecord
from notai.tenancy import service

DAY_MS = rollups.DAY_MS
COURSE = "101"
KINDS: tuple[rollups.EntityKind, ...] = ("u", "c")
Move = Callable[[Connection, str, rollups.SessionFacts, rollups.SessionFacts], Awaitable[None]]


def history(integration: str, args: argparse.Namespace, now: int) -> list[SessionRecord]:
    """The course's sessions: scores mostly human, some medium, a few bots."""
    rng = random.Random(20261208)
    records = []
    for index in range(args.sessions):
        created = now - rng.randrange(args.days * DAY_MS)
        score = rng.choice((0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9))
        user = f"u{rng.randrange(args.users)}"
        records.append(_record(integration, f"h{index}", user, created, score))
    return records


def _record(integration: str, session: str, user: str, created: int, score: float) -> SessionRecord:
    return SessionRecord(
        integration_id=integration,
        id=session,
        created_at=created,
        updated_at=created,
        status="closed",
        bot_score=score,
        detection_flags="[]",
        evidence="{}",
        page_url=f"https://canvas.example.edu/courses/{COURSE}/quizzes/7/take",
        origin="https://canvas.example.edu",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/142.0 Safari/537.36",
        user_agent_summary="Chrome 142 on Windows",
        user_id=user,
        user_name="",
        user_url="",
        course_id=COURSE,
        event_count=0,
        first_event_at=None,
        last_event_at=None,
        detector_state=b"",
    )


async def general_move(
    conn: Connection, integration: str, before: rollups.SessionFacts, after: rollups.SessionFacts
) -> None:
    """Take the old contribution out of the user and course, put the new one in."""
    for kind, entity in zip(KINDS, (after.user_id, after.course_id), strict=True):
        await rollups._count(conn, integration, kind, entity, before, -1)
        await rollups._count(conn, integration, kind, entity, after, +1)


async def move_in_place(
    conn: Connection, integration: str, before: rollups.SessionFacts, after: rollups.SessionFacts
) -> None:
    for kind, entity in zip(KINDS, (after.user_id, after.course_id), strict=True):
        await rollups._raise_score(conn, integration, kind, entity, before, after)


async def rise(db: Database, integration: str, record: SessionRecord, move: Move) -> float:
    """Raise the session's score by 0.001 as ingest does (sessions first); the move's seconds."""
    after = msgspec.structs.replace(record, bot_score=round(record.bot_score + 0.001, 4))
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sessions SET bot_score = $3 WHERE integration_id = $1 AND id = $2",
            integration,
            record.id,
            after.bot_score,
        )
        started = time.perf_counter()
        await move(conn, integration, session_facts(record), session_facts(after))
        elapsed = time.perf_counter() - started
    record.bot_score = after.bot_score
    return elapsed


async def run(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    db = await open_database(url)
    try:
        integration = (await service.create_integration(db, "Rising U", "enterprise", "us")).id
        now = int(time.time() * 1000)
        await insert_sessions(db, history(integration, args, now))
        subjects = {
            "general move": _record(integration, "general", "u0", now, args.start),
            "move in place": _record(integration, "in-place", "u1", now, args.start),
        }
        await insert_sessions(db, list(subjects.values()))
        await rebuild_rollups(db, integration)
        moves: dict[str, Move] = {"general move": general_move, "move in place": move_in_place}
        times: dict[str, list[float]] = {name: [] for name in moves}
        for _ in range(args.rises):
            for name, move in moves.items():
                times[name].append(await rise(db, integration, subjects[name], move))
        return times
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--rises", type=int, default=200)
    parser.add_argument("--start", type=float, default=0.7, help="the rising sessions' score")
    args = parser.parse_args()
    with database(args.backend) as url:
        migrate(url)
        times = asyncio.run(run(url, args))
    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    print(
        f"{args.backend}: {args.sessions} sessions of one course, {args.rises} rises from "
        f"{args.start} each"
    )
    for name, value in medians.items():
        print(f"  {name}: {value:.0f} µs per rise (median)")
    print(f"  general / in place: {medians['general move'] / medians['move in place']:.1f}")


if __name__ == "__main__":
    main()
