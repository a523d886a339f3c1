"""Feeding demo sessions through the collector's own ingest path, and the quickstart."""

from __future__ import annotations

import secrets
import shlex
import time

from rich.console import Console
from rich.progress import Progress

from notai.collect.ingest import ingest_batch
from notai.dashboard import accounts
from notai.demo import generate_demo
from notai.detect import SCORE_BOT
from notai.settings import Settings
from notai.store import sessions as sessions_repo
from notai.store.database import Database
from notai.tenancy import service

DEMO_DAYS = 28


async def feed_demo(
    db: Database,
    settings: Settings,
    integration_id: str,
    users: int,
    sessions: int,
    seed: int,
    console: Console,
) -> str:
    """Ingest `sessions` generated sessions as the pixel would; return a one-line summary."""
    flagged = {"human": [0, 0], "bot": [0, 0]}
    now = time.time_ns() // 1_000_000
    demo = generate_demo(
        integration_id, users=users, sessions=sessions, seed=seed, now_ms=now, days=DEMO_DAYS
    )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("ingesting demo sessions", total=sessions)
        for session in demo:
            score = 0.0
            for received_at, batch in session.batches:
                score = (await ingest_batch(db, settings, batch, received_at)).botScore
            side = flagged["human" if session.kind.startswith("human") else "bot"]
            side[0] += 1
            side[1] += score >= SCORE_BOT
            progress.advance(task)
    return (
        f"{sessions} demo sessions for {users} users: "
        f"{flagged['human'][0]} person-like ({flagged['human'][1]} flagged), "
        f"{flagged['bot'][0]} bot-like ({flagged['bot'][1]} flagged at botScore >= {SCORE_BOT})"
    )


async def quickstart_data(
    db: Database,
    settings: Settings,
    host: str,
    port: int,
    users: int,
    sessions: int,
    console: Console,
) -> str:
    """Create a demo integration, a key and demo sessions; return what to tell the person."""
    integration = await service.create_integration(db, "Demo school", "pro", settings.region)
    key = await service.create_key(db, settings, integration.id)
    email = f"admin@{integration.id}.demo"
    password = secrets.token_urlsafe(12)
    await accounts.create_admin(db, integration.id, email, password)
    summary = await feed_demo(db, settings, integration.id, users, sessions, 7, console)
    async with db.connection() as conn:
        user_id = await sessions_repo.busiest_user(conn, integration.id) or "unknown"
    base = f"http://{host}:{port}"
    url = f"{base}/v1/users/{user_id}/sessions?pageSize=5"
    curl = f"curl -s -H {shlex.quote('Authorization: Bearer ' + key.key)} {shlex.quote(url)}"
    return (
        f"\n{summary}\n\n"
        f"integration: {integration.id} (pro, {integration.region})\n"
        f"API key (shown once): {key.key}\n\n"
        f"Try it:\n  {curl}\n\n"
        f"Dashboard: {base}/dashboard  (sign in as {email}, password {password})\n"
        f"Docs: {base}/docs   Interactive API: {base}/swagger\n\n"
    )
