"""Capitals from a keyboard are never counted as typed without Shift; a tool's are.

`shiftless_capitals` rests on one fact about keyboards: a letter key gives a capital only
with Shift held, with Caps Lock on, or with a Shift latched by Sticky Keys. These tests type
on the X server's keyboard (the path a person's keystrokes take into Chromium on Linux) in
each of those ways, in a headed Chromium that does not say it is automated, and then type
the same text with Playwright's keyboard in the same browser, and compare what the pixel
counted and what the detector concluded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from e2e.desktop import Desktop, desktop, desktop_browser
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

ESSAY = "/essay"
TITLE = "Essay practice"
FIELD = "#essay"
KEY_GAP_MS = "90"
"""Between keys: a steady typist's pace, so nothing but the capitals is in question."""


@pytest.fixture
def sticky_keys(desktop: Desktop) -> Iterator[None]:
    """Sticky Keys on (a modifier pressed and released applies to the next key), then off."""
    desktop.accessibility("sticky", "-twokey", "-latchlock")
    yield
    desktop.accessibility("-sticky")


def _typed(
    tenant: Tenant, lms_pages: LmsPages, browser: Browser, type_into: Callable[[Page], None]
) -> tuple[str, dict[str, Any], int]:
    """What the field holds, the closed session, and its keypresses' `shiftless` total."""
    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(lms_pages.url(ESSAY))
    wait_until(tenant.sessions)  # the pixel is connected and the session exists
    page.focus(FIELD)
    type_into(page)
    text = page.input_value(FIELD)
    page.goto("about:blank")
    page.close()
    wait_until(lambda: [s for s in tenant.sessions() if s["status"] == "closed"], timeout=20)
    session = tenant.one_session()
    presses = tenant.messages(session["id"], "keypress")
    return text, session, sum(p.get("shiftless", 0) for p in presses)


def test_capitals_typed_with_shift_caps_lock_or_sticky_keys_are_not_counted(
    notai_server: NotaiServer,
    lms_pages: LmsPages,
    desktop: Desktop,
    desktop_browser: Browser,
    sticky_keys: None,
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)

    def keyboard(page: Page) -> None:
        desktop.focus_window(TITLE)
        # Shift held for each capital, as xdotool types text (Shift down, key, Shift up).
        desktop.keyboard("type", "--delay", KEY_GAP_MS, "Newton and Leibniz. ")
        # Caps Lock on for a word, then off.
        desktop.keyboard("key", "--delay", KEY_GAP_MS, "Caps_Lock", "r", "a", "t", "e")
        desktop.keyboard("key", "--delay", KEY_GAP_MS, "Caps_Lock", "space")
        # Sticky Keys: Shift pressed and released, then the letter.
        desktop.keyboard("key", "--delay", KEY_GAP_MS, "Shift_L", "s", "e", "e", "space")
        desktop.keyboard("key", "--delay", KEY_GAP_MS, "Shift_L", "t", "Shift_L", "o", "period")

    text, session, shiftless = _typed(tenant, lms_pages, desktop_browser, keyboard)

    assert text == "Newton and Leibniz. RATE See TO."  # the keys made those capitals
    assert shiftless == 0
    assert "shiftless_capitals" not in session["detectionFlags"]


def test_the_same_capitals_from_playwrights_keyboard_are_counted(
    notai_server: NotaiServer, lms_pages: LmsPages, desktop_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)

    def tool(page: Page) -> None:
        page.keyboard.type("Newton and Leibniz. RATE See TO.", delay=int(KEY_GAP_MS))

    text, session, shiftless = _typed(tenant, lms_pages, desktop_browser, tool)

    assert text == "Newton and Leibniz. RATE See TO."
    assert shiftless == 9  # N, L, R, A, T, E, S, T, O: each a capital with no Shift held
    assert "shiftless_capitals" in session["detectionFlags"]
