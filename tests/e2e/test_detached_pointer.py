"""A real pointer is in one place; a DevTools-protocol pointer leaves the screen's behind.

`detached_pointer` rests on how Chromium reports its pointer: input sent through the
DevTools protocol (Playwright's `page.mouse`, an agent extension's debugger) moves a pointer
of the page's own, while the screen's pointer stays where it rests, and Chromium reports
that one when it moves or when the window comes back to the front over another (the page
then learns where the pointer is). These tests press the same buttons of a headed Chromium
that does not say it is automated, turning to a second window (notes) after each press, as
a student busy elsewhere while software works the quiz would: once with the X server's
pointer (xdotool, the path a person's mouse takes on Linux) and once with Playwright's mouse
at a person's pace; they compare what the pixel recorded and what the detector found.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize

from e2e.desktop import Desktop, desktop, desktop_browser
from e2e.person import Person
from e2e.support import (
    LmsPages,
    NotaiServer,
    Tenant,
    lms_pages,
    notai_server,
    playwright,
    wait_until,
)

__all__ = ["desktop", "desktop_browser", "lms_pages", "notai_server", "playwright"]

CHOICES = "/choices"
TITLE = "Poll"
BUTTONS = ("#a", "#b", "#c", "#d", "#e")
VIEWPORT: ViewportSize = {"width": 1000, "height": 760}
RESTING = (920, 720)
"""Where the screen's pointer rests in the page while Playwright's works: 100 px or more, on
some axis, from every button (the buttons end at x 800)."""


def _screen_offset(page: Page, desktop: Desktop) -> tuple[int, int]:
    """Screen position of the page's (0, 0): the window's place plus the browser's toolbar."""
    page.evaluate(
        "addEventListener('pointermove', (e) => { window.__offset ="
        " [e.screenX - e.clientX, e.screenY - e.clientY]; }, { once: true })"
    )
    desktop.keyboard("mousemove", "300", "300")
    desktop.keyboard("mousemove", "310", "310")
    offset: list[int] = wait_until(lambda: page.evaluate("window.__offset"))
    return offset[0], offset[1]


def _pressed(
    tenant: Tenant,
    lms_pages: LmsPages,
    browser: Browser,
    press_all: Callable[[Page, Page], None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The closed session and its mouse_move messages after `press_all(poll, notes)`."""
    notes = browser.new_page(viewport=VIEWPORT)  # another window (a context of its own)
    notes.set_content("<title>Notes</title><p>Notes</p>")
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(lms_pages.url(CHOICES))
    wait_until(tenant.sessions)  # the pixel is connected and the session exists
    press_all(page, notes)
    assert page.evaluate("[...document.querySelectorAll('[aria-pressed=true]')].length") == 5
    page.goto("about:blank")
    page.close()
    notes.close()
    wait_until(lambda: [s for s in tenant.sessions() if s["status"] == "closed"], timeout=20)
    session = tenant.one_session()
    return session, tenant.messages(session["id"], "mouse_move")


def _lone_samples_at(moves: list[dict[str, Any]], spot: tuple[int, int]) -> int:
    """Move messages of one sample within 2 px of `spot`."""
    return sum(
        1
        for move in moves
        if len(move["samples"]) == 1
        and max(abs(move["samples"][0][1] - spot[0]), abs(move["samples"][0][2] - spot[1])) <= 2
    )


def test_the_screens_pointer_pressing_buttons_is_one_pointer(
    notai_server: NotaiServer, lms_pages: LmsPages, desktop: Desktop, desktop_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    rng = random.Random(7)

    def mouse(page: Page, notes: Page) -> None:
        desktop.focus_window(TITLE)
        left, top = _screen_offset(page, desktop)
        x, y = float(310 - left), float(310 - top)
        for selector in BUTTONS:
            desktop.keyboard("search", "--name", f"^{TITLE}", "windowraise")
            box = page.locator(selector).bounding_box()
            assert box is not None
            to_x, to_y = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6
            for step in range(1, 13):  # a path of a dozen moves, as a hand makes
                share = step / 12
                at_x, at_y = x + (to_x - x) * share, y + (to_y - y) * share
                desktop.keyboard("mousemove", str(round(at_x + left)), str(round(at_y + top)))
            x, y = to_x, to_y
            desktop.keyboard("sleep", f"{rng.uniform(0.15, 0.3):.2f}", "click", "1")
            desktop.keyboard("sleep", "0.3")
            notes.bring_to_front()

    session, moves = _pressed(tenant, lms_pages, desktop_browser, mouse)

    assert len(moves) >= 5  # the pointer's own paths were recorded
    assert "detached_pointer" not in session["detectionFlags"]


def test_playwrights_pointer_leaves_the_screens_pointer_behind(
    notai_server: NotaiServer, lms_pages: LmsPages, desktop: Desktop, desktop_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)

    def tool(page: Page, notes: Page) -> None:
        desktop.focus_window(TITLE)
        left, top = _screen_offset(page, desktop)
        # The screen's pointer comes to rest inside the page, away from every button.
        desktop.keyboard("mousemove", str(RESTING[0] + left), str(RESTING[1] + top))
        person = Person(page, random.Random(11))
        for selector in BUTTONS:
            person.click(selector)
            person.pause(300, 500)
            notes.bring_to_front()

    session, moves = _pressed(tenant, lms_pages, desktop_browser, tool)

    # The screen's pointer was reported, alone, where it rests, as the window came back.
    assert _lone_samples_at(moves, RESTING) >= 2
    assert "detached_pointer" in session["detectionFlags"]
    assert session["botScore"] >= 0.7
