"""The dashboard in a real browser, against a real `notai serve`.

An agent (Playwright's own Chromium, which says it is automated) answers a Canvas quiz with
the pixel on it; a person then signs in to the dashboard, mints an API key and uses it,
opens the agent's session and finds its flags on the timeline, and revokes the key. Every
page is loaded with the network closed to anything but the server (no CDN), on a desktop
and on a phone. The screenshots in docs/screenshots/ are taken here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FloatRect,
    Page,
    Route,
    ViewportSize,
    expect,
)

from e2e.support import (
    SECRET,
    LmsPages,
    NotaiServer,
    Tenant,
    automated_browser,
    lms_pages,
    playwright,
    running_server,
    wait_until,
)

__all__ = ["automated_browser", "lms_pages", "playwright"]

QUIZ = "/courses/101/quizzes/7/take"
EMAIL = "reviewer@example.edu"
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


def notai(server: NotaiServer, *args: str, stdin: str = "") -> str:
    """Run the `notai` command line against the server's database."""
    env = {**os.environ, "NOTAI_DATABASE_URL": server.database_url, "NOTAI_SECRET": SECRET}
    command = [str(Path(sys.executable).parent / "notai"), *args]
    done = subprocess.run(  # noqa: S603 (our own command line, fixed arguments)
        command, input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotaiServer]:
    yield from running_server(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def tenant(server: NotaiServer) -> Tenant:
    """An integration with demo sessions and a dashboard account made by the command line."""
    tenant = server.tenant()
    notai(server, "demo", "--integration", tenant.integration, "--users", "12", "--sessions", "40")
    notai(
        server,
        "users",
        "create-admin",
        "--integration",
        tenant.integration,
        "--email",
        EMAIL,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    return tenant


def agent_session(tenant: Tenant, lms_pages: LmsPages, browser: Browser) -> str:
    """The id of the session an automated browser makes answering the quiz."""
    lms_pages.use_pixel(tenant)
    page = browser.new_page()
    page.goto(lms_pages.url(QUIZ))
    page.click("#question_3101_answer_4101")
    page.fill("#question_3102_input", "chain rule")
    page.click("#submit_quiz_button")
    page.goto("about:blank")
    page.close()

    def flagged() -> str | None:
        sessions = tenant.api("/v1/users/8812/sessions")["data"]
        found = [s for s in sessions if "webdriver" in s["detectionFlags"]]
        return str(found[0]["id"]) if found else None

    return wait_until(flagged, timeout=20)


class Offline:
    """A browser context that reaches the server and nothing else, noting what it refused."""

    def __init__(self, browser: Browser, server: NotaiServer, **options: Any) -> None:
        self.refused: list[str] = []
        self.context: BrowserContext = browser.new_context(**options)
        self.context.route("**/*", lambda route: self._only_the_server(route, server.url))

    def _only_the_server(self, route: Route, origin: str) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()


def watch_errors(page: Page) -> list[str]:
    """Console errors (a CSP refusal shows up here) and uncaught script errors."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def shoot(page: Page, name: str, height: int | None = None) -> None:
    """A PNG of the page's top (`height` CSS pixels, or one screen) for docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or DESKTOP
    clip: FloatRect = {"x": 0, "y": 0, "width": size["width"], "height": height or size["height"]}
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), clip=clip, full_page=True)


def sign_in(page: Page, server: NotaiServer) -> None:
    page.goto(server.url + "/dashboard/sessions")
    expect(page).to_have_url(f"{server.url}/dashboard/sign-in?next=%2Fdashboard%2Fsessions")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url + "/dashboard/sessions")


def test_a_reviewer_mints_a_key_and_finds_the_agents_flags_on_the_timeline(
    server: NotaiServer, tenant: Tenant, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    flagged = agent_session(tenant, lms_pages, automated_browser)
    offline = Offline(automated_browser, server, viewport=DESKTOP)
    context = offline.context
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    errors = watch_errors(page)
    sign_in(page, server)

    page.get_by_role("link", name="Users").click()
    expect(page.locator("table.users .risk-high").first).to_be_visible()
    shoot(page, "users")

    page.get_by_role("link", name="API keys").click()
    page.get_by_role("button", name="Mint a new key").click()
    key = page.locator("#new-key-value").inner_text().strip()
    bots = httpx.get(
        server.url + "/v1/sessions",
        params={"botOnly": "true", "pageSize": 100},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert bots.status_code == 200
    assert flagged in [s["id"] for s in bots.json()["data"]]

    page.goto(f"{server.url}/dashboard/sessions?botOnly=true")
    page.locator(f'a[href="/dashboard/sessions/{flagged}"]').click()
    expect(page.locator('.lane[data-flag="webdriver"]')).to_be_visible()
    expect(page.locator('.flag-mark[data-flag="webdriver"]').first).to_be_attached()
    expect(page.locator("#flag-webdriver")).to_contain_text("navigator.webdriver")
    page.get_by_role("link", name="webdriver", exact=True).click()
    expect(page).to_have_url(f"{server.url}/dashboard/sessions/{flagged}#flag-webdriver")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-replay-note]")).to_contain_text("webdriver", timeout=15_000)

    # The screenshot shows a longer session: a demo agent's, with more than a page load.
    demo_agent = max(
        (s for s in bots.json()["data"] if s["id"] != flagged),
        key=lambda s: len(s["detectionFlags"]),
    )
    page.goto(f"{server.url}/dashboard/sessions/{demo_agent['id']}")
    expect(page.locator(".lane").first).to_be_visible()
    shoot(page, "session", height=1700)

    page.get_by_role("link", name="API keys").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").first.click()
    expect(page.locator("p.notice")).to_contain_text("was revoked")
    gone = httpx.get(server.url + "/v1/integration", headers={"Authorization": f"Bearer {key}"})
    assert gone.status_code == 401

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(server.url + "/dashboard/sign-in")
    assert errors == []
    assert offline.refused == []
    context.close()


def test_the_pages_work_offline_by_keyboard_and_on_a_phone(
    server: NotaiServer, tenant: Tenant, automated_browser: Browser
) -> None:
    offline = Offline(automated_browser, server, viewport=DESKTOP)
    context = offline.context
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    errors = watch_errors(page)
    sign_in(page, server)

    page.goto(server.url + "/dashboard/analytics?period=30d&groupBy=day")
    expect(page.locator("svg.columns rect.bot").first).to_be_attached()
    shoot(page, "analytics")

    page.goto(server.url + "/dashboard/integration")
    moodle = page.get_by_role("tab", name="Moodle")
    page.get_by_role("tab", name="Canvas").focus()
    page.keyboard.press("ArrowRight")
    expect(moodle).to_be_focused()
    expect(moodle).to_have_attribute("aria-selected", "true")
    expect(page.locator("#lms-moodle")).to_be_visible()
    expect(page.locator("#lms-canvas")).to_be_hidden()
    copy = page.get_by_role("button", name="Copy the pixel tag")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert tenant.integration in page.evaluate("navigator.clipboard.readText()")
    shoot(page, "integration")

    page.goto(server.url + "/docs/pixel")
    expect(page.locator("article.doc h1")).to_have_text("The pixel (api.js)")
    shoot(page, "docs")
    assert errors == []
    assert offline.refused == []
    context.close()

    phone = Offline(automated_browser, server, viewport=PHONE, is_mobile=True)
    page = phone.context.new_page()
    sign_in(page, server)
    for path in ("/dashboard/users", "/dashboard/sessions", "/dashboard/integration", "/docs"):
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is wider than the phone by {overflow} px"
    page.goto(server.url + "/dashboard/users")
    shoot(page, "users-phone")
    assert phone.refused == []
    phone.context.close()
