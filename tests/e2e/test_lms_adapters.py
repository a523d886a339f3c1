"""The pixel reads the LMS user and course from each LMS's own page, in a real browser.

Each sample page in tests/e2e/pages/ mirrors what that LMS serves at that URL: the globals
its scripts define (Canvas `ENV`, Moodle `M.cfg`, Blackboard Ultra `__initialContext`,
Schoology `siteNavigationUiProps`, Sakai `portal`), its data attributes (D2L's
`data-global-context`, Moodle's `data-userid`) and the markup of its user menu and course
header.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from e2e.support import (
    LmsPages,
    NotaiServer,
    Tenant,
    automated_browser,
    lms_pages,
    notai_server,
    playwright,
    wait_until,
)

__all__ = ["automated_browser", "lms_pages", "notai_server", "playwright"]

ORIGIN = "{origin}"
CASES: list[tuple[str, str, dict[str, str]]] = [
    (
        "canvas",
        "/courses/101/quizzes/7/take",
        {
            "provider": "canvas",
            "userId": "8812",
            "userName": "Ada Lovelace",
            "userUrl": "https://canvas.example.edu/about/8812",
            "courseId": "101",
            "courseName": "Calculus I",
            "courseUrl": ORIGIN + "/courses/101",
        },
    ),
    (
        "moodle",
        "/mod/quiz/attempt.php?attempt=5&cmid=77",
        {
            "provider": "moodle",
            "userId": "57",
            "userName": "Grace Hopper",
            "userUrl": ORIGIN + "/user/profile.php?id=57",
            "courseId": "42",
            "courseName": "Introduction to Mathematics",
            "courseUrl": ORIGIN + "/course/view.php?id=42",
        },
    ),
    (
        "blackboard ultra",
        "/ultra/courses/_4521_1/outline",
        {
            "provider": "blackboard",
            "userId": "_9001_1",
            "userName": "Katherine Johnson",
            "userUrl": ORIGIN + "/learn/api/public/v1/users/_9001_1",
            "courseId": "_4521_1",
            "courseName": "Orbital Mechanics",
            "courseUrl": ORIGIN + "/ultra/courses/_4521_1/outline",
        },
    ),
    (
        # Learn Original pages name the user but carry no id: notai('identify') supplies it.
        "blackboard original",
        "/webapps/blackboard/content/listContent.jsp?course_id=_4521_1&content_id=_88_1",
        {
            "provider": "blackboard",
            "userName": "Katherine Johnson",
            "courseId": "_4521_1",
            "courseName": "Orbital Mechanics",
            "courseUrl": ORIGIN + "/ultra/courses/_4521_1/outline",
        },
    ),
    (
        "d2l brightspace",
        "/d2l/le/content/123456/viewContent/98765/View",
        {
            "provider": "d2l",
            "userId": "169",
            "userName": "Rosalind Franklin",
            "courseId": "123456",
            "courseName": "Organic Chemistry",
            "courseUrl": ORIGIN + "/d2l/home/123456",
        },
    ),
    (
        "schoology",
        "/course/7654321/materials",
        {
            "provider": "schoology",
            "userId": "51234567",
            "userName": "Marie Curie",
            "userUrl": ORIGIN + "/user/51234567/info",
            "courseId": "7654321",
            "courseName": "Physics: Section 2",
            "courseUrl": ORIGIN + "/course/7654321",
        },
    ),
    (
        "sakai",
        "/portal/site/BIO-101-F26/tool/7e3a1c2d-quiz",
        {
            "provider": "sakai",
            "userId": "6f2b4c1e-8a9d-4e3f-b0c7-15d2a9e8f304",
            "userName": "Barbara McClintock",
            "userUrl": ORIGIN + "/portal/site/~6f2b4c1e-8a9d-4e3f-b0c7-15d2a9e8f304",
            "courseId": "BIO-101-F26",
            "courseName": "BIO 101 Fall 2026",
            "courseUrl": ORIGIN + "/portal/site/BIO-101-F26",
        },
    ),
]


def first_init(tenant: Tenant) -> tuple[dict[str, Any], dict[str, Any]]:
    """The session and its init message, once stored."""

    def stored() -> tuple[dict[str, Any], dict[str, Any]] | None:
        sessions = tenant.sessions()
        inits = tenant.messages(sessions[0]["id"], "init") if sessions else []
        return (sessions[0], inits[0]) if inits else None

    return wait_until(stored)


@pytest.mark.parametrize(("lms", "path", "expected"), CASES, ids=[case[0] for case in CASES])
def test_the_pixel_reads_user_and_course_from_the_lms_page(
    notai_server: NotaiServer,
    lms_pages: LmsPages,
    automated_browser: Browser,
    lms: str,
    path: str,
    expected: dict[str, str],
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    page = automated_browser.new_page()

    page.goto(lms_pages.url(path))
    session, init = first_init(tenant)
    page.close()

    wanted = {name: value.replace(ORIGIN, lms_pages.origin) for name, value in expected.items()}
    assert init["lms"] == wanted
    assert session["userId"] == wanted.get("userId", "")
    assert session["userName"] == wanted["userName"]


def test_a_page_names_its_user_through_the_queue_and_routes_in_page(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    page = automated_browser.new_page()

    page.goto(lms_pages.url("/essay"))
    session, init = first_init(tenant)
    page.click("#next")
    wait_until(lambda: len(tenant.messages(session["id"], "navigation")) == 2)
    page.close()

    assert init["lms"] == {
        "provider": "custom",
        "userId": "stu-4417",
        "userName": "Alan Turing",
        "userUrl": "https://portal.example.edu/people/4417",
        "courseId": "CS-50",
        "courseName": "Computing Machinery",
        "courseUrl": "https://portal.example.edu/courses/CS-50",
    }
    assert tenant.one_session()["userId"] == "stu-4417"
    navigations = tenant.messages(session["id"], "navigation")
    assert [(n.get("kind", "route"), n["url"]) for n in navigations] == [
        ("load", lms_pages.url("/essay")),
        ("route", lms_pages.url("/essay/step-2")),
    ]


def test_a_late_identify_call_ties_the_session_to_its_user(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    lms_pages.use_pixel(tenant)
    page = automated_browser.new_page()
    page.goto(lms_pages.url("/webapps/blackboard/content/listContent.jsp?course_id=_4521_1"))
    session, _ = first_init(tenant)

    page.evaluate("notai('identify', {userId: '_9001_1', userName: 'Katherine Johnson'})")

    wait_until(lambda: tenant.one_session()["userId"] == "_9001_1")
    identify = tenant.messages(session["id"], "identify")[0]
    page.close()
    assert identify["lms"]["userId"] == "_9001_1"
    assert identify["lms"]["courseId"] == "_4521_1"  # the page's course is kept


def test_excluded_pages_and_unsampled_views_send_nothing(
    notai_server: NotaiServer, lms_pages: LmsPages, automated_browser: Browser
) -> None:
    tenant = notai_server.tenant()
    page = automated_browser.new_page()

    lms_pages.use_pixel(tenant, exclude="/login*, */mod/quiz/*")
    page.goto(lms_pages.url("/login"))
    page.goto(lms_pages.url("/mod/quiz/attempt.php?attempt=5&cmid=77"))
    lms_pages.use_pixel(tenant, sample="0")
    page.goto(lms_pages.url("/courses/101/quizzes/7/take"))
    lms_pages.use_pixel(tenant, exclude="/login*")
    page.goto(lms_pages.url("/essay"))  # the control: this one is tracked
    wait_until(tenant.sessions)
    page.close()

    assert [s["pageUrl"] for s in tenant.sessions()] == [lms_pages.url("/essay")]
