"""Rate limits per key and tier, and API-call metering, on both backends and across workers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import asyncpg
import pytest
from starlette.testclient import TestClient

from notai.api.ratelimit import MemoryRateLimiter, PostgresRateLimiter, rate_limiter_for
from notai.app import create_app
from notai.store.database import open_database
from notai.tenancy import service

from conftest import TEST_SECRET, Harness, make_settings

# Far ahead of the real clock: sweeps run by other tests' apps never touch these windows.
T0 = 4_000_000_000.0
MIDNIGHT = 4_000_060_800.0  # 2096-10-03T00:00:00Z, the first UTC midnight after T0
NOTAI = str(Path(sys.executable).with_name("notai"))


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clocked(database_url: str, clock: FakeClock) -> Iterator[Harness]:
    """The app on each backend, with rate limits and metering reading `clock`."""
    settings = make_settings(database_url)
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Harness(client, settings)


def assert_rate_limited(response: object, retry_after: int | None = None) -> None:
    assert getattr(response, "status_code", None) == 429
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "RATE_LIMITED"
    assert set(body["error"]) == {"code", "message", "details"}
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["x-isnotai-tier"]
    seconds = int(headers["retry-after"])
    assert 1 <= seconds <= 60
    assert body["error"]["details"]["retryAfterSeconds"] == seconds
    if retry_after is not None:
        assert seconds == retry_after


def statuses(harness: Harness, key: str, count: int) -> list[int]:
    return [harness.get("/v1/integration", key).status_code for _ in range(count)]


def test_the_61st_request_of_a_free_key_in_a_minute_is_429(harness: Harness) -> None:
    key = harness.key(harness.integration("free"))

    assert statuses(harness, key, 60) == [200] * 60
    refused = harness.get("/v1/integration", key)

    assert_rate_limited(refused)
    assert refused.headers["x-isnotai-tier"] == "free"
    assert refused.json()["error"]["details"]["requestsPerMinute"] == 60
    assert harness.get("/v1/sessions/anything", key).status_code == 429


def test_each_tier_has_its_own_limit(clocked: Harness) -> None:
    key = clocked.key(clocked.integration("pro"))

    assert statuses(clocked, key, 600) == [200] * 600
    assert_rate_limited(clocked.get("/v1/integration", key), retry_after=60)


def test_the_window_slides_as_old_requests_leave(clocked: Harness, clock: FakeClock) -> None:
    key = clocked.key(clocked.integration("free"))
    for second in range(60):
        clock.now = T0 + second
        assert clocked.get("/v1/integration", key).status_code == 200, second

    clock.now = T0 + 59.5
    assert_rate_limited(clocked.get("/v1/integration", key), retry_after=1)
    for second in range(60, 63):
        clock.now = T0 + second
        assert clocked.get("/v1/integration", key).status_code == 200, second
        assert_rate_limited(clocked.get("/v1/integration", key), retry_after=1)


def test_a_burst_waits_out_the_whole_window(clocked: Harness, clock: FakeClock) -> None:
    key = clocked.key(clocked.integration("free"))
    clock.now = T0 + 0.25
    assert statuses(clocked, key, 60) == [200] * 60

    clock.now = T0 + 20.5
    assert_rate_limited(clocked.get("/v1/integration", key), retry_after=40)
    clock.now = T0 + 59.99
    assert_rate_limited(clocked.get("/v1/integration", key), retry_after=1)
    clock.now = T0 + 60
    assert statuses(clocked, key, 61) == [200] * 60 + [429]


def test_keys_are_counted_separately(clocked: Harness) -> None:
    integration = clocked.integration("free")
    busy, other_key = clocked.key(integration), clocked.key(integration)
    other_integration = clocked.key(clocked.integration("free"))

    statuses(clocked, busy, 60)

    assert_rate_limited(clocked.get("/v1/integration", busy))
    assert clocked.get("/v1/integration", other_key).status_code == 200
    assert clocked.get("/v1/integration", other_integration).status_code == 200


def test_a_refused_key_is_not_told_apart_from_a_bad_one(clocked: Harness) -> None:
    """Rate limiting starts after the key resolved: an unknown key is still 401, no tier."""
    unknown = "aik_v1_" + "C" * 40
    for _ in range(70):
        response = clocked.get("/v1/integration", unknown)
        assert response.status_code == 401
        assert "x-isnotai-tier" not in response.headers


def test_concurrent_requests_of_one_key_are_admitted_exactly_to_the_limit(
    harness: Harness,
) -> None:
    limiter = rate_limiter_for(harness.db, FakeClock())

    async def burst() -> int:
        decisions = await asyncio.gather(*(limiter.admit("abcdefgh", "k1", 60) for _ in range(150)))
        return sum(decision.admitted for decision in decisions)

    assert harness.run(burst) == 60


def test_emptied_windows_are_swept(harness: Harness) -> None:
    clock = FakeClock()
    limiter = rate_limiter_for(harness.db, clock)

    async def hits_then_sweep(at: float) -> int:
        clock.now = T0
        await limiter.admit("sweep001", "early", 60)
        clock.now = T0 + 30
        await limiter.admit("sweep001", "later", 60)
        clock.now = at
        await limiter.sweep()
        return await windows_left(limiter)

    assert harness.run(hits_then_sweep, T0 + 60) == 1
    assert harness.run(hits_then_sweep, T0 + 90) == 0


async def windows_left(limiter: object) -> int:
    if isinstance(limiter, MemoryRateLimiter):
        return len(limiter)
    assert isinstance(limiter, PostgresRateLimiter)
    async with limiter._db.connection() as conn:
        count: int = await conn.fetchval(
            "SELECT COUNT(DISTINCT key_id) FROM rate_limits WHERE integration_id = 'sweep001'"
        )
    return count


# --- metering --------------------------------------------------------------------------------


async def api_calls(database_url: str, integration_id: str) -> dict[str, int]:
    db = await open_database(database_url)
    try:
        async with db.connection() as conn:
            rows = await conn.fetch(
                "SELECT day, value FROM usage_daily"
                " WHERE integration_id = $1 AND metric = 'ApiCalls' ORDER BY day",
                integration_id,
            )
    finally:
        await db.close()
    return {row["day"]: int(row["value"]) for row in rows}


def test_api_calls_are_metered_per_day_after_a_flush(clocked: Harness, clock: FakeClock) -> None:
    integration = clocked.integration("free")
    key = clocked.key(integration)
    clock.now = MIDNIGHT - 1
    statuses(clocked, key, 3)
    clock.now += 1
    statuses(clocked, key, 64)  # 60 answered and 4 refused: all are calls
    clocked.get("/v1/integration", "aik_v1_" + "D" * 40)  # no key resolved: not metered

    services = clocked.client.app.state.services  # type: ignore[attr-defined]
    clocked.run(services.meter.flush)

    assert clocked.run(api_calls, clocked.settings.database_url, integration) == {
        "2096-10-02": 3,
        "2096-10-03": 64,
    }


def test_pending_calls_are_written_at_shutdown(database_url: str) -> None:
    settings = make_settings(database_url)
    with TestClient(create_app(settings)) as client:
        harness = Harness(client, settings)
        integration = harness.integration("pro")
        key = harness.key(integration)
        statuses(harness, key, 25)

    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert asyncio.run(api_calls(database_url, integration)) == {today: 25}


# --- two worker processes on PostgreSQL --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def call(port: int, key: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/integration", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local test server)
            return response.status, lowercase(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, lowercase(error.headers.items())


def lowercase(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "notai serve exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"notai serve did not answer on port {port}")


@pytest.fixture
def two_servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """Two `notai serve` processes on two ports, over one PostgreSQL database."""
    environ = {**os.environ, "NOTAI_DATABASE_URL": postgres_url, "NOTAI_SECRET": TEST_SECRET}
    ports = (free_port(), free_port())
    with contextlib.ExitStack() as stack:
        servers = [serve(stack, environ, port, tmp_path) for port in ports]
        for port, server in zip(ports, servers, strict=True):
            wait_until_serving(port, server)
        yield ports


def serve(
    stack: contextlib.ExitStack, environ: dict[str, str], port: int, logs: Path
) -> subprocess.Popen[bytes]:
    """Start `notai serve`; the stack stops it (SIGTERM, then SIGKILL) and closes its log."""
    log = stack.enter_context((logs / f"serve-{port}.log").open("wb"))
    server = subprocess.Popen(  # noqa: S603 (our own entry point, fixed arguments)
        [NOTAI, "serve", "--port", str(port)], env=environ, stdout=log, stderr=log
    )
    stack.callback(stop, server)
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def free_key(database_url: str) -> tuple[str, str]:
    settings = make_settings(database_url)
    db = await open_database(database_url)
    try:
        integration = await service.create_integration(db, "Two workers", "free", "us")
        return integration.id, (await service.create_key(db, settings, integration.id)).key
    finally:
        await db.close()


@pytest.mark.postgres
def test_two_worker_processes_share_one_window(
    postgres_url: str, two_servers: tuple[int, int]
) -> None:
    _, key = asyncio.run(free_key(postgres_url))
    first, second = two_servers

    answers = [call(first if i % 2 else second, key) for i in range(60)]
    refused = [call(first, key), call(second, key)]

    assert [status for status, _ in answers] == [200] * 60
    for status, headers in refused:
        assert status == 429
        assert 1 <= int(headers["retry-after"]) <= 60
        assert headers["x-isnotai-tier"] == "free"


@pytest.mark.postgres
def test_two_worker_processes_meter_every_call(
    postgres_url: str, two_servers: tuple[int, int]
) -> None:
    integration, key = asyncio.run(free_key(postgres_url))
    for i in range(10):
        call(two_servers[i % 2], key)

    deadline = time.monotonic() + 10
    while sum(asyncio.run(api_calls(postgres_url, integration)).values()) < 10:
        assert time.monotonic() < deadline, "the servers did not flush their meters"
        time.sleep(0.1)
    assert sum(asyncio.run(api_calls(postgres_url, integration)).values()) == 10


def test_rate_limits_table_is_unlogged_on_postgres(postgres_url: str) -> None:
    async def persistence() -> str:
        connection = await asyncpg.connect(postgres_url)
        try:
            value: str = await connection.fetchval(
                "SELECT relpersistence::text FROM pg_class WHERE relname = 'rate_limits'"
            )
        finally:
            await connection.close()
        return value

    assert asyncio.run(persistence()) == "u"
