"""What the end-to-end tests run on: a real `notai serve`, LMS pages, Debian's Chromium.

- `NotaiServer` runs `notai serve` (Granian) as a subprocess on a free loopback port over a
  fresh SQLite file, and can be killed and started again on the same port and file.
- `LmsPages` serves the sample LMS pages of `tests/e2e/pages/` at the URLs the real LMSs use,
  from another loopback origin, with the pixel's script tag filled in.
- The fixtures launch Chromium through Playwright with the flags this machine needs.

Test modules import the fixtures they use from here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.server
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
import msgspec
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from notai.store.database import open_database
from notai.store.events import chunk_records
from notai.store.migrate import migrate
from notai.tenancy import service

T = TypeVar("T")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = Path(__file__).parent / "pages"
SECRET = "e2e-secret-" + "x" * 40
PERSON_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
PERSON_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
"""A person's window sits on a screen larger than its page. Without it Playwright reports the
viewport as the whole screen, which the detector reads as an emulated screen. (Typed as a
viewport: Playwright's `ScreenSize` has the same shape and is not exported.)"""
PERSON_WINDOW_ARGS = ["--window-size=1500,950", "--screen-info={1920x1080}"]
"""A headless window the size of a person's on a person's screen. Its contexts set no
viewport (`no_viewport`), so the window keeps room around its page for tabs and an address
bar, as a person's does; a page sized by Playwright fills its headless window exactly, which
the detector reads as a frameless window."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(probe: Callable[[], T | None], timeout: float = 15.0, every: float = 0.1) -> T:
    """The first truthy value of `probe`, or an AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


# --- the collector -------------------------------------------------------------------------


@dataclass
class NotaiServer:
    """`notai serve` on 127.0.0.1:port over one SQLite file."""

    database: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    def prepare(self) -> None:
        _off_the_test_thread(migrate, self.database_url)

    def tenant(self) -> Tenant:
        """A new integration with an API key: each test sees only its own sessions."""
        integration, key = _off_the_test_thread(
            asyncio.run, _integration_and_key(self.database_url)
        )
        return Tenant(self, integration, key)

    def start(self) -> None:
        env = {
            **os.environ,
            "NOTAI_DATABASE_URL": self.database_url,
            "NOTAI_SECRET": SECRET,
            "NOTAI_REGION": "us",
        }
        notai = Path(sys.executable).parent / "notai"
        self.process = subprocess.Popen(  # noqa: S603 (our own command line, fixed arguments)
            [str(notai), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: `kill` reaches Granian's workers
        )
        wait_until(self._answers, timeout=30)

    def kill(self) -> None:
        """Stop the server at once, as a crash or a lost network would: no goodbye to anyone."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"notai serve exited with {self.process.returncode}")
        try:
            return httpx.get(self.url + "/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def database_bytes(self) -> bytes:
        """Every byte the database keeps on disk: the file, its write-ahead log and index."""
        parts = [self.database, *(Path(f"{self.database}-{end}") for end in ("wal", "shm"))]
        return b"".join(part.read_bytes() for part in parts if part.exists())

    def events(self, session_id: str) -> list[tuple[int, int, dict[str, Any]]]:
        """(seq, type byte, payload) of a session's stored messages, read from the file."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as conn:
            bodies = conn.execute(
                "SELECT body FROM event_chunks WHERE session_id = ? ORDER BY last_seq",
                (session_id,),
            ).fetchall()
        found: list[tuple[int, int, dict[str, Any]]] = []
        for (body,) in bodies:
            found += [
                (r.seq, r.type, msgspec.msgpack.decode(r.payload)) for r in chunk_records(body)
            ]
        return found


@dataclass
class Tenant:
    """One integration on a running server: its data-key and an API key to read it back."""

    server: NotaiServer
    integration: str
    key: str

    def api(self, path: str, **params: str | int) -> Any:
        response = httpx.get(
            self.server.url + path,
            params=params,
            headers={"Authorization": f"Bearer {self.key}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def sessions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api("/v1/sessions", pageSize=50)["data"]
        return found

    def one_session(self) -> dict[str, Any]:
        """The integration's only session, once it exists."""
        sessions = wait_until(self.sessions)
        assert len(sessions) == 1, sessions
        return sessions[0]

    def events(self, session_id: str) -> list[tuple[int, int, dict[str, Any]]]:
        return self.server.events(session_id)

    def messages(self, session_id: str, kind: str) -> list[dict[str, Any]]:
        return [payload for _, _, payload in self.events(session_id) if payload["type"] == kind]


def _off_the_test_thread(work: Callable[..., T], *args: Any) -> T:
    """Run `work` on a thread of its own: Playwright's sync API holds this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work, *args).result()


async def _integration_and_key(database_url: str) -> tuple[str, str]:
    db = await open_database(database_url)
    try:
        integration = await service.create_integration(db, "E2E school", "pro", "us")
        settings = _settings(database_url)
        key = await service.create_key(db, settings, integration.id)
    finally:
        await db.close()
    return integration.id, key.key


def _settings(database_url: str) -> Any:
    from notai.settings import Settings

    return Settings(database_url=database_url, region="us", secret=SECRET)


# --- the LMS pages -------------------------------------------------------------------------

ROUTES: dict[str, str] = {
    "/courses/101/quizzes/7/take": "canvas_quiz.html",
    "/mod/quiz/attempt.php": "moodle_quiz.html",
    "/ultra/courses/_4521_1/outline": "blackboard_ultra.html",
    "/webapps/blackboard/content/listContent.jsp": "blackboard_original.html",
    "/d2l/le/content/123456/viewContent/98765/View": "d2l_content.html",
    "/course/7654321/materials": "schoology_course.html",
    "/portal/site/BIO-101-F26/tool/7e3a1c2d-quiz": "sakai_site.html",
    "/login": "login.html",
    "/hostile": "hostile.html",
    "/essay": "plain_essay.html",
    "/choices": "choices.html",
}


class LmsPages:
    """Serves the sample pages on `http://localhost:PORT` with the pixel's tag in place.

    Each page has `{{PIXEL}}` where the LMS admin pasted the script tag; `pixel_tag` is what
    goes there (tests change it to try other attributes).
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.pixel_tag = ""
        pages = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                name = ROUTES.get(path) or ROUTES.get(path.split("#", 1)[0])
                for app in ("/essay", "/hostile"):
                    if name is None and path.startswith(app + "/"):
                        name = ROUTES[app]  # in-page routes of a single-page app
                if name is None:
                    self.send_error(404)
                    return
                template = (PAGES / name).read_text()
                body = template.replace("{{PIXEL}}", pages.pixel_tag).replace(
                    "{{ORIGIN}}", pages.origin
                )
                data = body.encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def use_pixel(self, tenant: Tenant, **attributes: str) -> None:
        extra = "".join(f' data-{name}="{value}"' for name, value in attributes.items())
        self.pixel_tag = (
            f'<script src="{tenant.server.url}/api.js" data-key="{tenant.integration}"{extra}'
            " async></script>"
        )

    def __enter__(self) -> LmsPages:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium: run scripts/ensure-chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def automated_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium as Playwright launches it: it says it is automated (navigator.webdriver)."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def person_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium that looks like a person's: no automation flag, a plain Chrome user agent.

    The tests drive it like a person would (curved paths, reaction times, typing rhythm), so
    what it must not show is the automation itself: navigator.webdriver and the headless mark.
    """
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            *PERSON_WINDOW_ARGS,
            "--disable-blink-features=AutomationControlled",
        ],
        ignore_default_args=["--enable-automation"],
    )
    yield browser
    browser.close()


def person_context(browser: Browser) -> BrowserContext:
    """A context of `person_browser` as a person's browser has it: its own window's size."""
    return browser.new_context(user_agent=PERSON_USER_AGENT, no_viewport=True)


@pytest.fixture(scope="module")
def lms_pages() -> Iterator[LmsPages]:
    with LmsPages() as pages:
        yield pages


def running_server(directory: Path) -> Iterator[NotaiServer]:
    server = NotaiServer(database=directory / "notai.db")
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def notai_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotaiServer]:
    """One server for a module's tests; each test takes its own integration (`tenant`)."""
    yield from running_server(tmp_path_factory.mktemp("notai"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[NotaiServer]:
    """A server and database for one test alone (to kill it, or to scan its every byte)."""
    yield from running_server(tmp_path)
