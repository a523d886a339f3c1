"""The pixel in a real browser: a person and a script on the same Canvas quiz, and privacy.

Each test gets its own integration on one running `notai serve`, loads a sample LMS page
with the pixel, and reads the result back through the public API and the database file.
"""

from __future__ import annotations

import random
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from e2e.person import Person
from e2e.support import (
    LmsPages,
    NotaiServer,
    Tenant,
    automated_browser,
    lms_pages,
    notai_server,
    own_server,
    person_browser,
    person_context,
    playwright,
    wait_until,
)

__all__ = [
    "automated_browser",
    "lms_pages",
    "notai_server",
    "own_server",
    "person_browser",
    "playwright",
]

QUIZ = "/courses/101/quizzes/7/take"
AGENT_FRAME = "claude-agent-glow-border"
SHOW_AGENT_FRAME = (
    f"const glow = document.createElement('div'); glow.id = '{AGENT_FRAME}';"
    " document.body.appendChild(glow);"
)
"""What Claude for Chrome's content script does when its agent starts on a tab: it adds its
glowing frame to the page's body (the id from the extension's published code)."""


def closed_session(tenant: Tenant) -> dict[str, Any]:
    """The tenant's one session, once the pixel has reported the page closed."""
    wait_until(lambda: [s for s in tenant.sessions() if s["status"] == "closed"], timeout=20)
    return tenant.one_session()


def person_at_a_desk(browser: Browser, seed: int) -> tuple[BrowserContext, Page, Person]:
    """A clean desktop browser context and the person who works its one page."""
    context = person_context(browser)
    page = context.new_page()
    return context, page, Person(page, random.Random(seed))


def leave(page: Page) -> None:
    """Navigate away: the pixel sends `close` (and a beacon of whatever is unacknowledged)."""
    page.goto("about:blank")


def test_a_person_answering_a_quiz_is_one_session_of_that_user_with_a_low_score(
    notai_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    context, page, person = person_at_a_desk(person_browser, 20261127)

    page.goto(lms_pages.url(QUIZ))
    person.wander()
    person.click("#question_3101_answer_4101")
    person.click("#question_3102_input")
    person.type("chain rule")
    person.click("#question_3103_input")
    person.type("rate of change")
    page.mouse.wheel(0, 300)
    person.pause(400, 600)
    person.click("#submit_quiz_button")
    leave(page)
    context.close()

    session = closed_session(tenant)
    assert session["userId"] == "8812"
    assert session["userName"] == "Ada Lovelace"
    assert session["userUrl"] == "https://canvas.example.edu/about/8812"
    assert session["pageUrl"] == lms_pages.url(QUIZ)
    assert session["botScore"] < 0.4, session["detectionFlags"]
    env = tenant.messages(session["id"], "init")[0]["env"]
    assert (env["fullscreen"], env["screen"]) == (False, {"w": 1920, "h": 1080})
    assert env["outer"]["h"] > env["viewport"]["h"]  # room for tabs and an address bar
    kinds = {payload["type"] for _, _, payload in tenant.events(session["id"])}
    assert {"init", "navigation", "mouse_move", "mouse_click", "keypress", "input"} <= kinds
    assert {"focus", "scroll", "form_submit", "close"} <= kinds


def test_a_plain_playwright_script_is_flagged_as_a_bot(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    page = automated_browser.new_page()

    page.goto(lms_pages.url(QUIZ))
    page.click("#question_3101_answer_4101")
    page.fill("#question_3102_input", "chain rule")
    page.fill("#question_3103_input", "how fast a quantity changes with respect to another")
    page.click("#submit_quiz_button")
    leave(page)
    page.close()

    session = closed_session(tenant)
    assert session["botScore"] >= 0.7
    assert "webdriver" in session["detectionFlags"]
    assert session["userId"] == "8812"
    init = tenant.messages(session["id"], "init")[0]
    assert init["env"]["webdriver"] is True
    assert "HeadlessChrome" in init["env"]["userAgent"]
    # Playwright's page reports its viewport as the whole screen and the whole window,
    # outside full screen.
    assert init["env"]["fullscreen"] is False
    assert init["env"]["screen"] == init["env"]["viewport"] == init["env"]["outer"]
    assert {"emulated_screen", "frameless_window"} <= set(session["detectionFlags"])


def test_what_is_typed_is_never_stored_only_timings_and_lengths(
    own_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = own_server.tenant()
    lms_pages.use_pixel(tenant)
    secrets_typed = {
        "email": "ada.lovelace1815@uni.example",
        "password": "Zq7!hunter2-Kx9w",
        "note": "plague of grasshoppers",
    }
    context, page, person = person_at_a_desk(person_browser, 7)

    page.goto(lms_pages.url("/login"))
    for field, selector in (
        ("email", "#pseudonym_session_unique_id"),
        ("password", "#pseudonym_session_password"),
        ("note", "#note"),
    ):
        person.click(selector)
        page.keyboard.type(secrets_typed[field], delay=40)
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+C")
    leave(page)
    context.close()

    session = closed_session(tenant)
    stored = own_server.database_bytes()
    for text in secrets_typed.values():
        for start in range(len(text) - 5):
            assert text[start : start + 6].encode() not in stored, text[start : start + 6]
    events = tenant.events(session["id"])
    keys = [key for _, _, p in events if p["type"] == "keypress" for key in p["keys"]]
    assert len(keys) >= sum(len(text) for text in secrets_typed.values())
    assert {key[2] for key in keys} <= {"letter", "digit", "space", "other", "modifier"}
    inputs = [p for _, _, p in events if p["type"] == "input"]
    assert {p["field"] for p in inputs} == {"pseudonym_session[unique_id]", "note"}
    assert sum(p["delta"] for p in inputs if p["field"] == "note") == len(secrets_typed["note"])
    copied = [p for _, _, p in events if p["type"] == "clipboard"]
    assert [(p["action"], p["length"]) for p in copied] == [("copy", len(secrets_typed["note"]))]
    # The password's Z and K were typed without Shift and are not counted in a secret field;
    # Playwright's "Control+A" and "Control+C" are: they send the capitals A and C without
    # Shift, where a keyboard sends a and c.
    assert sum(p.get("shiftless", 0) for _, _, p in events if p["type"] == "keypress") == 2


def test_capitals_typed_without_shift_are_counted_and_flagged_those_with_shift_are_not(
    notai_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    # A clean browser, human-like paths and key holds: only how the capitals were made
    # differs between the two answers.
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    context, page, person = person_at_a_desk(person_browser, 20261207)

    page.goto(lms_pages.url(QUIZ))
    person.click("#question_3102_input")
    person.type("Newton and Leibniz")
    person.click("#question_3103_input")
    for char in "Rate of change. See Leibniz, Newton.":
        page.keyboard.press(char, delay=person.rng.uniform(45, 110))
        person.pause(70, 220)
    leave(page)
    context.close()

    session = closed_session(tenant)
    presses = tenant.messages(session["id"], "keypress")
    assert sum(p.get("shiftless", 0) for p in presses) == 4  # R, S, L, N of the second answer
    assert "shiftless_capitals" in session["detectionFlags"]
    assert 0.4 <= session["botScore"] < 0.7


def test_an_agent_extension_starting_work_mid_page_is_reported_and_flagged(
    notai_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    context, page, person = person_at_a_desk(person_browser, 20261208)

    page.goto(lms_pages.url(QUIZ))
    person.click("#question_3102_input")
    person.type("chain rule")
    wait_until(lambda: tenant.sessions() and tenant.messages(tenant.one_session()["id"], "init"))
    # The agent starts on the tab: its extension shows the frame.
    page.evaluate(f"() => {{ {SHOW_AGENT_FRAME} }}")
    person.pause(1500, 1800)  # the pixel looks once a second
    leave(page)
    context.close()

    session = closed_session(tenant)
    inits = tenant.messages(session["id"], "init")
    assert len(inits) == 2
    assert AGENT_FRAME not in inits[0]["env"].get("automation", [])
    assert inits[1]["env"]["automation"] == [AGENT_FRAME]
    assert inits[1]["url"] == inits[0]["url"]
    assert session["detectionFlags"][0] == "agent_extension"
    assert session["botScore"] >= 0.7


def test_an_agent_extension_at_work_from_the_start_is_reported_by_the_one_init(
    notai_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    context, page, person = person_at_a_desk(person_browser, 20261209)
    # The frame is there before the pixel's init (the agent opened the page itself).
    context.add_init_script(
        f"document.addEventListener('DOMContentLoaded', () => {{ {SHOW_AGENT_FRAME} }})"
    )

    page.goto(lms_pages.url(QUIZ))
    person.pause(2500, 2800)  # beyond the init and two of the pixel's looks
    leave(page)
    context.close()

    session = closed_session(tenant)
    inits = tenant.messages(session["id"], "init")
    assert len(inits) == 1
    assert AGENT_FRAME in inits[0]["env"]["automation"]
    assert "agent_extension" in session["detectionFlags"]


def test_an_idle_page_sends_a_heartbeat_every_15_seconds(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    page = automated_browser.new_page()
    page.clock.install()  # the page's clock, timers included, moves only when told

    page.goto(lms_pages.url("/essay"))
    page.clock.run_for(3_000)
    session_id = tenant.one_session()["id"]
    page.clock.run_for(40_000)

    def two_beats() -> list[dict[str, Any]] | None:
        beats = tenant.messages(session_id, "heartbeat")
        return beats if len(beats) == 2 else None

    beats = wait_until(two_beats)
    page.close()

    # Idle is judged on a one-second tick, so a beat comes 15 to 16 s after the last message.
    init = tenant.messages(session_id, "init")[0]
    first, second = (beat["t"] - init["t"] for beat in beats)
    assert 15_000 <= first <= 16_100
    assert 15_000 <= second - first <= 16_100


def test_taps_on_a_touch_screen_are_recorded_as_touches_and_touch_clicks(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    context = automated_browser.new_context(has_touch=True, is_mobile=True)
    page = context.new_page()

    page.goto(lms_pages.url(QUIZ))
    page.tap("#question_3101_answer_4101")
    session_id = tenant.one_session()["id"]
    wait_until(
        lambda: any(c["phase"] == "click" for c in tenant.messages(session_id, "mouse_click"))
    )
    context.close()
    touches = tenant.messages(session_id, "touch")
    clicks = tenant.messages(session_id, "mouse_click")

    assert {t["phase"] for t in touches} == {"start", "end"}
    assert all(len(t["samples"]) == 1 for t in touches)
    assert {c.get("pointer", "mouse") for c in clicks} == {"touch"}
