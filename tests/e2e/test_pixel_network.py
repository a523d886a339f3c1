"""The network goes away mid-session and comes back: nothing the collector acknowledged is lost,
and what the pixel recorded meanwhile arrives once the collector answers again."""

from __future__ import annotations

import random

from playwright.sync_api import Browser

from e2e.person import Person
from e2e.support import (
    LmsPages,
    NotaiServer,
    lms_pages,
    own_server,
    person_browser,
    person_context,
    playwright,
    wait_until,
)

__all__ = ["lms_pages", "own_server", "person_browser", "playwright"]


def test_a_collector_crash_mid_session_loses_no_acknowledged_event(
    own_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = own_server.tenant()
    lms_pages.use_pixel(tenant)
    context = person_context(person_browser)
    page = context.new_page()
    person = Person(page, random.Random(3))
    page.goto(lms_pages.url("/courses/101/quizzes/7/take"))
    person.click("#question_3101_answer_4101")
    session_id = tenant.one_session()["id"]
    wait_until(lambda: tenant.messages(session_id, "mouse_click"))
    stored_before = {seq for seq, _, _ in tenant.events(session_id)}

    own_server.kill()  # no goodbye: connections drop, nothing is flushed
    person.click("#question_3102_input")
    page.keyboard.type("during the outage", delay=60)
    outage_click = person.x, person.y
    person.pause(1500, 1600)
    own_server.start()

    # Still on the page: the pixel reconnects and re-sends what was never acknowledged.
    def typed_during_outage() -> bool:
        typed = [p for p in tenant.messages(session_id, "input") if p["field"] == "question_3102"]
        return bool(sum(p["delta"] for p in typed) == len("during the outage"))

    wait_until(typed_during_outage, timeout=30)
    person.click("#question_3103_input")
    page.goto("about:blank")
    context.close()

    def everything_arrived() -> list[int] | None:
        seqs = [seq for seq, _, _ in tenant.events(session_id)]
        closed = any(p["type"] == "close" for _, _, p in tenant.events(session_id))
        return seqs if closed and seqs == list(range(len(seqs))) else None

    seqs = wait_until(everything_arrived, timeout=30)
    assert stored_before <= set(seqs)
    events = tenant.events(session_id)
    clicks = [p for _, _, p in events if p["type"] == "mouse_click" and p["phase"] == "click"]
    assert any(
        abs(c["x"] - outage_click[0]) <= 1 and abs(c["y"] - outage_click[1]) <= 1 for c in clicks
    )


def test_on_a_page_that_breaks_everything_the_pixel_throws_nothing_and_falls_back_to_http(
    own_server: NotaiServer, lms_pages: LmsPages, person_browser: Browser
) -> None:
    tenant = own_server.tenant()
    lms_pages.use_pixel(tenant)
    context = person_context(person_browser)
    page = context.new_page()
    uncaught: list[str] = []
    page.on("pageerror", lambda error: uncaught.append(str(error)))

    page.goto(lms_pages.url("/hostile"))
    page.click("#answer")
    page.keyboard.type("forty two", delay=80)
    page.click("#next")
    session_id = tenant.one_session()["id"]
    wait_until(lambda: tenant.messages(session_id, "input"), timeout=20)
    route_result = page.evaluate("window.routeResult")
    page_errors = page.evaluate("window.pageErrors")
    page.goto("about:blank")
    context.close()

    assert uncaught == []
    assert page_errors == []
    assert route_result == "page-result"
    assert sum(p["delta"] for p in tenant.messages(session_id, "input")) == len("forty two")
    wait_until(lambda: tenant.messages(session_id, "close"))
    routes = [n["url"] for n in tenant.messages(session_id, "navigation")]
    assert lms_pages.url("/hostile/step-2") in routes
