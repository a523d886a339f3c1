"""A screen reader's presses in real Chromium are not taken for an agent's clicks.

When assistive technology activates a control (Orca over AT-SPI here; NVDA, JAWS,
VoiceOver and voice control through their platforms' equivalents), Chromium sends the page
a click at the control's exact centre, out of nowhere, that poses as the mouse's: the
shape of an agent's click. It marks the mousedown and mouseup with `detail` 0, which no
pointing device sends. These tests press the same buttons, with the same pauses, once as a
screen reader does and once as an agent does (Playwright's `page.click`), in one headed
Chromium that does not say it is automated, and compare what the detector concludes.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser

from e2e.desktop import Desktop, desktop, desktop_browser
from e2e.support import (
    PERSON_SCREEN,
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
BUTTONS = {"Option A": "#a", "Option B": "#b", "Option C": "#c", "Option D": "#d"}
PAUSE_S = 2.6
"""Longer than the 2 s of silence after which a press with no approach counts as cold."""
POINTER_FLAGS = {
    "centre_precision_clicks",
    "teleport_clicks",
    "think_then_burst",
    "click_without_pointer_trail",
}


def _pointer(click: dict[str, Any]) -> str:
    return str(click.get("pointer", "mouse"))  # stored without the default


def _session_after(tenant: Tenant, lms_pages: LmsPages, browser: Browser, act: Any) -> Any:
    page = browser.new_page(viewport={"width": 1000, "height": 760}, screen=PERSON_SCREEN)
    page.goto(lms_pages.url(CHOICES))
    wait_until(tenant.sessions)  # the pixel is connected and the session exists
    act(page)
    for selector in BUTTONS.values():  # every press reached the page
        assert page.get_attribute(selector, "aria-pressed") == "true"
    page.goto("about:blank")
    page.close()
    wait_until(lambda: [s for s in tenant.sessions() if s["status"] == "closed"], timeout=20)
    return tenant.one_session()


def test_a_screen_readers_presses_are_not_judged_as_mouse_clicks(
    notai_server: NotaiServer, lms_pages: LmsPages, desktop: Desktop, desktop_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)

    session = _session_after(
        tenant, lms_pages, desktop_browser, lambda _: desktop.press(PAUSE_S, list(BUTTONS))
    )

    clicks = tenant.messages(session["id"], "mouse_click")
    downs = [c for c in clicks if c["phase"] == "down"]
    releases = [c for c in clicks if c["phase"] == "click"]
    assert len(downs) == len(releases) == len(BUTTONS)
    # What Chromium sends: a press with no pointing device behind it ...
    assert {_pointer(c) for c in downs} == {"keyboard"}
    # ... and a click posing as the mouse's, on the exact centre, with no movement before it.
    assert {_pointer(c) for c in releases} == {"mouse"}
    for click in releases:
        box = click["target"]
        assert abs(click["x"] - (box["x"] + box["w"] / 2)) <= 1
        assert abs(click["y"] - (box["y"] + box["h"] / 2)) <= 1
    # The X server may report where its pointer sits as the window maps; it never goes there.
    samples = [
        (move["t"] + dt, x, y)
        for move in tenant.messages(session["id"], "mouse_move")
        for dt, x, y in move["samples"]
    ]
    for click in releases:
        assert not [s for s in samples if abs(s[1] - click["x"]) + abs(s[2] - click["y"]) <= 2]
    assert not POINTER_FLAGS & set(session["detectionFlags"])
    assert session["botScore"] < 0.4, session["detectionFlags"]


def test_an_agent_clicking_the_same_buttons_with_the_same_pauses_is_flagged(
    notai_server: NotaiServer, lms_pages: LmsPages, desktop_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)

    def agent(page: Any) -> None:
        for selector in BUTTONS.values():
            page.wait_for_timeout(PAUSE_S * 1000)
            page.click(selector)

    session = _session_after(tenant, lms_pages, desktop_browser, agent)

    downs = [c for c in tenant.messages(session["id"], "mouse_click") if c["phase"] == "down"]
    assert {_pointer(c) for c in downs} == {"mouse"}
    assert "centre_precision_clicks" in session["detectionFlags"]
    assert session["botScore"] >= 0.7, session["detectionFlags"]
