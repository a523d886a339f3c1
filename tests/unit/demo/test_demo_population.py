"""Who the demo's sessions belong to, where they happen and when."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest

from notai.demo import BOT_KINDS, HUMAN_KINDS, generate_demo
from notai.demo.courses import COURSES
from notai.demo.rhythm import CAMPUS_UTC_OFFSET_MS, HOUR, Rhythm
from notai.events import Identify
from unit.demo.demo_samples import (
    DAY_MS,
    INTEGRATION,
    NOW_MS,
    default_demo,
    first_init,
    messages,
    of_kind,
    student,
)

PAGE_URL = re.compile(
    r"^https://canvas\.example\.edu/courses/(?P<course>\d+)/"
    r"(quizzes/(?P<quiz>\d+)/take|assignments/\d+|discussion_topics/\d+|modules)$"
)


def test_the_demo_has_as_many_sessions_as_asked() -> None:
    assert len(default_demo()) == 1500


def test_every_student_has_sessions() -> None:
    assert len({student(session).userId for session in default_demo()}) == 40


def test_fewer_sessions_than_students_give_one_student_each() -> None:
    demo = list(generate_demo(INTEGRATION, users=30, sessions=12, now_ms=NOW_MS))
    assert len({student(session).userId for session in demo}) == 12


def test_a_student_keeps_one_identity() -> None:
    identities: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for session in default_demo():
        lms = student(session)
        identities[lms.userId].add((lms.userName, lms.userUrl))
    for user_id, seen in identities.items():
        assert user_id.isdigit()
        assert len(seen) == 1
        ((name, url),) = seen
        assert len(name.split()) == 2
        assert url == f"https://canvas.example.edu/users/{user_id}"


def test_some_students_are_much_more_active_than_others() -> None:
    counts = Counter(student(session).userId for session in default_demo())
    assert max(counts.values()) >= 4 * statistics.median(counts.values())


@pytest.mark.parametrize(("share", "bots"), [(0.0, 0), (0.15, 15), (0.5, 50), (1.0, 100)])
def test_the_bot_share_is_as_asked(share: float, bots: int) -> None:
    demo = generate_demo(INTEGRATION, users=20, sessions=100, now_ms=NOW_MS, bot_share=share)
    assert sum(session.is_bot for session in demo) == bots


def test_kinds_are_people_or_bots() -> None:
    kinds = {session.kind for session in default_demo()}
    assert kinds == set(HUMAN_KINDS) | set(BOT_KINDS)
    assert all(session.is_bot == (session.kind in BOT_KINDS) for session in default_demo())


def test_bots_belong_mostly_to_a_few_agent_users() -> None:
    sessions = Counter(student(session).userId for session in default_demo())
    bots = Counter(student(session).userId for session in default_demo() if session.is_bot)
    top_four = sum(count for _, count in bots.most_common(4))
    assert top_four >= 0.9 * sum(bots.values())
    shares = sorted(bots[user] / sessions[user] for user, _ in bots.most_common(4))
    assert shares[-1] >= 0.7  # someone mostly uses an agent
    assert 0.1 <= shares[0] <= 0.6  # someone else only sometimes does


def test_stealthy_bots_report_a_normal_browser() -> None:
    for session in of_kind("agent_insert_text", "agent_synthetic", "agent_keystrokes"):
        env = first_init(session).env
        assert env.webdriver is False
        assert env.automation == []
        assert "Headless" not in env.userAgent
        assert "Chrome/" in env.userAgent


def test_automation_frameworks_give_themselves_away() -> None:
    for session in of_kind("headless"):
        env = first_init(session).env
        assert "HeadlessChrome/" in env.userAgent
        assert env.webdriver is True
        assert "__playwright__binding__" in env.automation
    for session in of_kind("playwright"):
        assert first_init(session).env.webdriver is True
    for session in of_kind("selenium"):
        assert "cdc_adoQpoasnfa76pfcZLmcfl_Array" in first_init(session).env.automation


def test_people_use_real_browsers() -> None:
    for session in of_kind(*HUMAN_KINDS):
        env = first_init(session).env
        assert env.webdriver is False
        assert env.automation == []
        assert env.viewport is not None
        assert env.screen is not None
        assert env.viewport.w <= env.screen.w
        assert env.languages
        assert env.timezone
        assert env.webglRenderer
    tablets = {first_init(s).env.platform for s in of_kind("human_touch")}
    assert "iPad" in tablets


def test_pages_are_canvas_course_pages() -> None:
    kinds: Counter[str] = Counter()
    for session in default_demo():
        init = first_init(session)
        match = PAGE_URL.match(init.url)
        assert match, init.url
        kinds[init.url.split("/")[5]] += 1
        assert init.lms is not None
        assert init.lms.provider == "canvas"
        assert init.lms.courseId == match["course"]
        assert init.lms.courseName
        assert init.title
    assert set(kinds) == {"quizzes", "assignments", "discussion_topics", "modules"}


def test_some_pages_learn_the_student_after_loading() -> None:
    late = [s for s in default_demo() if (lms := first_init(s).lms) and not lms.userId]
    assert late
    for session in late:
        assert any(isinstance(m, Identify) for m in messages(session))


def test_students_work_by_day_and_evening_more_than_at_night() -> None:
    hours = Counter(
        (session.received_at_ms + CAMPUS_UTC_OFFSET_MS) % (24 * HOUR) // HOUR
        for session in default_demo()
    )
    evening = sum(hours[hour] for hour in range(18, 23))
    small_hours = sum(hours[hour] for hour in range(2, 7))
    assert evening >= 4 * small_hours


def test_quizzes_are_taken_before_they_are_due_and_mostly_in_a_rush() -> None:
    rhythm = Rhythm(NOW_MS - 28 * DAY_MS, NOW_MS)
    courses = {str(course.course_id): course for course in COURSES}
    rushed = total = 0
    for session in default_demo():
        match = PAGE_URL.match(first_init(session).url)
        if not (match and match["quiz"]):
            continue
        course = courses[match["course"]]
        due = {course.first_quiz_id + d.week: d.due_ms for d in rhythm.deadlines(course)}
        before_due = due[int(match["quiz"])] - session.received_at_ms
        assert 0 <= before_due <= 7 * DAY_MS
        rushed += before_due <= DAY_MS
        total += 1
    # Spread evenly over the week, one in seven would fall in the last day.
    assert rushed >= 0.4 * total


def test_a_short_window_holds_every_session() -> None:
    demo = list(generate_demo(INTEGRATION, users=5, sessions=40, days=1, now_ms=NOW_MS))
    assert all(NOW_MS - DAY_MS <= s.received_at_ms < s.batches[-1][0] <= NOW_MS for s in demo)


def test_session_sizes_are_those_of_real_page_views() -> None:
    sizes = sorted(sum(1 for _ in messages(session)) for session in default_demo())
    assert 20 <= sizes[len(sizes) // 2] <= 400
    assert sizes[int(len(sizes) * 0.9)] <= 600


@pytest.mark.parametrize(
    "make_demo",
    [
        lambda: generate_demo("A7F3C2E1", now_ms=NOW_MS),
        lambda: generate_demo("a7f3", now_ms=NOW_MS),
        lambda: generate_demo(INTEGRATION, users=0, now_ms=NOW_MS),
        lambda: generate_demo(INTEGRATION, sessions=-1, now_ms=NOW_MS),
        lambda: generate_demo(INTEGRATION, days=0, now_ms=NOW_MS),
        lambda: generate_demo(INTEGRATION, bot_share=1.5, now_ms=NOW_MS),
        lambda: generate_demo(INTEGRATION, now_ms=0),
    ],
    ids=["uppercase id", "short id", "no users", "negative sessions", "no days", "share", "1970"],
)
def test_impossible_arguments_are_refused_at_the_call(make_demo: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="must"):
        make_demo()
