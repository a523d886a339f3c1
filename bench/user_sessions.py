"""Benchmark of `GET /v1/users/{userId}/sessions` against the real server, on both backends.

Lays down a large history with the bulk loader (one very busy user among many ordinary
ones), starts `notai serve` as a subprocess and drives it with wrk: `/health` as the floor,
then the busy user's first page, a page deep into that user's history (reached by walking
the cursors) and an ordinary user's first page. Keyset pagination should make the deep page
cost what the first page costs. `--gate` checks exactly that on a small data set, end to end
(requests/s) and for the query alone (in-process time), with ratios rather than absolute
figures because CI machines are shared and noisy.

    .venv/bin/python bench/user_sessions.py --backend both
    .venv/bin/python bench/user_sessions.py --gate

Figures are printed as a Markdown table and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import asyncpg
import msgspec

from notai.api.ratelimit import rate_limiter_for
from notai.api.responses import history_start_ms
from notai.api.schemas import Pagination, SessionPage, public_session
from notai.clock import now_ms
from notai.collect.rebuild import rebuild_rollups
from notai.settings import Settings
from notai.store import sessions as sessions_repo
from notai.store.bulk import insert_sessions
from notai.store.database import Connection, Database, Row, open_database
from notai.store.migrate import migrate
from notai.store.sessions import SessionRecord, SessionView
from notai.tenancy import service

Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
NOTAI = Path(sys.executable).parent / "notai"
DEFAULT_ADMIN_URL = os.environ.get(
    "NOTAI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-secret-" + secrets.token_urlsafe(32)

DAY_MS = 86_400_000
HISTORY_DAYS = 25
CHUNK = 50_000
PAGE_SIZE = 50
DEEP_FRACTION = 0.95
"""How far into the busy user's history the deep page starts (19,000 of 20,000)."""
STORE_REPEATS = 300
GATE_MIN_DEEP_VS_FIRST = 0.5
"""Deep-page requests/s over first-page requests/s, end to end through HTTP."""
GATE_MAX_DEEP_QUERY_RATIO = 2.0
"""Deep-page query time over first-page query time, in-process. The sharper signal: over
HTTP, the ~1 ms of Python work that every page shares dilutes a slower query."""
GATE_RECHECKS = 2
API_KEYS = 64
"""Keys wrk takes in turn: the enterprise plan admits 6,000 requests a minute per key, so 64
keys leave room for 6,400 requests/s, several times what one worker serves."""
SEED = 20_260_101
# Odd, so i -> i * M mod 2**64 is a bijection: unique ids that look random, like real ones.
ID_MULTIPLIER = 0x9E3779B97F4A7C15
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

ORIGIN = "https://canvas.example.edu"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FLAGGED_FLAGS = '["webdriver","trailless_clicks"]'
FLAGGED_EVIDENCE = (
    '{"webdriver":{"reports":3,"firstAt":1780000000123},'
    '"trailless_clicks":{"clicks":14,"judged":15,"ratio":0.93}}'
)
# About the size of a stored detector state (a msgpack map of counters and times).
DETECTOR_STATE = random.Random(SEED).randbytes(220)
FIRST_NAMES = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Perlman")


# --- Configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    sessions: int
    users: int
    deep_user_sessions: int
    duration: int
    warmup: int
    connections: int
    rounds: int = 1

    @property
    def deep_pages(self) -> int:
        """Pages walked before the deep page: ~380 of 50 for a 20,000-session user."""
        return int(self.deep_user_sessions * DEEP_FRACTION) // PAGE_SIZE


GATE_SCALE = Scale(
    sessions=50_000, users=500, deep_user_sessions=5_000, duration=3, warmup=1, connections=32
)


@dataclass(frozen=True)
class Options:
    backends: tuple[Backend, ...]
    scale: Scale
    gate: bool
    admin_url: str


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--deep-user-sessions", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per measurement.")
    parser.add_argument("--warmup", type=int, default=2, help="Seconds of load before each.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="Measure every request this many times, taking turns; keep each one's best.",
    )
    parser.add_argument(
        "--postgres-url", default=DEFAULT_ADMIN_URL, help="Where to create the bench database."
    )
    parser.add_argument(
        "--gate",
        action="store_true",
        help="CI gate: a small fixed data set on both backends; fails on a slow deep page.",
    )
    args = parser.parse_args(argv)
    if args.gate:
        return Options(BACKENDS, GATE_SCALE, True, args.postgres_url)
    scale = Scale(
        sessions=args.sessions,
        users=args.users,
        deep_user_sessions=args.deep_user_sessions,
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        rounds=max(args.rounds, 1),
    )
    if scale.users < 3 or not PAGE_SIZE * 2 <= scale.deep_user_sessions < scale.sessions:
        parser.error("need 3+ users and 100 <= --deep-user-sessions < --sessions")
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    return Options(backends, scale, False, args.postgres_url)


# --- Results -------------------------------------------------------------------------------


class Machine(msgspec.Struct):
    cpus: int
    cpu_model: str
    ram_gib: float
    kernel: str
    python: str
    sqlite: str
    postgres: str
    postgres_settings: dict[str, str]
    wrk: str
    granian: str


class LoadResult(msgspec.Struct):
    seconds: float
    """Wall time to generate and insert every session, and to ANALYZE."""
    insert_seconds: float
    """The part of it spent inside `insert_sessions`."""
    analyze_seconds: float
    rows_per_second: float
    database_bytes: int
    rollups_seconds: float = 0.0
    """`rebuild_rollups`: the roll-ups behind users, courses, analytics and stats, recounted
    from the bulk-loaded sessions (the load skips ingest)."""


class StoreProbe(msgspec.Struct):
    """Median microseconds of the steps of one request, timed in-process without HTTP."""

    resolve_key_us: float
    rate_limit_us: float
    """Counting the call against the key's per-minute limit (a statement on PostgreSQL)."""
    first_page_us: float
    deep_page_us: float
    typical_page_us: float
    render_page_us: float
    """Turning 50 rows into the JSON body: public_session() for each, then encoding."""
    deep_vs_first: float
    """Deep page query time over first page query time: what keyset pagination keeps at 1."""
    deep_page_plan: list[str]


class Measurement(msgspec.Struct):
    name: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    failed: int
    """Status errors (>= 400), timeouts and socket errors."""
    response_bytes: float
    server_cpu_us: float
    """CPU of the server's processes per request."""
    db_cpu_us: float | None
    """CPU of the PostgreSQL backends serving the server's pool, per request."""
    wrk_cpu_us: float
    other_cpu_pct: float
    """Share of the machine's CPU that processes outside the benchmark used meanwhile."""
    vs_health: float = 0.0


class BackendResult(msgspec.Struct):
    backend: Backend
    sessions: int
    users: int
    deep_user_sessions: int
    typical_user_sessions: int
    deep_page_offset: int
    load: LoadResult
    store: StoreProbe
    measurements: list[Measurement]
    deep_vs_first: float
    list_vs_first: dict[str, float] = {}
    """Every other list route's RPS over the user's first page (issue: within 2x, >= 0.5)."""
    all_rounds: list[Measurement] = []
    """With --rounds above 1: every round, of which `measurements` holds each request's best."""
    rechecks: list[Measurement] = []
    """Gate only: the deep and first pages measured again while their ratio looked too low."""
    recheck_ratios: list[float] = []


class Report(msgspec.Struct):
    started_at: str
    mode: Literal["full", "gate"]
    command: list[str]
    machine: Machine
    duration_seconds: int
    warmup_seconds: int
    rounds: int
    connections: int
    page_size: int
    backends: list[BackendResult]
    reference_us: list[float]
    """A fixed pure-Python loop timed before each backend and at the end: shared machines
    change speed (a busy host), and this says by how much between runs."""
    gate_failures: list[str]


# --- Synthetic data ------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: str
    name: str
    url: str
    course_id: str


def make_users(count: int) -> list[User]:
    users = []
    for i in range(count):
        user_id = f"u{i:06d}"
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i // 9 % len(LAST_NAMES)]}"
        url = f"{ORIGIN}/users/{user_id}"
        users.append(User(user_id, name, url, str(100 + i % 40)))
    return users


def session_counts(scale: Scale) -> list[int]:
    """Sessions per user: user 0 is the busy one, the others follow a Zipf-like curve.

    With the defaults the others range from about 2,100 down to 21 sessions, median 42: most
    users fit on one page, a few need dozens.
    """
    others = scale.sessions - scale.deep_user_sessions
    weights = [1.0 / (rank + 100) for rank in range(1, scale.users)]
    total = sum(weights)
    exact = [others * w / total for w in weights]
    counts = [int(x) for x in exact]
    # The largest remainders take the sessions rounding left over, so the total is exact.
    leftover = others - sum(counts)
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[:leftover]:
        counts[i] += 1
    return [scale.deep_user_sessions, *counts]


def arrival_order(counts: Sequence[int]) -> list[int]:
    """The owner (user index) of each session in creation order: users interleave in time,
    so one user's rows are scattered over the table as they are in production."""
    owners = [user for user, count in enumerate(counts) for _ in range(count)]
    random.Random(SEED).shuffle(owners)
    return owners


def session_chunks(
    integration_id: str, users: Sequence[User], owners: Sequence[int], end_ms: int
) -> Iterator[list[SessionRecord]]:
    """Sessions in creation order over the last HISTORY_DAYS, CHUNK at a time (bounded memory)."""
    start = end_ms - HISTORY_DAYS * DAY_MS
    step = HISTORY_DAYS * DAY_MS / len(owners)
    rng = random.Random(SEED + 1)
    for begin in range(0, len(owners), CHUNK):
        stop = min(begin + CHUNK, len(owners))
        yield [
            make_session(integration_id, i, start + int(i * step), users[owners[i]], rng)
            for i in range(begin, stop)
        ]


def make_session(
    integration_id: str, index: int, created_at: int, user: User, rng: random.Random
) -> SessionRecord:
    flagged = rng.random() < 0.04
    length = rng.randrange(30_000, 1_800_000)
    return SessionRecord(
        integration_id=integration_id,
        id=f"s{(index * ID_MULTIPLIER) % 2**64:016x}",
        created_at=created_at,
        updated_at=created_at + length,
        status="closed",
        bot_score=round(rng.uniform(0.7, 0.99) if flagged else rng.uniform(0.0, 0.2), 3),
        detection_flags=FLAGGED_FLAGS if flagged else "[]",
        evidence=FLAGGED_EVIDENCE if flagged else "{}",
        page_url=f"{ORIGIN}/courses/{user.course_id}/quizzes/{index % 12 + 1}/take",
        origin=ORIGIN,
        user_agent=CHROME,
        user_agent_summary="Chrome 131 on Windows",
        user_id=user.id,
        user_name=user.name,
        user_url=user.url,
        course_id=user.course_id,
        event_count=rng.randrange(20, 400),
        first_event_at=created_at + 150,
        last_event_at=created_at + length,
        detector_state=DETECTOR_STATE,
    )


# --- Databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="notai-bench-") as tmp:
        yield f"sqlite:///{tmp}/notai.db"


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of `admin_url`, dropped on the way out."""
    name = f"notai_bench_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(admin_execute(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def admin_execute(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def admin_fetch(admin_url: str, sql: str, *args: object) -> list[Any]:
    connection = await asyncpg.connect(admin_url)
    try:
        rows: list[Any] = await connection.fetch(sql, *args)
        return rows
    finally:
        await connection.close()


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def backend_pids(admin_url: str, name: str) -> list[int]:
    """The PostgreSQL processes connected to database `name`: the server's pool."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
    return [int(row["pid"]) for row in asyncio.run(admin_fetch(admin_url, sql, name))]


async def database_bytes(db: Database) -> int:
    async with db.connection() as conn:
        if conn.dialect == "postgresql":
            size = await conn.fetchval("SELECT pg_database_size(current_database())")
        else:
            size = await conn.fetchval(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
    return int(size)


# --- Loading and in-process probes ---------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    integration_id: str
    keys: list[str]
    deep_user: str
    typical_user: str
    typical_user_sessions: int
    deep_first_id: str
    """The first session of the deep page, to check that HTTP walks to the same place."""
    load: LoadResult
    store: StoreProbe


async def prepare(url: str, scale: Scale) -> Prepared:
    """Create the integration and key, load the sessions, ANALYZE, then time the store."""
    settings = Settings(database_url=url, secret=SECRET)
    db = await open_database(url)
    try:
        # Enterprise: the default window is 7 years, so every loaded session is visible.
        integration = await service.create_integration(db, "bench", "enterprise", "us")
        new_keys = [await service.create_key(db, settings, integration.id) for _ in range(API_KEYS)]
        users = make_users(scale.users)
        counts = session_counts(scale)
        typical = scale.users // 2  # counts fall with the index: the median user
        load_seconds, insert_seconds = await load_sessions(db, integration.id, users, counts)
        rollups_seconds = await timed(rebuild_rollups(db, integration.id))
        analyze_seconds = await timed(analyze(db))
        size = await database_bytes(db)
        store, deep_first_id = await probe_store(
            db, settings, new_keys[0], users[0].id, users[typical].id, scale.deep_pages
        )
    finally:
        await db.close()
    load = LoadResult(
        seconds=round(load_seconds + analyze_seconds, 2),
        insert_seconds=round(insert_seconds, 2),
        analyze_seconds=round(analyze_seconds, 2),
        rows_per_second=round(scale.sessions / load_seconds),
        database_bytes=size,
        rollups_seconds=round(rollups_seconds, 2),
    )
    return Prepared(
        integration_id=integration.id,
        keys=[k.key for k in new_keys],
        deep_user=users[0].id,
        typical_user=users[typical].id,
        typical_user_sessions=counts[typical],
        deep_first_id=deep_first_id,
        load=load,
        store=store,
    )


async def timed(work: Awaitable[object]) -> float:
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


async def load_sessions(
    db: Database, integration_id: str, users: Sequence[User], counts: Sequence[int]
) -> tuple[float, float]:
    """(total seconds, seconds inside insert_sessions) to lay down every session."""
    started = time.perf_counter()
    owners = arrival_order(counts)
    end_ms = now_ms() - 3_600_000
    inserting = 0.0
    for chunk in session_chunks(integration_id, users, owners, end_ms):
        inserting += await timed(insert_sessions(db, chunk))
    return time.perf_counter() - started, inserting


async def analyze(db: Database) -> None:
    """Planner statistics, as a deployment would have them after a while.

    On PostgreSQL, VACUUM too: autovacuum would run after a million-row load anyway (better
    before the measurements than during them), and it sets the hint bits and visibility map
    that a settled table has. SQLite gets ANALYZE for `sqlite_stat1`.
    """
    async with db.connection() as conn:
        if conn.dialect == "postgresql":
            # Every table: the roll-ups were just rebuilt too.
            await conn.execute("VACUUM (ANALYZE)")
        else:
            await conn.execute("ANALYZE")


class RecordingConnection:
    """Passes statements through and keeps the last one, to EXPLAIN what the store runs."""

    def __init__(self, inner: Connection) -> None:
        self.dialect = inner.dialect
        self._inner = inner
        self.last: tuple[str, tuple[object, ...]] = ("", ())

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        self.last = (sql, args)
        return await self._inner.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        return await self._inner.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: object) -> Any:
        return await self._inner.fetchval(sql, *args)

    async def execute(self, sql: str, *args: object) -> None:
        await self._inner.execute(sql, *args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self._inner.executemany(sql, rows)


async def probe_store(
    db: Database,
    settings: Settings,
    key: service.NewKey,
    deep_user: str,
    typical_user: str,
    pages: int,
) -> tuple[StoreProbe, str]:
    principal = await service.resolve_key(db, settings, key.key)
    if principal is None:
        raise RuntimeError("the freshly minted key does not resolve")
    since = history_start_ms(principal, now_ms())
    iid = principal.integration_id

    async def page(user: str, before: tuple[int, str] | None) -> list[SessionView]:
        async with db.connection() as conn:
            # limit + 1, as the route asks for one more row to learn whether more follow.
            return await sessions_repo.page_user_sessions(
                conn, iid, user, since_ms=since, before=before, limit=PAGE_SIZE + 1
            )

    position = await walk_store(db, iid, deep_user, since, pages)
    first_views = await page(deep_user, None)
    deep_views = await page(deep_user, position)
    now = now_ms()

    async def render() -> None:
        views = first_views[:PAGE_SIZE]
        body = SessionPage(
            data=[public_session(v, now) for v in views],
            pagination=Pagination(hasMore=True, limit=PAGE_SIZE, nextCursor="x" * 40),
        )
        msgspec.json.encode(body)

    limiter = rate_limiter_for(db)
    medians = await interleaved_medians(
        {
            "key": lambda: service.resolve_key(db, settings, key.key),
            # A limit never reached: the cost of counting the request, as every call pays it.
            "limit": lambda: limiter.admit(iid, key.id, 2**31),
            "first": lambda: page(deep_user, None),
            "deep": lambda: page(deep_user, position),
            "typical": lambda: page(typical_user, None),
            "render": render,
        }
    )
    probe = StoreProbe(
        resolve_key_us=medians["key"],
        rate_limit_us=medians["limit"],
        first_page_us=medians["first"],
        deep_page_us=medians["deep"],
        typical_page_us=medians["typical"],
        render_page_us=medians["render"],
        deep_vs_first=round(medians["deep"] / medians["first"], 3),
        deep_page_plan=await explain(db, iid, deep_user, since, position),
    )
    return probe, deep_views[0].id


async def walk_store(
    db: Database, integration_id: str, user: str, since: int, pages: int
) -> tuple[int, str]:
    """The keyset position after `pages` pages, checking the walk goes strictly backwards."""
    position: tuple[int, str] | None = None
    async with db.connection() as conn:
        for _ in range(pages):
            views = await sessions_repo.page_user_sessions(
                conn, integration_id, user, since_ms=since, before=position, limit=PAGE_SIZE
            )
            keys = [(v.created_at, v.id) for v in views]
            if len(keys) != PAGE_SIZE or keys != sorted(set(keys), reverse=True):
                raise RuntimeError(f"page after {position} is short or out of order")
            if position is not None and keys[0] >= position:
                raise RuntimeError(f"page after {position} does not move backwards")
            position = keys[-1]
    if position is None:
        raise RuntimeError("the deep page needs at least one page walked")
    return position


async def interleaved_medians(
    calls: dict[str, Callable[[], Awaitable[object]]],
) -> dict[str, float]:
    """Median microseconds of each call, taking turns so that a burst of noise from a
    neighbour hits them all alike and their ratios stay meaningful."""
    warmup = STORE_REPEATS // 10  # caches and prepared statements
    samples: dict[str, list[int]] = {name: [] for name in calls}
    for round_ in range(warmup + STORE_REPEATS):
        for name, call in calls.items():
            started = time.perf_counter_ns()
            await call()
            if round_ >= warmup:
                samples[name].append(time.perf_counter_ns() - started)
    return {name: round(statistics.median(times) / 1000, 1) for name, times in samples.items()}


async def explain(
    db: Database, integration_id: str, user: str, since: int, position: tuple[int, str]
) -> list[str]:
    """The plan of the deep-page query, exactly as the store sends it."""
    async with db.connection() as conn:
        recorder = RecordingConnection(conn)
        await sessions_repo.page_user_sessions(
            recorder, integration_id, user, since_ms=since, before=position, limit=PAGE_SIZE + 1
        )
        sql, args = recorder.last
        if conn.dialect == "postgresql":
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, *args)
            return [str(row["QUERY PLAN"]) for row in rows]
        rows = await conn.fetch("EXPLAIN QUERY PLAN " + sql, *args)
        return [str(row["detail"]) for row in rows]


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(url: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`notai serve` with one worker on a free port, stopped (and its workers) on exit."""
    port = free_port()
    # Only the settings under test: nothing inherited from the shell may change the run.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTAI_")}
    env |= {"NOTAI_DATABASE_URL": url, "NOTAI_SECRET": SECRET}
    command = [str(NOTAI), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(  # noqa: S603 (our own entry point, fixed arguments)
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_health(server, port, log)
            yield server, port
        finally:
            stop(server)


def wait_for_health(server: subprocess.Popen[bytes], port: int, log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        with contextlib.suppress(OSError):
            status, _ = http_get(port, "/health", None)
            if status == 200:
                return
        time.sleep(0.2)
    log.seek(0)
    tail = log.read().decode(errors="replace")[-3000:]
    raise RuntimeError(f"the server did not become healthy:\n{tail}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # The session was started for this server alone: its group is the server and
            # its workers.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def http_get(port: int, path: str, key: str | None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def user_path(user: str, cursor: str | None = None) -> str:
    path = f"/v1/users/{quote(user, safe='')}/sessions?pageSize={PAGE_SIZE}"
    return path if cursor is None else f"{path}&cursor={quote(cursor, safe='')}"


def get_page(port: int, key: str, path: str) -> dict[str, Any]:
    status, body = http_get(port, path, key)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    page: dict[str, Any] = json.loads(body)
    return page


def walk_cursor(port: int, key: str, user: str, pages: int) -> str:
    """The cursor the API hands out after `pages` pages of `user`."""
    cursor: str | None = None
    for _ in range(pages):
        page = get_page(port, key, user_path(user, cursor))
        if len(page["data"]) != PAGE_SIZE or not page["pagination"]["hasMore"]:
            raise RuntimeError(f"user {user} ran out of pages before {pages}")
        cursor = page["pagination"]["nextCursor"]
    if cursor is None:
        raise RuntimeError("the deep page needs at least one page walked")
    return cursor


# --- Load generation and CPU accounting ----------------------------------------------------


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User + system CPU of each live process, from /proc (vanished ones are left out)."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return seconds


def used_since(later: dict[int, float], earlier: dict[int, float]) -> float:
    """CPU used between two readings by the processes alive at the later one.

    A process started meanwhile counts from zero. One that exited meanwhile is lost (asyncpg's
    pool replaces a connection after 50,000 queries): an undercount, never a negative.
    """
    return sum(cpu - earlier.get(pid, 0.0) for pid, cpu in later.items())


def process_tree(root: int) -> list[int]:
    """`root` and its descendants: the server and its worker processes."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, keys_file: Path, seconds: int, connections: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_SCRIPT),
        url,
        str(keys_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            summary: dict[str, float] = json.loads(line.removeprefix("WRK_JSON "))
            return summary
    raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")


@dataclass(frozen=True)
class Target:
    name: str
    path: str


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds each party to a measurement used, and the whole machine."""

    server: float
    database: float
    wrk: float
    machine: float


@dataclass(frozen=True)
class CpuClock:
    """CPU seconds used so far, per process of the server and of the database."""

    server: dict[int, float]
    database: dict[int, float]
    wrk: float
    machine: float

    @classmethod
    def read(cls, server_pid: int, database_pids: Callable[[], list[int]]) -> CpuClock:
        return cls(
            server=cpu_seconds(process_tree(server_pid)),
            database=cpu_seconds(database_pids()),
            wrk=children_cpu_seconds(),
            machine=machine_busy_seconds(),
        )

    def since(self, earlier: CpuClock) -> CpuUse:
        return CpuUse(
            server=used_since(self.server, earlier.server),
            database=used_since(self.database, earlier.database),
            wrk=self.wrk - earlier.wrk,
            machine=self.machine - earlier.machine,
        )


def machine_busy_seconds() -> float:
    """Non-idle CPU time of the whole machine (steal included), from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / CLOCK_TICKS


def measure(
    target: Target,
    port: int,
    keys_file: Path,
    server: subprocess.Popen[bytes],
    db_pids: Callable[[], list[int]],
    scale: Scale,
) -> Measurement:
    url = f"http://127.0.0.1:{port}{target.path}"
    if scale.warmup:
        run_wrk(url, keys_file, scale.warmup, scale.connections)
    # Read after the warm-up, when the pool has opened its connections.
    before = CpuClock.read(server.pid, db_pids)
    summary = run_wrk(url, keys_file, scale.duration, scale.connections)
    used = CpuClock.read(server.pid, db_pids).since(before)
    return to_measurement(target, summary, used, bool(before.database))


def to_measurement(
    target: Target, summary: dict[str, float], used: CpuUse, has_database: bool
) -> Measurement:
    requests = max(int(summary["requests"]), 1)
    seconds = summary["duration_us"] / 1e6
    others = used.machine - used.server - used.database - used.wrk
    errors = ("status_errors", "timeouts", "connect_errors", "read_errors", "write_errors")
    return Measurement(
        name=target.name,
        path=target.path.split("&cursor=")[0] + ("&cursor=…" if "cursor=" in target.path else ""),
        requests=int(summary["requests"]),
        seconds=round(seconds, 2),
        rps=round(summary["requests"] / seconds, 1),
        p50_ms=round(summary["p50_us"] / 1000, 2),
        p90_ms=round(summary["p90_us"] / 1000, 2),
        p99_ms=round(summary["p99_us"] / 1000, 2),
        max_ms=round(summary["max_us"] / 1000, 2),
        failed=int(sum(summary[name] for name in errors)),
        response_bytes=round(summary["bytes"] / requests),
        server_cpu_us=round(used.server / requests * 1e6, 1),
        db_cpu_us=round(used.database / requests * 1e6, 1) if has_database else None,
        wrk_cpu_us=round(used.wrk / requests * 1e6, 1),
        other_cpu_pct=round(max(others, 0.0) / (seconds * (os.cpu_count() or 1)) * 100, 1),
    )


# --- One backend, end to end ---------------------------------------------------------------


def run_backend(backend: Backend, options: Options) -> BackendResult:
    scale = options.scale
    provision = sqlite_database() if backend == "sqlite" else postgres_database(options.admin_url)
    with provision as url:
        log(f"{backend}: migrating and loading {scale.sessions:,} sessions")
        migrate(url)
        prepared = asyncio.run(prepare(url, scale))
        log(f"{backend}: loaded in {prepared.load.seconds} s; starting the server")
        with running_server(url) as (server, port), keys_written(prepared.keys) as keys_file:
            targets = http_targets(port, prepared, scale)
            name = database_name(url)
            db_pids: Callable[[], list[int]] = (
                (lambda: [])
                if backend == "sqlite"
                else (lambda: backend_pids(options.admin_url, name))
            )

            def run(target: Target) -> Measurement:
                log(f"{backend}: {target.name} for {scale.duration} s")
                return measure(target, port, keys_file, server, db_pids, scale)

            rounds = [[run(t) for t in targets.values()] for _ in range(scale.rounds)]
            result = summarise(backend, scale, prepared, least_disturbed(rounds))
            if scale.rounds > 1:
                result.all_rounds = [m for measured in rounds for m in measured]
            if options.gate:
                result.rechecks, result.recheck_ratios = recheck_deep(
                    run, targets, result.deep_vs_first
                )
    return result


@contextlib.contextmanager
def keys_written(keys: Sequence[str]) -> Iterator[Path]:
    """The keys in a private file for the wrk script (not on a command line others can read)."""
    with tempfile.NamedTemporaryFile("w", prefix="notai-bench-keys-", suffix=".txt") as file:
        file.write("\n".join(keys) + "\n")
        file.flush()
        yield Path(file.name)


def least_disturbed(rounds: Sequence[Sequence[Measurement]]) -> list[Measurement]:
    """Each request's best round. On a shared machine, neighbours only ever slow a run down,
    so the fastest round is the one closest to what the server can do."""
    return [max(same, key=lambda m: m.rps) for same in zip(*rounds, strict=True)]


def recheck_deep(
    run: Callable[[Target], Measurement], targets: dict[str, Target], ratio: float
) -> tuple[list[Measurement], list[float]]:
    """The gate's guard against noise: re-measure the pair (deep first) while it looks slow.

    A neighbour's burst of CPU slows one measurement; a deep page that really costs more
    than the first is slow every time.
    """
    rechecks: list[Measurement] = []
    ratios: list[float] = []
    while ratio < GATE_MIN_DEEP_VS_FIRST and len(ratios) < GATE_RECHECKS:
        deep, first = run(targets["deep"]), run(targets["first"])
        ratio = round(deep.rps / first.rps, 3) if first.rps else 0.0
        rechecks += [deep, first]
        ratios.append(ratio)
    return rechecks, ratios


def http_targets(port: int, prepared: Prepared, scale: Scale) -> dict[str, Target]:
    """The four requests under test; the deep cursor comes from walking the API itself."""
    key = prepared.keys[0]
    cursor = walk_cursor(port, key, prepared.deep_user, scale.deep_pages)
    deep = get_page(port, key, user_path(prepared.deep_user, cursor))
    if deep["data"][0]["id"] != prepared.deep_first_id:
        raise RuntimeError("the API's deep page is not the store's deep page")
    for name, path in (
        ("first", user_path(prepared.deep_user)),
        ("typical", user_path(prepared.typical_user)),
    ):
        if not get_page(port, key, path)["data"]:
            raise RuntimeError(f"the {name} page is empty")
    targets = [
        Target("health", "/health"),
        Target("first", user_path(prepared.deep_user)),
        Target("deep", user_path(prepared.deep_user, cursor)),
        Target("typical", user_path(prepared.typical_user)),
    ]
    session_id = deep["data"][0]["id"]
    for name, path in LIST_ROUTES.items():
        path = path.replace("{sessionId}", session_id)
        status, body = http_get(port, path, key)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        targets.append(Target(name, path))
    return {t.name: t for t in targets}


LIST_ROUTES: dict[str, str] = {
    "sessions": f"/v1/sessions?pageSize={PAGE_SIZE}",
    "bot_sessions": f"/v1/sessions?botOnly=true&pageSize={PAGE_SIZE}",
    "users": f"/v1/users?pageSize={PAGE_SIZE}",
    "courses": f"/v1/courses?pageSize={PAGE_SIZE}",
    "analytics": "/v1/analytics?period=30d&groupBy=day",
    "stats": "/v1/stats",
    "usage": "/v1/usage",
    "details": "/v1/sessions/{sessionId}/details",
    "events": "/v1/sessions/{sessionId}/events",
}
"""The other routes of the API, measured beside the user's pages (issue: within 2x)."""


def summarise(
    backend: Backend, scale: Scale, prepared: Prepared, measurements: list[Measurement]
) -> BackendResult:
    by_name = {m.name: m for m in measurements}
    health = by_name["health"].rps
    for m in measurements:
        m.vs_health = round(m.rps / health, 3) if health else 0.0
    first = by_name["first"].rps
    return BackendResult(
        backend=backend,
        sessions=scale.sessions,
        users=scale.users,
        deep_user_sessions=scale.deep_user_sessions,
        typical_user_sessions=prepared.typical_user_sessions,
        deep_page_offset=scale.deep_pages * PAGE_SIZE,
        load=prepared.load,
        store=prepared.store,
        measurements=measurements,
        deep_vs_first=round(by_name["deep"].rps / first, 3) if first else 0.0,
        list_vs_first={
            name: round(by_name[name].rps / first, 3) if first else 0.0
            for name in LIST_ROUTES
            if name in by_name
        },
    )


# --- Machine, report, gate -----------------------------------------------------------------


def machine(backends: Sequence[Backend], admin_url: str) -> Machine:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model")]
    model = next((m for m in models if not m.isdigit()), "?")
    meminfo = Path("/proc/meminfo").read_text().split()
    ram_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    version, pg_settings = "", dict[str, str]()
    if "postgres" in backends:
        version, pg_settings = postgres_facts(admin_url)
    wrk = shutil.which("wrk") or "wrk"
    wrk_banner = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    return Machine(
        cpus=os.cpu_count() or 0,
        cpu_model=model,
        ram_gib=round(ram_kib / 2**20, 1),
        kernel=platform.release(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=version,
        postgres_settings=pg_settings,
        wrk=(wrk_banner.stdout or wrk_banner.stderr).split(" [")[0].strip(),
        granian=metadata.version("granian"),
    )


def postgres_facts(admin_url: str) -> tuple[str, dict[str, str]]:
    """The server's version and the settings that shape these figures."""
    names = ["shared_buffers", "effective_cache_size", "work_mem", "random_page_cost", "jit"]
    sql = "SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name"
    rows = asyncio.run(admin_fetch(admin_url, sql, ["server_version", *names]))
    values = {str(r["name"]): str(r["value"]) for r in rows}
    return values.pop("server_version"), values


def gate_failures(results: Sequence[BackendResult]) -> list[str]:
    failures = []
    for result in results:
        best = max([result.deep_vs_first, *result.recheck_ratios])
        if best < GATE_MIN_DEEP_VS_FIRST:
            failures.append(
                f"{result.backend}: deep page at {best:.2f}× the first page's throughput"
                f" at best (minimum {GATE_MIN_DEEP_VS_FIRST})"
            )
        if result.store.deep_vs_first > GATE_MAX_DEEP_QUERY_RATIO:
            failures.append(
                f"{result.backend}: the deep page's query takes {result.store.deep_vs_first:.2f}×"
                f" the first page's (maximum {GATE_MAX_DEEP_QUERY_RATIO})"
            )
        failures.extend(
            f"{result.backend}: {m.failed} failed requests on {m.name}"
            for m in [*result.measurements, *result.rechecks]
            if m.failed
        )
    return failures


def markdown(report: Report) -> str:
    m = report.machine
    reference = " / ".join(f"{us:g}" for us in report.reference_us)
    lines = [
        f"{m.cpus} CPUs ({m.cpu_model}), {m.ram_gib} GiB; wrk -t1 -c{report.connections},"
        f" {report.duration_seconds} s per row after {report.warmup_seconds} s of warm-up"
        f" (best of {report.rounds});"
        f" pageSize {report.page_size}; reference loop {reference} µs",
        "",
        *request_table(report.backends),
        "",
        *backend_table(report.backends),
        "",
        *list_table(report.backends),
    ]
    for r in report.backends:
        lines += ["", f"{r.backend}, plan of the deep page:", ""]
        lines += [f"    {step}" for step in r.store.deep_page_plan]
    if report.mode == "gate":
        lines += ["", gate_line(report)]
    return "\n".join(lines)


def request_table(results: Sequence[BackendResult]) -> list[str]:
    lines = [
        "| Backend | Request | RPS | p50 ms | p99 ms | × /health | Failed | KB/resp"
        " | Server CPU µs/req | PG CPU µs/req | Others' CPU % |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for result in results:
        for m in result.measurements:
            db_cpu = "–" if m.db_cpu_us is None else f"{m.db_cpu_us:,.0f}"
            lines.append(
                f"| {result.backend} | {m.name} | {m.rps:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f}"
                f" | {m.vs_health:.2f} | {m.failed} | {m.response_bytes / 1024:.1f}"
                f" | {m.server_cpu_us:,.0f} | {db_cpu} | {m.other_cpu_pct:.0f} |"
            )
    return lines


def backend_table(results: Sequence[BackendResult]) -> list[str]:
    """Deep/first, loading, and the in-process medians of a request's steps."""
    lines = [
        "| Backend | Sessions | Load s (insert, analyze) | Rows/s | DB MiB | Deep/first RPS"
        " | Deep/first query | Key µs | Limit µs | First µs | Deep µs | Typical µs | Render µs |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        s, ld = r.store, r.load
        lines.append(
            f"| {r.backend} | {r.sessions:,}"
            f" | {ld.seconds:.1f} ({ld.insert_seconds:.1f}, {ld.analyze_seconds:.1f})"
            f" | {ld.rows_per_second:,.0f} | {ld.database_bytes / 2**20:,.0f}"
            f" | {r.deep_vs_first:.2f} | {s.deep_vs_first:.2f} | {s.resolve_key_us:,.0f}"
            f" | {s.rate_limit_us:,.0f}"
            f" | {s.first_page_us:,.0f} | {s.deep_page_us:,.0f} | {s.typical_page_us:,.0f}"
            f" | {s.render_page_us:,.0f} |"
        )
    return lines


def list_table(results: Sequence[BackendResult]) -> list[str]:
    """The other routes against the user's first page, and the roll-up rebuild they read."""
    names = list(LIST_ROUTES)
    lines = [
        "| Backend | Roll-up rebuild s | " + " | ".join(names) + " |",
        "|---|--:|" + "--:|" * len(names),
    ]
    for r in results:
        ratios = " | ".join(f"{r.list_vs_first.get(name, 0.0):.2f}" for name in names)
        lines.append(
            f"| {r.backend} (RPS / first page) | {r.load.rollups_seconds:.1f} | {ratios} |"
        )
    return lines


def gate_line(report: Report) -> str:
    rps = ", ".join(
        f"{r.backend} {' → '.join(f'{x:.2f}' for x in [r.deep_vs_first, *r.recheck_ratios])}"
        for r in report.backends
    )
    query = ", ".join(f"{r.backend} {r.store.deep_vs_first:.2f}" for r in report.backends)
    verdict = "FAILED" if report.gate_failures else "passed"
    return (
        f"Gate {verdict}: deep/first RPS {rps} (minimum {GATE_MIN_DEEP_VS_FIRST});"
        f" deep/first query time {query} (maximum {GATE_MAX_DEEP_QUERY_RATIO})."
    )


def write_json(report: Report) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = report.started_at.replace(":", "").replace("-", "")[:15]
    path = RESULTS_DIR / f"user_sessions-{report.mode}-{stamp}.json"
    path.write_bytes(msgspec.json.format(msgspec.json.encode(report), indent=2) + b"\n")
    return path


def reference_us() -> float:
    """Median microseconds of a fixed loop of integer arithmetic."""
    samples = []
    for _ in range(200):
        started = time.perf_counter_ns()
        sum(range(10_000))
        samples.append(time.perf_counter_ns() - started)
    return round(statistics.median(samples) / 1000, 1)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(sys.argv[1:] if argv is None else argv)
    if shutil.which("wrk") is None:
        log("wrk is not installed: apt-get install -y wrk")
        return 2
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results, reference = [], []
    for backend in options.backends:
        reference.append(reference_us())
        results.append(run_backend(backend, options))
    reference.append(reference_us())
    scale = options.scale
    report = Report(
        started_at=started,
        mode="gate" if options.gate else "full",
        command=list(sys.orig_argv),
        machine=machine(options.backends, options.admin_url),
        duration_seconds=scale.duration,
        warmup_seconds=scale.warmup,
        rounds=scale.rounds,
        connections=scale.connections,
        page_size=PAGE_SIZE,
        backends=results,
        reference_us=reference,
        gate_failures=gate_failures(results),
    )
    print(markdown(report))
    log(f"results written to {write_json(report)}")
    if options.gate and report.gate_failures:
        for failure in report.gate_failures:
            log(f"GATE FAILED: {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
