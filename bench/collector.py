"""Benchmark of the collector: events per second per core from many concurrent WebSocket pixels.

Starts `notai serve` (one Granian worker) as a subprocess on a fresh database, opens many
WebSocket connections from this process, and has each play a pixel: HELLO, then frames of
messages (pointer trails, clicks, key timings, scrolls, inputs, focus changes), each sent once
the previous one is acknowledged, as a pixel's flushes would be. Scoring runs on every frame,
as in production.

The figure that matters is events stored per second of the server's CPU time (all its
processes), that is, per core: the load generator runs on the other core, so wall-clock rates
depend on the generator as much as on the server. At the end every acknowledged event must be
in the database: a lost event, or any error, fails the run (`--gate` runs a small fixed load
for CI and fails only on those).

    .venv/bin/python bench/collector.py --backend both
    .venv/bin/python bench/collector.py --gate

Figures are printed as a Markdown table and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import platform
import secrets
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import asyncpg
import httpx2 as httpx

from notai.collect import binary
from notai.events import (
    Environment,
    Focus,
    Init,
    Input,
    Keypress,
    KeySample,
    LmsContext,
    Message,
    MouseClick,
    MouseMove,
    Scroll,
)
from notai.store.database import open_database
from notai.store.migrate import migrate
from notai.tenancy import service

Backend = Literal["sqlite", "postgres"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
NOTAI = Path(sys.executable).parent / "notai"
ADMIN_URL = os.environ.get("NOTAI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-" + secrets.token_urlsafe(32)
T0 = 1_780_000_000_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Load:
    connections: int
    frames: int
    """Frames per connection."""
    messages: int
    """Messages per frame."""

    @property
    def events(self) -> int:
        return self.connections * self.frames * self.messages


FULL = Load(connections=200, frames=60, messages=50)
GATE = Load(connections=50, frames=10, messages=40)


@dataclass
class Result:
    backend: Backend
    connections: int
    frames_per_connection: int
    messages_per_frame: int
    events_acknowledged: int
    events_stored: int
    wall_seconds: float
    server_cpu_seconds: float
    database_cpu_seconds: float
    """PostgreSQL's own processes serving the run (0 for SQLite, which runs in the server)."""
    events_per_second: float
    events_per_cpu_second: float
    """Events over server and database CPU seconds: events per second per core."""
    errors: int


# --- pixels --------------------------------------------------------------------------------


def pixel_frames(session: int, load: Load) -> list[bytes]:
    """One pixel's frames, encoded before the clock starts."""
    seq = 0
    frames = []
    for number in range(1, load.frames + 1):
        messages: list[Message] = []
        if number == 1:
            messages.append(_init(session))
            seq = 1
        while len(messages) < load.messages:
            messages.append(_message(seq, T0 + session * 7 + seq * 40))
            seq += 1
        frames.append(binary.events_frame(number, messages))
    return frames


def _init(session: int) -> Init:
    user = str(1000 + session % 400)
    return Init(
        seq=0,
        t=T0 + session * 7,
        url="https://canvas.example.edu/courses/101/quizzes/7/take",
        title="Quiz 7",
        env=Environment(userAgent="Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0"),
        lms=LmsContext(provider="canvas", userId=user, userName=f"Student {user}", courseId="101"),
    )


def _message(seq: int, t: int) -> Message:
    """A mix like a busy page: mostly pointer trails, then keys, clicks, scrolls, inputs."""
    kind = seq % 10
    if kind < 4:
        return MouseMove(
            seq=seq,
            t=t,
            samples=[(i * 16, 300 + i * 5, 200 + i * 3) for i in range(12)],
            coalesced=30,
        )
    if kind < 6:
        keys: list[KeySample] = [(i * 160, i * 160 + 85, "letter") for i in range(8)]
        return Keypress(seq=seq, t=t, keys=keys)
    if kind == 6:
        return MouseClick(seq=seq, t=t, phase="click", x=340, y=230)
    if kind == 7:
        return Scroll(seq=seq, t=t, samples=[(i * 30, 0, 40 * i) for i in range(6)])
    if kind == 8:
        return Input(seq=seq, t=t, field="answer", inputType="insertText", delta=1, length=seq)
    return Focus(seq=seq, t=t, kind="focus", field="answer")


class Pixel:
    """A minimal WebSocket client (RFC 6455) speaking the collector's binary frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int) -> Pixel:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        writer.write(
            (
                f"GET /collect/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status = await reader.readuntil(b"\r\n\r\n")
        if not status.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"no WebSocket upgrade: {status[:40]!r}")
        return cls(reader, writer)

    def send(self, payload: bytes) -> None:
        # Clients must mask; an all-zero mask key is a valid key and leaves the bytes as they are.
        size = len(payload)
        if size < 126:
            head = struct.pack(">BB", 0x82, 0x80 | size)
        elif size < 65536:
            head = struct.pack(">BBH", 0x82, 0x80 | 126, size)
        else:
            head = struct.pack(">BBQ", 0x82, 0x80 | 127, size)
        self.writer.write(head + b"\x00\x00\x00\x00" + payload)

    async def receive(self) -> binary.ServerFrame:
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack(">H", await self.reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack(">Q", await self.reader.readexactly(8))
        payload = await self.reader.readexactly(size)
        if first & 0x0F == 0x08:
            raise RuntimeError(f"closed by the collector: {payload[2:]!r}")
        return binary.decode_server_frame(payload)

    async def close(self) -> None:
        self.writer.write(struct.pack(">BBH", 0x88, 0x82, 0) + struct.pack(">H", 1000))
        self.writer.close()


async def play(port: int, integration: str, session: str, frames: list[bytes]) -> tuple[int, int]:
    """Send one pixel's frames; return (events acknowledged, errors)."""
    pixel = await Pixel.connect(port)
    pixel.send(binary.hello_frame(integration, session))
    welcome = await pixel.receive()
    if welcome.kind != binary.FrameKind.WELCOME:
        raise RuntimeError(f"refused: {welcome.body}")
    acknowledged = errors = 0
    for number, frame in enumerate(frames, start=1):
        pixel.send(frame)
        answer = await pixel.receive()
        if answer.kind != binary.FrameKind.ACK or answer.number != number:
            errors += 1
            continue
        ranges = answer.body["seqs"]
        assert isinstance(ranges, list)
        acknowledged += sum(last - first + 1 for first, last in ranges)
    await pixel.close()
    return acknowledged, errors


# --- the server ----------------------------------------------------------------------------


@contextmanager
def serving(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "NOTAI_DATABASE_URL": database_url, "NOTAI_SECRET": SECRET}
    process = subprocess.Popen(  # noqa: S603 (our own command line, fixed arguments)
        [str(NOTAI), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("notai serve did not start")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def process_tree_cpu(pid: int) -> float:
    """User and system CPU seconds of a process and all its descendants, now."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def new_integration(database_url: str) -> str:
    db = await open_database(database_url)
    try:
        return (await service.create_integration(db, "Bench U", "enterprise", "us")).id
    finally:
        await db.close()


async def database_backends_cpu(backend: Backend, database_url: str) -> float:
    if backend == "sqlite":
        return 0.0
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database_url.rsplit("/", 1)[1],
        )
    finally:
        await connection.close()
    return sum(process_tree_cpu(row["pid"]) for row in rows)


async def stored_events(database_url: str, integration: str) -> int:
    db = await open_database(database_url)
    try:
        async with db.connection() as conn:
            count = await conn.fetchval(
                "SELECT COALESCE(SUM(event_count), 0) FROM event_chunks WHERE integration_id = $1",
                integration,
            )
            return int(count)
    finally:
        await db.close()


# --- one run -------------------------------------------------------------------------------


async def drive(port: int, integration: str, load: Load) -> tuple[int, int, float]:
    plans = [
        (f"bench{index:06d}{secrets.token_hex(4)}", pixel_frames(index, load))
        for index in range(load.connections)
    ]
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(play(port, integration, session, frames) for session, frames in plans)
    )
    wall = time.perf_counter() - started
    return sum(a for a, _ in outcomes), sum(e for _, e in outcomes), wall


def run(backend: Backend, database_url: str, load: Load) -> Result:
    migrate(database_url)
    integration = asyncio.run(new_integration(database_url))
    port = free_port()
    with serving(database_url, port) as server:
        cpu_before = process_tree_cpu(server.pid)
        acknowledged, errors, wall = asyncio.run(drive(port, integration, load))
        cpu = process_tree_cpu(server.pid) - cpu_before
        # The pool's connections were opened for this run: their whole CPU time is the run's.
        database_cpu = asyncio.run(database_backends_cpu(backend, database_url))
    stored = asyncio.run(stored_events(database_url, integration))
    return Result(
        backend=backend,
        connections=load.connections,
        frames_per_connection=load.frames,
        messages_per_frame=load.messages,
        events_acknowledged=acknowledged,
        events_stored=stored,
        wall_seconds=round(wall, 3),
        server_cpu_seconds=round(cpu, 3),
        database_cpu_seconds=round(database_cpu, 3),
        events_per_second=round(stored / wall),
        events_per_cpu_second=round(stored / (cpu + database_cpu)) if cpu else 0,
        errors=errors,
    )


@contextmanager
def database(backend: Backend) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="notai-bench-") as folder:
            yield f"sqlite:///{folder}/collector.db"
        return
    name = f"notai_bench_collector_{secrets.token_hex(3)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


# --- reporting -----------------------------------------------------------------------------


def table(results: Sequence[Result]) -> str:
    lines = [
        "| backend | pixels | events | wall s | server CPU s | database CPU s | events/s"
        " | events/s per core |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.backend} | {r.connections} | {r.events_stored:,} | {r.wall_seconds} | "
        f"{r.server_cpu_seconds} | {r.database_cpu_seconds} | {r.events_per_second:,} | "
        f"{r.events_per_cpu_second:,} |"
        for r in results
    ]
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": _cpu_model(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def save(results: Sequence[Result], mode: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"collector-{mode}-{stamp}.json"
    body = {"machine": machine(), "results": [asdict(r) for r in results]}
    path.write_text(json.dumps(body, indent=2) + "\n")
    return path


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--gate", action="store_true", help="Small fixed load for CI.")
    parser.add_argument("--connections", type=int, default=FULL.connections)
    parser.add_argument("--frames", type=int, default=FULL.frames)
    parser.add_argument("--messages", type=int, default=FULL.messages)
    options = parser.parse_args(argv)
    load = GATE if options.gate else Load(options.connections, options.frames, options.messages)
    backends = BACKENDS if options.backend == "both" else (options.backend,)
    results = []
    for backend in backends:
        with database(backend) as url:
            results.append(run(backend, url, load))
    print(table(results))
    print(f"results: {save(results, 'gate' if options.gate else 'full')}")
    failed = [
        r
        for r in results
        if r.errors or r.events_acknowledged != load.events or r.events_stored != load.events
    ]
    for r in failed:
        print(
            f"FAILED on {r.backend}: {r.errors} errors, {r.events_acknowledged} acknowledged, "
            f"{r.events_stored} stored, {load.events} sent",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
