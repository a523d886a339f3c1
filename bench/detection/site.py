"""What the bot side of the bench runs on: a real `notai serve` and a quiz page with the pixel.

- `Collector` runs `notai serve` as a subprocess on a loopback port over a throwaway SQLite
  file, with one integration, and reads the sessions it scored back from that file.
- `QuizSite` serves the bench's LMS quiz page from another loopback origin, with the pixel's
  script tag in place and BotD (the npm package) loaded as a module in the same page; BotD's
  verdict is posted back to the site and kept per page view (`run` in the page's URL).

Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import msgspec

from notai.events import Message
from notai.settings import Settings
from notai.store.database import open_database
from notai.store.events import chunk_records
from notai.store.migrate import migrate
from notai.tenancy import service

T = TypeVar("T")
PAGE = Path(__file__).parent / "pages" / "quiz.html"
SECRET = "bench-detection-secret-" + "x" * 40
BOTD_VERSION = "2.0.0"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "notai-bench"
_messages = msgspec.msgpack.Decoder(Message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(probe: Callable[[], T | None], timeout: float = 20.0, every: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(every)


# --- the collector -------------------------------------------------------------------------------


@dataclass
class ScoredSession:
    """A session as the collector stored it: its score, flags, evidence and messages."""

    id: str
    page_url: str
    status: str
    bot_score: float
    flags: list[str]
    evidence: dict[str, dict[str, Any]]
    messages: list[Message]


@dataclass
class Collector:
    """`notai serve` on 127.0.0.1 over one SQLite file, with one integration."""

    database: Path
    port: int = field(default_factory=free_port)
    integration: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    def start(self) -> None:
        migrate(self.database_url)
        self.integration = asyncio.run(self._create_integration())
        env = {
            **os.environ,
            "NOTAI_DATABASE_URL": self.database_url,
            "NOTAI_SECRET": SECRET,
            "NOTAI_REGION": "us",
        }
        notai = Path(sys.executable).parent / "notai"
        self.process = subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
            [str(notai), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    async def _create_integration(self) -> str:
        db = await open_database(self.database_url)
        try:
            record = await service.create_integration(db, "Detection bench", "enterprise", "us")
        finally:
            await db.close()
        return record.id

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"notai serve exited with {self.process.returncode}")
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as response:  # noqa: S310
                return bool(response.status == 200)
        except OSError:
            return False

    def session_for(self, run: str) -> ScoredSession | None:
        """The closed session whose page URL carries `run`, once the pixel has closed it."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT id, page_url, status, bot_score, detection_flags, evidence FROM sessions"
                " WHERE integration_id = ? AND page_url LIKE ?",
                (self.integration, f"%run={run}%"),
            ).fetchone()
            if row is None:
                return None
            chunks = conn.execute(
                "SELECT body FROM event_chunks WHERE integration_id = ? AND session_id = ?"
                " ORDER BY last_seq",
                (self.integration, row[0]),
            ).fetchall()
        return ScoredSession(
            id=row[0],
            page_url=row[1],
            status=row[2],
            bot_score=row[3],
            flags=json.loads(row[4]),
            evidence=json.loads(row[5]),
            messages=[
                _messages.decode(record.payload)
                for (body,) in chunks
                for record in chunk_records(body)
            ],
        )


def bench_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, region="us", secret=SECRET)


# --- BotD ----------------------------------------------------------------------------------------


def botd_module() -> bytes | None:
    """BotD's ES module from the npm package (fetched once with `npm pack`), or None."""
    target = CACHE / f"botd-{BOTD_VERSION}.esm.js"
    if target.exists():
        return target.read_bytes()
    npm = shutil.which("npm")
    if npm is None:
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [npm, "pack", f"@fingerprintjs/botd@{BOTD_VERSION}", "--silent"],
        cwd=CACHE,
        capture_output=True,
        check=False,
        timeout=120,
    )
    tarball = CACHE / f"fingerprintjs-botd-{BOTD_VERSION}.tgz"
    if done.returncode != 0 or not tarball.exists():
        return None
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/dist/botd.esm.js")
        if member is None:
            return None
        target.write_bytes(member.read())
    return target.read_bytes()


BOTD_TAG = """<script type="module">
  import { load } from '/botd.esm.js';
  const run = new URLSearchParams(location.search).get('run');
  const report = (verdict) =>
    fetch('/botd?run=' + run, { method: 'POST', body: JSON.stringify(verdict) });
  load({ monitoring: false })
    .then((d) => d.detect())
    .then(report, (e) => report({ error: String(e) }));
</script>"""


# --- the quiz page -------------------------------------------------------------------------------

CHOICES = (
    ("Which organelle makes most of a cell's ATP?", ("Mitochondrion", "Ribosome", "Golgi body")),
    ("What does the cell membrane mostly consist of?", ("Phospholipids", "Cellulose", "Starch")),
    ("Where is DNA found in a eukaryotic cell?", ("Nucleus", "Cell wall", "Vacuole")),
    ("Which structure builds proteins?", ("Ribosome", "Lysosome", "Centriole")),
    ("What do plant cells have that animal cells lack?", ("Cell wall", "Nucleus", "Ribosomes")),
    ("Which process copies DNA before division?", ("Replication", "Translation", "Osmosis")),
)
SHORT = (
    ("short_1", "Name the process by which plants turn light into chemical energy."),
    ("short_2", "Name the molecule that carries genetic information."),
)
ESSAY = ("essay", "In two or three sentences, explain why cells divide.")


def questions_html() -> str:
    parts = []
    for number, (text, options) in enumerate(CHOICES, start=1):
        labels = "".join(
            f'<label><input type="radio" name="mc_{number}" id="mc_{number}_{i}" value="{i}">'
            f" {option}</label>"
            for i, option in enumerate(options)
        )
        parts.append(
            f'<div class="question" id="q{number}"><p>{number}. {text}</p>'
            f'<div class="answers">{labels}</div></div>'
        )
    for name, text in SHORT:
        parts.append(
            f'<div class="question"><p>{text}</p>'
            f'<input type="text" name="{name}" id="{name}" autocomplete="off"></div>'
        )
    parts.append(
        f'<div class="question"><p>{ESSAY[1]}</p>'
        f'<textarea name="{ESSAY[0]}" id="{ESSAY[0]}"></textarea></div>'
    )
    return "\n".join(parts)


class QuizSite:
    """Serves the quiz at `http://localhost:PORT/courses/404/quizzes/4/take?run=ID`."""

    def __init__(self, collector: Collector) -> None:
        self.port = free_port()
        self.botd = botd_module()
        self.verdicts: dict[str, dict[str, Any]] = {}
        pixel = (
            f'<script src="{collector.url}/api.js" data-key="{collector.integration}" async>'
            "</script>"
        )
        template = PAGE.read_text().replace("{{PIXEL}}", pixel)
        template = template.replace("{{QUESTIONS}}", questions_html())
        self.page = template.replace("{{BOTD}}", BOTD_TAG if self.botd else "")
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, run: str, user_id: str) -> str:
        return f"http://localhost:{self.port}/courses/404/quizzes/4/take?run={run}&u={user_id}"

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/botd.esm.js" and site.botd:
                    self._send(site.botd, "text/javascript")
                elif parts.path.startswith("/courses/404/quizzes/4/take"):
                    user = parse_qs(parts.query).get("u", ["0"])[0]
                    self._send(site.page.replace("{{USER_ID}}", user).encode(), "text/html")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                run = parse_qs(parts.query).get("run", [""])[0]
                if parts.path == "/botd" and run:
                    site.verdicts[run] = json.loads(body or b"{}")
                self._send(b"{}", "application/json")

            def _send(self, data: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("content-type", f"{kind}; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.send_header("cache-control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def __enter__(self) -> QuizSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
